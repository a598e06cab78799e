import { status as GrpcStatus } from '@grpc/grpc-js';
import { CommitError, GatewayError, StatusCode, type Status } from '@hyperledger/fabric-gateway';
import { chaincodeMessage, LedgerError } from './ledger-error.js';

/** How Fabric's gateway words a contract's refusal, in the error and in each endorser's detail. */
const CHAINCODE_RESPONSE = /chaincode response \d+, /;

/**
 * gRPC codes that say the peer, or the network behind it, could not serve the call now:
 * worth trying again later. Anything else without a chaincode response is a refusal. ABORTED
 * is both: Fabric's gateway answers every failed endorsement or orderer refusal with it, so its
 * details decide (see `abortedForNow`).
 */
const TRANSIENT = new Set<number>([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.CANCELLED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.ABORTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNKNOWN,
]);

/** What an endorser or orderer that could not answer says (gRPC's words, the orderer's status). */
const NOT_ANSWERING =
  /\b(Unavailable|DeadlineExceeded|deadline exceeded|connection (?:refused|reset|error|closed)|transport is closing|SERVICE_UNAVAILABLE|no Raft leader)\b/i;

/** Fabric's gateway on a channel it does not serve: evaluate answers UNAVAILABLE, yet it is a refusal. */
const UNKNOWN_CHANNEL = /failed to get config for channel \[([^\]]*)\]/;

const ABORTED = new Set<number>([GrpcStatus.ABORTED]);

const STATUS_NAMES = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code, name]));

/** The validation code's name, e.g. `MVCC_READ_CONFLICT`. */
export function validationCodeName(code: number): string {
  return STATUS_NAMES.get(code) ?? `VALIDATION_CODE_${code}`;
}

/**
 * Read conflicts: the transaction read a version another one changed before it committed.
 * It was invalidated and wrote nothing, so endorsing it afresh is safe. Phantom reads are
 * the same conflict on a range read.
 */
export function isReadConflict(code: number): boolean {
  return code === StatusCode.MVCC_READ_CONFLICT || code === StatusCode.PHANTOM_READ_CONFLICT;
}

/** A transaction that was ordered but invalidated, as a LedgerError. */
export function commitFailure(status: Pick<Status, 'code' | 'transactionId'>, cause?: unknown): LedgerError {
  const name = validationCodeName(status.code);
  return new LedgerError(
    isReadConflict(status.code) ? 'conflict' : 'rejected',
    `the ledger invalidated transaction ${status.transactionId}: ${name}`,
    { txId: status.transactionId, chaincodeCode: name, cause },
  );
}

/**
 * Translates whatever fabric-gateway threw into a LedgerError that keeps the transaction id
 * (from the error, else `txId`, the id of the proposal that was sent).
 */
export function toLedgerError(err: unknown, txId?: string): LedgerError {
  if (err instanceof LedgerError) return err;
  if (err instanceof CommitError) return commitFailure(err, err);
  if (err instanceof GatewayError) return gatewayFailure(err, transactionIdOf(err) ?? txId);
  const message = err instanceof Error ? err.message : String(err);
  return new LedgerError('unavailable', `the ledger call failed: ${message}`, { txId, cause: err });
}

function gatewayFailure(err: GatewayError, txId: string | undefined): LedgerError {
  // Each endorser's own words first: the gateway's summary ("failed to endorse transaction, see
  // attached details") holds the contract's message only on evaluate.
  const refusal = [...err.details.map((detail) => detail.message), err.message].find((message) =>
    CHAINCODE_RESPONSE.test(message),
  );
  if (refusal !== undefined) {
    const { code, text } = chaincodeMessage(refusal);
    return new LedgerError('rejected', text, { txId, chaincodeCode: code, cause: err });
  }
  const what = `${err.name}: ${err.message}${err.details.map((detail) => `; ${detail.address}: ${detail.message}`).join('')}`;
  const channel = UNKNOWN_CHANNEL.exec(err.message)?.[1];
  if (channel !== undefined) {
    return new LedgerError('rejected', `the peer does not serve channel ${channel}: ${what}`, { txId, cause: err });
  }
  if (TRANSIENT.has(err.code) && (!ABORTED.has(err.code) || abortedForNow(err))) {
    // A submit or commit-status failure leaves the outcome open: the orderer may have the transaction.
    const outcome = err.name === 'SubmitError' || err.name === 'CommitStatusError' ? ' (it may still commit)' : '';
    return new LedgerError('unavailable', `the ledger did not answer${outcome}: ${what}`, { txId, cause: err });
  }
  return new LedgerError('rejected', `the ledger refused the call: ${what}`, { txId, cause: err });
}

/**
 * An ABORTED call is transient only when an endorser or the orderer did not answer; a peer that
 * refused the proposal (e.g. "access denied" for a certificate it does not trust) or an orderer
 * that refused the transaction (FORBIDDEN, BAD_REQUEST) said no.
 */
function abortedForNow(err: GatewayError): boolean {
  const messages = err.details.length > 0 ? err.details.map((detail) => detail.message) : [err.message];
  return messages.some((message) => NOT_ANSWERING.test(message));
}

function transactionIdOf(err: GatewayError): string | undefined {
  const id: unknown = (err as GatewayError & { transactionId?: unknown }).transactionId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
