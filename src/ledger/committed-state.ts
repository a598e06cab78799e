import { CHAINCODE_NAME, type EmbeddedLedgerEvent } from './event-stream.js';
import { decodeWrites, GENESIS_HASH, type LogEntry } from './log-entry.js';
import { WorldState } from './world-state.js';

/**
 * What the committed transactions add up to: world state, the chaincode events in commit
 * order, and where each transaction is. Built by replaying the log's write sets at open, then
 * kept up to date by each commit.
 */
export class CommittedState {
  readonly world = new WorldState();
  readonly #events: EmbeddedLedgerEvent[] = [];
  readonly #sequences = new Map<string, number>();
  #last: LogEntry | null = null;

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

  /** Applies a verified transaction; returns its event, if it emitted one. */
  apply(entry: LogEntry): EmbeddedLedgerEvent | null {
    this.world.apply(decodeWrites(entry.writes), `${String(entry.sequence)}:0`);
    this.#sequences.set(entry.txId, entry.sequence);
    this.#last = entry;
    if (entry.event === null) return null;
    const event: EmbeddedLedgerEvent = {
      eventName: entry.event.name,
      payload: Buffer.from(entry.event.payload, 'base64').toString('utf8'),
      txId: entry.txId,
      transactionId: entry.txId,
      chaincodeName: CHAINCODE_NAME,
      blockNumber: BigInt(entry.sequence),
    };
    this.#events.push(event);
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
