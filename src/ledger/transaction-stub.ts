import type { LedgerKV, LedgerStub } from 'meridian-chaincode';
import type {
  ChaincodeEvent,
  ReadRecord,
  TransactionRequest,
  VersionedState,
  WriteRecord,
} from './chaincode-executor.js';

const EMPTY = new Uint8Array(0);
/** Fabric's composite keys: a NUL namespace, then NUL-terminated parts. */
const COMPOSITE_NS = '\u0000';
const MAX_RUNE = '\u{10FFFF}';

/**
 * The chaincode stub of one simulated transaction: reads from committed state (and its
 * own writes, as a Fabric peer does for point reads), collects the read and write sets
 * and the event, and commits nothing.
 */
export class TransactionStub implements LedgerStub {
  readonly #state: VersionedState;
  readonly #request: TransactionRequest;
  readonly #reads = new Map<string, string | null>();
  readonly #writes = new Map<string, Uint8Array | null>();
  #event: ChaincodeEvent | null = null;

  constructor(state: VersionedState, request: TransactionRequest) {
    this.#state = state;
    this.#request = request;
  }

  getState(key: string): Promise<Uint8Array> {
    if (this.#writes.has(key)) return Promise.resolve(this.#writes.get(key) ?? EMPTY);
    const entry = this.#state.get(key);
    if (!this.#reads.has(key)) this.#reads.set(key, entry?.version ?? null);
    return Promise.resolve(entry?.value ?? EMPTY);
  }

  putState(key: string, value: Uint8Array): Promise<void> {
    if (key === '') return Promise.reject(new Error('putState: the key must not be empty'));
    this.#writes.set(key, Uint8Array.from(value));
    return Promise.resolve();
  }

  deleteState(key: string): Promise<void> {
    this.#writes.set(key, null);
    return Promise.resolve();
  }

  getStateByRange(startKey: string, endKey: string): AsyncIterable<LedgerKV> {
    return this.#scan(startKey, endKey === '' ? MAX_RUNE : endKey);
  }

  getStateByPartialCompositeKey(objectType: string, attributes: string[]): AsyncIterable<LedgerKV> {
    const prefix = this.createCompositeKey(objectType, attributes);
    return this.#scan(prefix, `${prefix}${MAX_RUNE}`);
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    return `${COMPOSITE_NS}${[objectType, ...attributes].map((part) => `${part}${COMPOSITE_NS}`).join('')}`;
  }

  setEvent(name: string, payload: Uint8Array): void {
    this.#event = { name, payload: Uint8Array.from(payload) };
  }

  getTxID(): string {
    return this.#request.txId;
  }

  getTxTimestamp(): { seconds: number; nanos: number } {
    const ms = this.#request.timestamp.getTime();
    return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
  }

  get reads(): ReadRecord[] {
    return [...this.#reads].map(([key, version]) => ({ key, version }));
  }

  get writes(): WriteRecord[] {
    return [...this.#writes].map(([key, value]) => ({ key, value }));
  }

  get event(): ChaincodeEvent | null {
    return this.#event;
  }

  // Range reads see committed state only, as on a Fabric peer.
  async *#scan(start: string, end: string): AsyncIterable<LedgerKV> {
    await Promise.resolve();
    for (const entry of this.#state.range(start, end)) {
      if (!this.#reads.has(entry.key)) this.#reads.set(entry.key, entry.version);
      yield { key: entry.key, value: entry.value };
    }
  }
}
