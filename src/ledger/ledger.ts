import type { Checkpointer } from '@hyperledger/fabric-gateway';

/**
 * Who a transaction is submitted as. On Fabric each actor is an enrolled identity whose
 * certificate carries these as attributes (`meridian.user`, `meridian.role`, ...); the
 * chaincode checks them, so a compliance officer's approval is provably theirs.
 */
export interface LedgerActor {
  /** `meridian.user`: a stable, pseudonymous user id (never a name). */
  readonly user: string;
  /** `meridian.role`: `compliance_officer`, `patient`, `patient_delegate` or `gateway`. */
  readonly role: string;
  readonly jurisdiction?: string;
  /** `meridian.patient`: the patient acting for themself (global id; `LedgerClient` sends the ledger's id for them). */
  readonly patient?: string;
  /** `meridian.delegateFor`: the patient a delegate acts for. */
  readonly delegateFor?: string;
}

/** A committed transaction. */
export interface Committed {
  /** The chaincode's answer (canonical JSON). */
  readonly result: string;
  readonly txId: string;
  readonly blockNumber: bigint;
}

/** A chaincode event, as Fabric delivers it: only from valid transactions, in commit order. */
export interface LedgerEvent {
  readonly eventName: string;
  /** The chaincode's event payload (canonical JSON). */
  readonly payload: string;
  readonly txId: string;
  readonly blockNumber: bigint;
}

/** An open event stream; `close()` ends it (a `for await` loop then finishes). */
export interface LedgerEventStream extends AsyncIterable<LedgerEvent> {
  close(): void;
}

/**
 * The shared ledger Meridian anchors hashes on. Two implementations run the same
 * chaincode: `FabricLedger` (a Fabric peer through fabric-gateway) and `EmbeddedLedger`
 * (in-process, hash-chained and signed, the single-machine default).
 */
export interface Ledger {
  /** Runs a transaction and resolves once it is committed (durable). */
  submit(actor: LedgerActor, fn: string, args: readonly string[]): Promise<Committed>;
  /** Runs a read-only transaction against committed state. */
  evaluate(actor: LedgerActor, fn: string, args: readonly string[]): Promise<string>;
  /**
   * Chaincode events after the checkpointer's position (from the first block when it has
   * none), then live. The caller checkpoints each event once handled
   * (`checkpointer.checkpointTransaction(event.blockNumber, event.txId)`), so a restart
   * resumes exactly after it.
   */
  events(checkpointer: Checkpointer): Promise<LedgerEventStream>;
  close(): Promise<void>;
}
