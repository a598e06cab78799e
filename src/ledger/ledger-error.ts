import { MeridianError } from '../domain/errors.js';

/** Why a ledger call failed: the ledger could not be reached, or the chaincode refused. */
export type LedgerFailure = 'unavailable' | 'rejected' | 'conflict';

/**
 * A ledger failure that keeps the transaction id, so an operator can find it on the
 * channel. `rejected` carries the chaincode's own code (FORBIDDEN, CONFLICT, ...).
 */
export class LedgerError extends MeridianError {
  readonly failure: LedgerFailure;
  readonly txId: string | null;
  /** The chaincode's error code, e.g. FORBIDDEN, when it refused the transaction. */
  readonly chaincodeCode: string | null;

  constructor(
    failure: LedgerFailure,
    message: string,
    options: { txId?: string | null; chaincodeCode?: string | null; cause?: unknown } = {},
  ) {
    super(failure === 'unavailable' ? 'LEDGER_UNAVAILABLE' : 'LEDGER_REJECTED', message, {
      ...(options.txId ? { txId: options.txId } : {}),
      ...(options.chaincodeCode ? { reason: options.chaincodeCode } : {}),
    });
    this.name = 'LedgerError';
    this.failure = failure;
    this.txId = options.txId ?? null;
    this.chaincodeCode = options.chaincodeCode ?? null;
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/** Splits a chaincode message `CODE: text` (the contracts' convention) into its parts. */
export function chaincodeMessage(message: string): { code: string | null; text: string } {
  const m = /(?:^|chaincode response \d+, )([A-Z_]+): (.*)$/s.exec(message);
  return m ? { code: m[1] ?? null, text: m[2] ?? message } : { code: null, text: message };
}
