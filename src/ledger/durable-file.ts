import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `data` to `file` so that after a crash the file is either absent, the old one, or
 * complete: a temporary file is written and synced, renamed over, and the folder synced.
 */
export async function writeFileDurably(file: string, data: string, mode: number): Promise<void> {
  const temporary = `${file}.${String(process.pid)}.tmp`;
  const handle = await open(temporary, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temporary, { force: true });
    throw err;
  }
  await handle.close();
  await rename(temporary, file);
  await syncFolder(path.dirname(file));
}

/** Makes a file's creation or renaming durable: on Linux a new directory entry needs the folder synced. */
export async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
