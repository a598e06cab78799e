import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * PGlite databases must be opened by one process at a time: a second process on the
 * same folder would corrupt them. The pid file says who holds the embedded data folder.
 */
export async function lockDataDir(dataDir: string, holder: string): Promise<() => Promise<void>> {
  const file = path.join(dataDir, 'meridian.pid');
  if (existsSync(file)) {
    const [pidText = '', other = 'another Meridian process'] = (await readFile(file, 'utf8')).split('\n');
    const pid = Number(pidText);
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new Error(
        `The embedded data folder ${dataDir} is in use by ${other} (pid ${pid}). Stop it first, or set MERIDIAN_DATA_DIR to another folder.`,
      );
    }
  }
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${process.pid}\n${holder}\n`);
  return async () => {
    await rm(file, { force: true });
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
