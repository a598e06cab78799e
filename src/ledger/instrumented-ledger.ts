import type { Checkpointer } from '@hyperledger/fabric-gateway';
import { SpanKind } from '@opentelemetry/api';
import { traced } from '../tracing/traced.js';
import type { Committed, Ledger, LedgerActor, LedgerEventStream } from './ledger.js';

/** Where `InstrumentedLedger` reports each call (`Metrics` is one). */
export interface LedgerCallObserver {
  ledgerCall(kind: 'submit' | 'evaluate', fn: string, outcome: 'ok' | 'error', seconds: number): void;
}

/**
 * A `Ledger` that times every submit and evaluate (by chaincode function and outcome), traces
 * each as a client span inside a traced request (function name only: the arguments carry
 * pseudonymous patient ids and hashes), and otherwise is the ledger it wraps: results and errors pass through unchanged, as do
 * `events()` and `close()`.
 */
export class InstrumentedLedger implements Ledger {
  readonly #inner: Ledger;
  readonly #observer: LedgerCallObserver;

  constructor(inner: Ledger, observer: LedgerCallObserver) {
    this.#inner = inner;
    this.#observer = observer;
  }

  /** The wrapped ledger. */
  get inner(): Ledger {
    return this.#inner;
  }

  submit(actor: LedgerActor, fn: string, args: readonly string[]): Promise<Committed> {
    return this.#timed('submit', fn, () => this.#inner.submit(actor, fn, args));
  }

  evaluate(actor: LedgerActor, fn: string, args: readonly string[]): Promise<string> {
    return this.#timed('evaluate', fn, () => this.#inner.evaluate(actor, fn, args));
  }

  events(checkpointer: Checkpointer): Promise<LedgerEventStream> {
    return this.#inner.events(checkpointer);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  #timed<T>(kind: 'submit' | 'evaluate', fn: string, call: () => Promise<T>): Promise<T> {
    const attributes = { 'meridian.ledger.kind': kind, 'meridian.ledger.fn': fn };
    return traced(`ledger ${kind} ${fn}`, attributes, () => this.#measured(kind, fn, call), SpanKind.CLIENT);
  }

  async #measured<T>(kind: 'submit' | 'evaluate', fn: string, call: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    let outcome: 'ok' | 'error' = 'error';
    try {
      const result = await call();
      outcome = 'ok';
      return result;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      try {
        this.#observer.ledgerCall(kind, fn, outcome, seconds);
      } catch {
        // A metrics failure must never change a ledger call's result.
      }
    }
  }
}
