import { CHAINCODE_NAME, type EmbeddedLedgerEvent } from './event-stream.js';
import { LogCertificates } from './log-certificates.js';
import { decodeWrites, GENESIS_HASH, type LogEntry } from './log-entry.js';
import { WorldState } from './world-state.js';

/** Where a state snapshot leaves off: the state at `head`, and the certificates the log carried up to it. */
export interface SnapshotBase {
  readonly head: LogEntry;
  readonly world: WorldState;
  readonly certificates: LogCertificates;
}

/**
 * What the committed transactions add up to: world state, the chaincode events in commit
 * order, and where each transaction is. Built by replaying the log's write sets at open (all
 * of them, or those after a state snapshot), then kept up to date by each commit. Opened from
 * a snapshot, it holds the events and transaction ids of the transactions after it only
 * (`base`); the ledger reads earlier ones from the log when asked.
 */
export class CommittedState {
  readonly world: WorldState;
  /** The certificates the log has carried, so a commit carries a certificate only the first time. */
  readonly certificates: LogCertificates;
  /** The height of the snapshot this state started from (0: replayed from #1). */
  readonly base: number;
  readonly #events: EmbeddedLedgerEvent[] = [];
  readonly #sequences = new Map<string, number>();
  #last: LogEntry | null;

  constructor(snapshot?: SnapshotBase) {
    this.world = snapshot?.world ?? new WorldState();
    this.certificates = snapshot?.certificates ?? new LogCertificates();
    this.base = snapshot?.head.sequence ?? 0;
    this.#last = snapshot?.head ?? null;
  }

  /** Committed transactions, which is also the last block number (one transaction per block, from 1). */
  get height(): number {
    return this.#last?.sequence ?? 0;
  }

  /** The hash the next transaction links to. */
  get lastHash(): string {
    return this.#last?.hash ?? GENESIS_HASH;
  }

  get last(): LogEntry | null {
    return this.#last;
  }

  get eventCount(): number {
    return this.#events.length;
  }

  /** Applies a verified transaction, invoked with `certificatePem`; returns its event, if it emitted one. */
  apply(entry: LogEntry, certificatePem: string): EmbeddedLedgerEvent | null {
    this.certificates.add(certificatePem);
    this.world.apply(decodeWrites(entry.writes), `${String(entry.sequence)}:0`);
    this.#sequences.set(entry.txId, entry.sequence);
    this.#last = entry;
    const event = eventOf(entry);
    if (event) this.#events.push(event);
    return event;
  }

  sequenceOf(txId: string): number | undefined {
    return this.#sequences.get(txId);
  }

  /** Events of blocks `block` and later, in commit order. */
  eventsFrom(block: number): EmbeddedLedgerEvent[] {
    const from = BigInt(block);
    let low = 0;
    let high = this.#events.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.#events[mid]?.blockNumber ?? from) < from) low = mid + 1;
      else high = mid;
    }
    return this.#events.slice(low);
  }
}

/** The chaincode event a transaction emitted, as streams deliver it; null when it emitted none. */
export function eventOf(entry: LogEntry): EmbeddedLedgerEvent | null {
  if (entry.event === null) return null;
  return {
    eventName: entry.event.name,
    payload: Buffer.from(entry.event.payload, 'base64').toString('utf8'),
    txId: entry.txId,
    transactionId: entry.txId,
    chaincodeName: CHAINCODE_NAME,
    blockNumber: BigInt(entry.sequence),
  };
}
