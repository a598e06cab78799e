import type { Checkpoint } from '@hyperledger/fabric-gateway';
import type { LedgerEvent, LedgerEventStream } from './ledger.js';

/** The chaincode name events carry, as on the Fabric channel. */
export const CHAINCODE_NAME = 'meridian';

/**
 * A chaincode event of the embedded ledger. Beside the `LedgerEvent` fields it carries
 * fabric-gateway's `transactionId` and `chaincodeName`, which is what a checkpointer's
 * `checkpointChaincodeEvent` reads (with `blockNumber`).
 */
export interface EmbeddedLedgerEvent extends LedgerEvent {
  readonly transactionId: string;
  readonly chaincodeName: string;
}

export interface EmbeddedEventStream extends LedgerEventStream, AsyncIterable<EmbeddedLedgerEvent> {
  [Symbol.asyncIterator](): AsyncIterator<EmbeddedLedgerEvent>;
}

/**
 * The first block a stream delivers, as Fabric's gateway resumes from a checkpoint: after the
 * checkpointed transaction when there is one, else from the checkpointed block (which
 * `checkpointBlock(n)` sets to n + 1), else from block 1. `sequenceOf` finds a transaction.
 */
export function firstBlockAfter(checkpoint: Checkpoint, sequenceOf: (txId: string) => number | undefined): number {
  const blockNumber = checkpoint.getBlockNumber();
  const txId = checkpoint.getTransactionId();
  if (txId !== undefined && txId !== '') {
    const sequence = sequenceOf(txId);
    if (sequence === undefined || (blockNumber !== undefined && BigInt(sequence) !== blockNumber)) {
      throw new Error(
        `the checkpoint names transaction ${txId} in block ${String(blockNumber)}, which this ledger does not hold: ` +
          'it belongs to another ledger',
      );
    }
    return sequence + 1;
  }
  return blockNumber === undefined ? 1 : Math.max(1, Number(blockNumber));
}

/**
 * One consumer's events: those committed before it opened (the backlog), then each new one
 * as it commits. Delivered in commit order, each once; `close()` ends the iteration.
 */
export class EventQueue implements EmbeddedEventStream {
  readonly #pending: EmbeddedLedgerEvent[];
  /** Index of the next event to hand out: a backlog can be long, and shift() copies it each time. */
  #head = 0;
  readonly #onClose: () => void;
  #waiting: ((result: IteratorResult<EmbeddedLedgerEvent>) => void) | null = null;
  #closed = false;

  constructor(options: Readonly<{ backlog: readonly EmbeddedLedgerEvent[]; onClose: () => void }>) {
    this.#pending = [...options.backlog];
    this.#onClose = options.onClose;
  }

  /** A newly committed event. */
  deliver(event: EmbeddedLedgerEvent): void {
    if (this.#closed) return;
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = null;
      resolve({ done: false, value: event });
    } else {
      this.#pending.push(event);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending.length = 0;
    this.#head = 0;
    this.#onClose();
    const resolve = this.#waiting;
    this.#waiting = null;
    resolve?.({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterator<EmbeddedLedgerEvent> {
    return {
      next: () => this.#next(),
      return: () => {
        this.close();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  #next(): Promise<IteratorResult<EmbeddedLedgerEvent>> {
    const event = this.#pending[this.#head];
    if (event !== undefined) {
      this.#head++;
      if (this.#head >= 1024 && this.#head * 2 >= this.#pending.length) {
        this.#pending.splice(0, this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ done: false, value: event });
    }
    if (this.#closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }
}
