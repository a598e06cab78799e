import { Context } from 'fabric-contract-api';

/** One entry of a state query. */
export interface LedgerKV {
  readonly key: string;
  readonly value: Uint8Array;
}

/**
 * The only part of Fabric's `ChaincodeStub` the contracts use. The embedded
 * ledger runs these same contract classes, so anything added here is a method
 * it must implement too.
 */
export interface LedgerStub {
  getState(key: string): Promise<Uint8Array>;
  putState(key: string, value: Uint8Array): Promise<void>;
  deleteState(key: string): Promise<void>;
  getStateByRange(startKey: string, endKey: string): AsyncIterable<LedgerKV>;
  getStateByPartialCompositeKey(objectType: string, attributes: string[]): AsyncIterable<LedgerKV>;
  createCompositeKey(objectType: string, attributes: string[]): string;
  setEvent(name: string, payload: Uint8Array): void;
  getTxID(): string;
  /** `seconds` is a `Long` on a peer; a plain number is accepted for in-process ledgers. */
  getTxTimestamp(): { readonly seconds: number | { toNumber(): number }; readonly nanos: number };
}

/** The only part of Fabric's `ClientIdentity` the contracts use. */
export interface LedgerIdentity {
  getMSPID(): string;
  getID(): string;
  getAttributeValue(attrName: string): string | null;
}

/** The narrow view of a transaction context that contract code works through. */
export interface LedgerView {
  readonly stub: LedgerStub;
  readonly identity: LedgerIdentity;
}

/**
 * Narrows Fabric's context. The assignments are checked at compile time, so a
 * real peer's stub and identity always satisfy what the contracts rely on.
 */
export function ledgerOf(ctx: Context): LedgerView {
  const stub: LedgerStub = ctx.stub;
  const identity: LedgerIdentity = ctx.clientIdentity;
  return { stub, identity };
}

/**
 * The transaction's timestamp as ISO-8601 UTC with milliseconds. It is set by
 * the submitting client and is the same on every endorser, unlike the clock.
 */
export function txTime(stub: LedgerStub): string {
  const { seconds, nanos } = stub.getTxTimestamp();
  const secs = typeof seconds === 'number' ? seconds : seconds.toNumber();
  return new Date(secs * 1000 + Math.floor(nanos / 1_000_000)).toISOString();
}

/**
 * A transaction context over a stub and identity other than a peer's: the
 * embedded ledger and the tests run the contract classes through this.
 */
export function contextFor(stub: LedgerStub, identity: LedgerIdentity): Context {
  const ctx = new Context();
  // Fabric's types ask for the full ChaincodeStub; the contracts reach it only through ledgerOf().
  Object.assign(ctx, { stub, clientIdentity: identity });
  return ctx;
}
