import type { ChaincodeEvent, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { toLedgerError } from './fabric-errors.js';
import type { LedgerEvent, LedgerEventStream } from './ledger.js';

const utf8 = new TextDecoder();

/**
 * A chaincode event from a Fabric peer. Beside the `LedgerEvent` fields it keeps fabric-gateway's
 * `transactionId` and `chaincodeName`, which (with `blockNumber`) is what a checkpointer records.
 */
export interface FabricLedgerEvent extends LedgerEvent {
  readonly transactionId: string;
  readonly chaincodeName: string;
}

/** A Fabric chaincode event as Meridian reads it: the payload is the chaincode's canonical JSON. */
export function toLedgerEvent(event: ChaincodeEvent): FabricLedgerEvent {
  return {
    eventName: event.eventName,
    payload: utf8.decode(event.payload),
    txId: event.transactionId,
    blockNumber: event.blockNumber,
    transactionId: event.transactionId,
    chaincodeName: event.chaincodeName,
  };
}

/**
 * fabric-gateway's chaincode events as a LedgerEventStream: `close()` cancels the gRPC
 * stream and ends iteration quietly; a broken connection ends it with a LedgerError
 * (`unavailable`), after which the caller opens a new stream from its checkpoint.
 */
export class FabricEventStream implements LedgerEventStream, AsyncIterable<FabricLedgerEvent> {
  readonly #events: CloseableAsyncIterable<ChaincodeEvent>;
  readonly #onClose: () => void;
  #closed = false;

  constructor(events: CloseableAsyncIterable<ChaincodeEvent>, onClose: () => void) {
    this.#events = events;
    this.#onClose = onClose;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FabricLedgerEvent> {
    const iterator = this.#events[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await this.#next(iterator);
        if (next.done === true || this.#closed) return;
        yield toLedgerEvent(next.value);
      }
    } finally {
      // Leaving a `for await` loop early ends the stream too, so no gRPC call is left open.
      this.close();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.close();
    this.#onClose();
  }

  async #next(iterator: AsyncIterator<ChaincodeEvent>): Promise<IteratorResult<ChaincodeEvent>> {
    try {
      return await iterator.next();
    } catch (err) {
      // Cancelling the call is how close() stops a pending read; that is an end, not a failure.
      if (this.#closed) return { done: true, value: undefined };
      throw toLedgerError(err);
    }
  }
}
