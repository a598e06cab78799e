import type { Context } from 'fabric-contract-api';
import { canonicalJson } from '../src/ledger/canonical-json.js';
import { contextFor, type LedgerIdentity, type LedgerKV, type LedgerStub } from '../src/ledger/ledger-context.js';

/** The submitter of a test transaction: an MSP id and certificate attributes. */
export interface TestIdentity {
  readonly mspId: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A chaincode event as a peer would deliver it, payload decoded. */
export interface TestEvent {
  readonly name: string;
  readonly payload: unknown;
}

const COMPOSITE_DELIMITER = '\u0000';
const START = Date.parse('2025-01-01T00:00:00.000Z');

/**
 * World state shared by test transactions: a Map of committed keys, and a
 * clock that moves one second per transaction so timestamps are predictable.
 */
export class TestWorld {
  readonly state = new Map<string, Uint8Array>();
  #transactions = 0;

  /** A new transaction's id and timestamp (ms since epoch). */
  nextTransaction(): { txId: string; timeMs: number } {
    this.#transactions += 1;
    return { txId: `tx${String(this.#transactions).padStart(6, '0')}`, timeMs: START + this.#transactions * 1000 };
  }

  /** The whole world state as canonical text, to show a refused transaction changed nothing. */
  snapshot(): string {
    const entries = [...this.state.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    return canonicalJson(entries.map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));
  }
}

/** A context for one transaction, plus what the test needs to look at afterwards. */
export type TestContext = Context & {
  readonly world: TestWorld;
  readonly txId: string;
  /** The transaction's chaincode event (Fabric keeps only the last one set). */
  event(): TestEvent | undefined;
};

/**
 * A transaction context over an in-memory world state, submitted by
 * `identity`. One context is one transaction: make a new one for each call.
 * The stub implements exactly `LedgerStub`, the methods the embedded ledger
 * must provide too. Writes land in the world at once, so a test that a
 * refused transaction leaves the world unchanged also proves the contract
 * validated before writing.
 */
export function createTestContext(identity: TestIdentity, world: TestWorld = new TestWorld()): TestContext {
  const { txId, timeMs } = world.nextTransaction();
  let event: TestEvent | undefined;
  const stub = new MapStub(world.state, txId, timeMs, (name, payload) => {
    event = { name, payload: JSON.parse(Buffer.from(payload).toString('utf8')) };
  });
  const ctx = contextFor(stub, new TestClientIdentity(identity));
  return Object.assign(ctx, { world, txId, event: () => event });
}

class MapStub implements LedgerStub {
  readonly #state: Map<string, Uint8Array>;
  readonly #txId: string;
  readonly #timeMs: number;
  readonly #onEvent: (name: string, payload: Uint8Array) => void;

  constructor(
    state: Map<string, Uint8Array>,
    txId: string,
    timeMs: number,
    onEvent: (name: string, payload: Uint8Array) => void,
  ) {
    this.#state = state;
    this.#txId = txId;
    this.#timeMs = timeMs;
    this.#onEvent = onEvent;
  }

  async getState(key: string): Promise<Uint8Array> {
    return Uint8Array.from(this.#state.get(key) ?? []);
  }

  async putState(key: string, value: Uint8Array): Promise<void> {
    if (key === '') throw new Error('key must not be empty');
    this.#state.set(key, Uint8Array.from(value));
  }

  async deleteState(key: string): Promise<void> {
    this.#state.delete(key);
  }

  // Like a peer: range queries cover simple keys only, never composite ones.
  async *getStateByRange(startKey: string, endKey: string): AsyncIterable<LedgerKV> {
    yield* this.#scan(
      (key) => !key.startsWith(COMPOSITE_DELIMITER) && key >= startKey && (endKey === '' || key < endKey),
    );
  }

  async *getStateByPartialCompositeKey(objectType: string, attributes: string[]): AsyncIterable<LedgerKV> {
    const prefix = this.createCompositeKey(objectType, attributes);
    yield* this.#scan((key) => key.startsWith(prefix));
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    for (const part of [objectType, ...attributes]) {
      if (part.includes(COMPOSITE_DELIMITER)) throw new Error('composite key parts must not contain U+0000');
    }
    return COMPOSITE_DELIMITER + [objectType, ...attributes].map((a) => a + COMPOSITE_DELIMITER).join('');
  }

  setEvent(name: string, payload: Uint8Array): void {
    this.#onEvent(name, payload);
  }

  getTxID(): string {
    return this.#txId;
  }

  getTxTimestamp(): { seconds: { toNumber(): number }; nanos: number } {
    const seconds = Math.floor(this.#timeMs / 1000);
    return { seconds: { toNumber: () => seconds }, nanos: (this.#timeMs % 1000) * 1_000_000 };
  }

  *#scan(match: (key: string) => boolean): Generator<LedgerKV> {
    const keys = [...this.#state.keys()].filter(match).sort();
    for (const key of keys) {
      const value = this.#state.get(key);
      if (value) yield { key, value: Uint8Array.from(value) };
    }
  }
}

class TestClientIdentity implements LedgerIdentity {
  readonly #identity: TestIdentity;

  constructor(identity: TestIdentity) {
    this.#identity = identity;
  }

  getMSPID(): string {
    return this.#identity.mspId;
  }

  getID(): string {
    return `x509::CN=${this.#identity.attributes?.['meridian.user'] ?? 'anonymous'}::CN=ca.test`;
  }

  getAttributeValue(attrName: string): string | null {
    return this.#identity.attributes?.[attrName] ?? null;
  }
}
