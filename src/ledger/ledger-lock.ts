import path from 'node:path';
import { lockWithPidFile } from '../stores/pid-lock.js';
import { LEDGER_FILES } from './ledger-folder.js';

/**
 * One writer per ledger folder: two processes appending to one log would fork its hash chain.
 * Resolves to the release function.
 */
export function lockLedgerFolder(dir: string): Promise<() => Promise<void>> {
  return lockWithPidFile(path.resolve(dir, LEDGER_FILES.lock), 'the embedded ledger', (pid) =>
    pid === process.pid
      ? `the embedded ledger in ${dir} is already open in this process`
      : `the embedded ledger in ${dir} is open in another process (pid ${pid}); stop it first`,
  );
}
