import path from 'node:path';
import { lockWithPidFile } from './pid-lock.js';

/** The embedded data folder is held by another process (or by this one, elsewhere). */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

/**
 * PGlite databases must be opened by one process at a time: a second process on the
 * same folder would corrupt them. The pid file says who holds the embedded data folder.
 */
export function lockDataDir(dataDir: string, holder: string): Promise<() => Promise<void>> {
  return lockWithPidFile(
    path.join(dataDir, 'meridian.pid'),
    holder,
    (pid, other) =>
      new DataDirInUseError(
        `The embedded data folder ${dataDir} is in use by ${other} (pid ${pid}). Stop it first, or set MERIDIAN_DATA_DIR to another folder.`,
      ),
  );
}
