import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

/** Lock files this process holds: a second holder in the same process is refused too. */
const held = new Set<string>();

/**
 * An exclusive lock held by this process as a pid file, created with O_EXCL so two
 * processes cannot both take it; a file left by a process that is gone is taken over.
 * `inUse` words the refusal, or makes the error to throw (given the holder's pid and description). Resolves to the
 * release function.
 */
export async function lockWithPidFile(
  file: string,
  holder: string,
  inUse: (pid: number, holder: string) => string | Error,
): Promise<() => Promise<void>> {
  const target = path.resolve(file);
  if (held.has(target)) throw refusal(inUse(process.pid, 'this process'));
  held.add(target);
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await take(target, holder, inUse);
  } catch (err) {
    held.delete(target);
    throw err;
  }
  return async () => {
    held.delete(target);
    await rm(target, { force: true });
  };
}

async function take(
  file: string,
  holder: string,
  inUse: (pid: number, holder: string) => string | Error,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      await handle.writeFile(`${String(process.pid)}\n${holder}\n`);
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const [pidText = '', other = 'another process'] = (await readFile(file, 'utf8').catch(() => '')).split('\n');
    const pid = Number(pidText.trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw refusal(inUse(pid, other));
    await rm(file, { force: true });
  }
}

function refusal(reason: string | Error): Error {
  return reason instanceof Error ? reason : new Error(reason);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
