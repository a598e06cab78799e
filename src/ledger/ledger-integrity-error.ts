import { MeridianError } from '../domain/errors.js';

/** What is wrong with a transaction in the embedded ledger's log. */
export type IntegrityProblem =
  | 'malformed'
  | 'missing'
  | 'out-of-order'
  | 'duplicate'
  | 'hash'
  | 'signature'
  | 'previous-hash'
  | 'arguments'
  | 'invoker'
  | 're-execution'
  /** The log ends before a head recorded outside it. */
  | 'rolled-back'
  /** The transaction at a recorded head is another one. */
  | 'fork'
  /** A recorded head is not signed by the ledger's key. */
  | 'checkpoint';

/** The first transaction of the log that failed verification. */
export interface IntegrityFault {
  readonly sequence: number;
  /** Null when the transaction is missing or its line cannot be read. */
  readonly txId: string | null;
  /** 1-based line of the log file where the problem was found (0: in a record outside the log). */
  readonly line: number;
  readonly problem: IntegrityProblem;
  /** One sentence naming the transaction and what is wrong. */
  readonly message: string;
}

/**
 * The embedded ledger's log was modified, truncated in the middle, reordered or forged: it
 * will not open, since the state it would serve could not be trusted. Names the first bad
 * transaction.
 */
export class LedgerIntegrityError extends MeridianError {
  readonly sequence: number;
  readonly txId: string | null;
  readonly problem: IntegrityProblem;
  readonly line: number;

  constructor(dir: string, fault: IntegrityFault) {
    super('INTEGRITY_VIOLATION', `the embedded ledger in ${dir} failed verification: ${fault.message}`, {
      sequence: fault.sequence,
      ...(fault.txId !== null ? { txId: fault.txId } : {}),
    });
    this.name = 'LedgerIntegrityError';
    this.sequence = fault.sequence;
    this.txId = fault.txId;
    this.problem = fault.problem;
    this.line = fault.line;
  }
}
