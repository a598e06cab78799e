import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { LEDGER_FILES } from './ledger-folder.js';

/** Folders this process has open: a second writer in the same process would fork the chain too. */
const held = new Set<string>();

/**
 * One writer per ledger folder: two processes appending to one log would fork its hash chain.
 * A lock left by a process that is gone is taken over. Resolves to the release function.
 */
export async function lockLedgerFolder(dir: string): Promise<() => Promise<void>> {
  const file = path.resolve(dir, LEDGER_FILES.lock);
  if (held.has(file)) throw new Error(`the embedded ledger in ${dir} is already open in this process`);
  held.add(file);
  try {
    await takeLock(file, dir);
  } catch (err) {
    held.delete(file);
    throw err;
  }
  return async () => {
    held.delete(file);
    await rm(file, { force: true });
  };
}

async function takeLock(file: string, dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      await handle.writeFile(`${String(process.pid)}\n`);
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new Error(`the embedded ledger in ${dir} is open in another process (pid ${pid}); stop it first`);
    }
    await rm(file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
