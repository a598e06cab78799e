import type { Checkpointer } from '@hyperledger/fabric-gateway';
import type { LedgerClient } from '../ledger/ledger-client.js';
import type { Ledger, LedgerActor, LedgerEventStream } from '../ledger/ledger.js';
import { backoffDelay } from './retry-delay.js';

/** What a cached decision input depends on: the patient's consents and the active policies. */
export interface Epochs {
  readonly consents: number;
  readonly policies: number;
}

export interface LedgerEpochsOptions {
  readonly client: LedgerClient;
  readonly ledger: Ledger;
  readonly actor: LedgerActor;
  /** Where the event stream resumes after a restart or a lost connection. */
  readonly checkpointer: () => Promise<Checkpointer>;
  /** A lost stream, and how long until it is reopened. */
  readonly onStreamError?: (err: unknown, retryInMs: number) => void;
  readonly onEvent?: (eventName: string) => void;
  /** First wait before reopening a lost stream, default 200 ms; doubles (with jitter) per failure. */
  readonly retryMs?: number;
  /** The longest wait between reopenings, default 30 s. */
  readonly maxRetryMs?: number;
}

const EVENTS = new Set([
  'ConsentRecorded',
  'ConsentRevoked',
  'CareRelationshipChanged',
  'PatientErased',
  'PolicyActivated',
]);

/**
 * The epochs cached entries are keyed by. Every grant, revocation and activation moves an
 * epoch on the ledger (the chaincode counts them) and is announced as a chaincode event.
 * `read` asks the ledger for the patient's epochs on every request, so a revocation
 * acknowledged by any gateway makes older entries unreachable at once; the events, from a
 * checkpoint, move this gateway's own epochs too (a floor for a lagging peer). While the
 * event stream is lost, `read` answers null: consent-dependent entries are not served until
 * it is back and has replayed what it missed.
 */
export class LedgerEpochs {
  readonly #o: Readonly<LedgerEpochsOptions>;
  readonly #backoff: { readonly baseMs: number; readonly maxMs: number };
  /**
   * Failures since the stream last delivered an event. A Fabric stream "opens" even when the peer
   * is down and fails on its first read, so only an event proves it healthy again.
   */
  #failures = 0;
  readonly #patients = new Map<string, number>();
  #policies = 0;
  #stream: LedgerEventStream | null = null;
  #streaming = false;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  #loop: Promise<void> = Promise.resolve();

  constructor(options: Readonly<LedgerEpochsOptions>) {
    this.#o = options;
    this.#backoff = { baseMs: options.retryMs ?? 200, maxMs: options.maxRetryMs ?? 30_000 };
  }

  /** Whether the event stream is open. */
  get streaming(): boolean {
    return this.#streaming;
  }

  /** Opens the event stream (and keeps reopening it when lost). */
  async start(): Promise<void> {
    await this.#open();
  }

  /**
   * The epochs to key cached entries by, given the patient's epochs as just read from the
   * ledger: never below what this gateway's events have shown. Null while the event stream
   * is lost: cached entries must not be used.
   */
  current(patientRef: string, read: Epochs): Epochs | null {
    if (!this.#streaming) return null;
    return {
      consents: Math.max(read.consents, this.#patients.get(patientRef) ?? 0),
      policies: Math.max(read.policies, this.#policies),
    };
  }

  /** The patient's epochs now, or null when cached entries must not be used. */
  async read(patientId: string): Promise<Epochs | null> {
    if (!this.#streaming) return null;
    try {
      const read = await this.#o.client.getEpochs(this.#o.actor, patientId);
      return this.current(await this.#o.client.refOf(patientId), read);
    } catch {
      // A ledger that cannot say is no ground for a cached answer; the uncached path decides.
      return null;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#stream?.close();
    await this.#loop;
  }

  async #open(): Promise<void> {
    if (this.#closed) return;
    try {
      const checkpointer = await this.#o.checkpointer();
      this.#stream = await this.#o.ledger.events(checkpointer);
      this.#streaming = true;
      this.#loop = this.#consume(this.#stream, checkpointer);
    } catch (err) {
      this.#lost(err);
    }
  }

  async #consume(stream: LedgerEventStream, checkpointer: Checkpointer): Promise<void> {
    try {
      for await (const event of stream) {
        this.#failures = 0;
        if (EVENTS.has(event.eventName)) this.#apply(event.eventName, event.payload);
        await checkpointer.checkpointTransaction(event.blockNumber, event.txId);
      }
      if (!this.#closed) this.#lost(new Error('the ledger event stream ended'));
    } catch (err) {
      this.#lost(err);
    }
  }

  #apply(eventName: string, payload: string): void {
    const body = JSON.parse(payload) as { patientRef?: string; epoch?: number };
    const epoch = body.epoch ?? 0;
    if (eventName === 'PolicyActivated') this.#policies = Math.max(this.#policies, epoch);
    else if (body.patientRef !== undefined) {
      this.#patients.set(body.patientRef, Math.max(this.#patients.get(body.patientRef) ?? 0, epoch));
    }
    this.#o.onEvent?.(eventName);
  }

  #lost(err: unknown): void {
    this.#streaming = false;
    this.#stream = null;
    if (this.#closed) return;
    const retryInMs = backoffDelay(this.#failures++, this.#backoff);
    this.#o.onStreamError?.(err, retryInMs);
    this.#retry = setTimeout(() => void this.#open(), retryInMs);
  }
}
