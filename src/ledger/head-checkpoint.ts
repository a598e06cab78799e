import { createHash } from 'node:crypto';
import type { IntegrityFault } from './ledger-integrity-error.js';
import type { LedgerKey } from './ledger-key.js';

/** An embedded ledger's head: its height (the last transaction's sequence number) and that transaction's hash. */
export interface LedgerHead {
  readonly height: number;
  readonly hash: string;
}

/** A head as the ledger hands it to a checkpoint: signed with the ledger's own key over `headDigest`. */
export interface SignedLedgerHead extends LedgerHead {
  readonly signature: string;
}

/** A position in the log that a record kept outside the log vouches for. */
export interface RecordedHead {
  /** Where it is recorded, for messages, e.g. `the control plane's ledger head checkpoint`. */
  readonly source: string;
  readonly height: number;
  /** The hash of the transaction at `height`, when the record keeps it. */
  readonly hash?: string;
  /** The id of the transaction at `height`, when the record keeps it (an anchored audit batch). */
  readonly txId?: string;
  /** The ledger key's signature over `headDigest`, when the record carries one. */
  readonly signature?: string;
}

/**
 * Where an embedded ledger's head is checkpointed outside its own log (the control plane's
 * `chain_heads` table), so a log cut back to an earlier transaction is detected.
 * The embedded ledger knows only this interface; the factory wires an implementation in.
 */
export interface HeadCheckpoint {
  /** Every position recorded for the ledger whose key has fingerprint `ledgerId`. */
  recorded(ledgerId: string): Promise<readonly RecordedHead[]>;
  /**
   * Records the ledger's head after a commit; a lower head never replaces a higher one.
   * Never rejects: an implementation reports its own failures (the next commit records again).
   */
  record(ledgerId: string, head: SignedLedgerHead): Promise<void>;
}

/** What the ledger key signs for a checkpoint: the ledger, the height and the head hash. */
export function headDigest(ledgerId: string, head: LedgerHead): string {
  return createHash('sha256')
    .update(`meridian-ledger-head/1\n${ledgerId}\n${String(head.height)}\n${head.hash}`)
    .digest('hex');
}

/** What the log holds at the heights some record vouches for. */
export interface LogPositions {
  /** Transactions in the log that verified. */
  readonly height: number;
  /** Hash of the last verified transaction, or the genesis hash. */
  readonly headHash: string;
  /** Hash and id of the transaction at a height, when it is in the log. */
  at(height: number): { readonly hash: string; readonly txId: string } | undefined;
}

/**
 * The first recorded head the log does not reach or does not match, as a fault naming the
 * gap: what was recorded where, and what the log holds instead. Null when every head is in the log.
 */
export function headFault(
  ledgerId: string,
  key: LedgerKey,
  recorded: readonly RecordedHead[],
  log: LogPositions,
): IntegrityFault | null {
  for (const head of recorded) {
    const fault = oneHeadFault(ledgerId, key, head, log);
    if (fault) return fault;
  }
  return null;
}

function oneHeadFault(ledgerId: string, key: LedgerKey, head: RecordedHead, log: LogPositions): IntegrityFault | null {
  const named = `#${String(head.height)}${head.hash ? ` (hash ${head.hash})` : ''}${head.txId ? ` (txid ${head.txId})` : ''}`;
  return signatureFault(ledgerId, key, head, named) ?? positionFault(head, named, log);
}

function signatureFault(ledgerId: string, key: LedgerKey, head: RecordedHead, named: string): IntegrityFault | null {
  if (head.signature === undefined || head.hash === undefined) return null;
  if (key.verify(headDigest(ledgerId, { height: head.height, hash: head.hash }), head.signature)) return null;
  const message = `the head recorded in ${head.source}, ${named}, is not signed by this ledger's key`;
  return { sequence: head.height, txId: head.txId ?? null, line: 0, problem: 'checkpoint', message };
}

function positionFault(head: RecordedHead, named: string, log: LogPositions): IntegrityFault | null {
  if (head.height > log.height) {
    const found = log.height === 0 ? 'no transaction' : `#${String(log.height)} (hash ${log.headHash})`;
    const missing =
      head.height === log.height + 1
        ? `#${String(head.height)}`
        : `#${String(log.height + 1)} to #${String(head.height)}`;
    const message =
      `the log ends before the head recorded in ${head.source}: recorded ${named}, found ${found}; ` +
      `transactions ${missing} are missing (the log was cut back or replaced by an older copy)`;
    return { sequence: log.height + 1, txId: null, line: log.height + 1, problem: 'rolled-back', message };
  }
  const entry = head.height === 0 ? undefined : log.at(head.height);
  const differs = entry && ((head.hash && entry.hash !== head.hash) || (head.txId && entry.txId !== head.txId));
  if (differs) {
    const message =
      `transaction #${String(head.height)} in the log (hash ${entry.hash}, txid ${entry.txId}) is not the one ` +
      `recorded in ${head.source}, ${named}: the log was replaced by another history`;
    return { sequence: head.height, txId: entry.txId, line: head.height, problem: 'fork', message };
  }
  return null;
}

/** Keeps, while the log is replayed, the transactions at the heights that records vouch for. */
export class RecordedPositions {
  readonly #wanted: ReadonlySet<number>;
  readonly #seen = new Map<number, { hash: string; txId: string }>();

  constructor(recorded: readonly RecordedHead[]) {
    this.#wanted = new Set(recorded.map((h) => h.height));
  }

  see(entry: { readonly sequence: number; readonly hash: string; readonly txId: string }): void {
    if (this.#wanted.has(entry.sequence)) this.#seen.set(entry.sequence, { hash: entry.hash, txId: entry.txId });
  }

  positions(height: number, headHash: string): LogPositions {
    return { height, headHash, at: (h) => this.#seen.get(h) };
  }
}
