/**
 * The seam between a ledger peer and the chaincode it runs. The embedded ledger and
 * the in-test Fabric Gateway service both execute the real contract classes through it.
 */

/** Who submits a transaction: an MSP member with an X.509 certificate (attributes in the Fabric CA extension). */
export interface Invoker {
  readonly mspId: string;
  /** PEM of the invoker's certificate. */
  readonly certificatePem: string;
}

export interface TransactionRequest {
  readonly txId: string;
  readonly timestamp: Date;
  readonly invoker: Invoker;
  /** `contract:function`, e.g. `consent:revokeConsent`, as Fabric names it. */
  readonly fn: string;
  readonly args: readonly string[];
  readonly transient?: ReadonlyMap<string, Uint8Array>;
}

/** World state as a committed ledger holds it: each key's value and the version that wrote it. */
export interface VersionedState {
  get(key: string): { readonly value: Uint8Array; readonly version: string } | undefined;
  /** Keys in [start, end) in byte order, for range and partial composite key queries. */
  range(
    start: string,
    end: string,
  ): Iterable<{ readonly key: string; readonly value: Uint8Array; readonly version: string }>;
}

export interface ReadRecord {
  readonly key: string;
  /** Version read, or null when the key did not exist. */
  readonly version: string | null;
}

export interface WriteRecord {
  readonly key: string;
  /** New value, or null for a delete. */
  readonly value: Uint8Array | null;
}

export interface ChaincodeEvent {
  readonly name: string;
  readonly payload: Uint8Array;
}

export interface TransactionResult {
  /** 200 on success; 500 when the contract threw (message says why). */
  readonly status: number;
  readonly message: string;
  readonly payload: Uint8Array;
  readonly reads: readonly ReadRecord[];
  readonly writes: readonly WriteRecord[];
  readonly event: ChaincodeEvent | null;
}

/** Simulates one transaction against a state snapshot; commits nothing. */
export interface ChaincodeExecutor {
  execute(request: TransactionRequest, state: VersionedState): Promise<TransactionResult>;
}
