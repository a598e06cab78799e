import type { VersionedState, WriteRecord } from '../../../src/ledger/chaincode-executor.js';

/** Where a value was written: Fabric's height (block number, transaction number in the block). */
export interface Height {
  readonly blockNumber: number;
  readonly txNumber: number;
}

/** The opaque version string executors see; the rwset carries it as a kvrwset.Version. */
export function formatVersion(height: Height): string {
  return `${height.blockNumber}:${height.txNumber}`;
}

export function parseVersion(version: string): Height {
  const match = /^(\d+):(\d+)$/u.exec(version);
  if (!match) {
    throw new Error(`not a world state version: ${version}`);
  }
  return { blockNumber: Number(match[1]), txNumber: Number(match[2]) };
}

interface Entry {
  readonly value: Uint8Array;
  readonly version: string;
}

/**
 * An immutable world state snapshot. Each committed block yields a new one, so a simulation
 * keeps reading the state it started on, as Fabric's simulator does under its read lock.
 * Sized for tests: a commit copies the map and a range query sorts its keys.
 */
export class WorldState implements VersionedState {
  readonly #entries: ReadonlyMap<string, Entry>;

  constructor(entries: ReadonlyMap<string, Entry> = new Map()) {
    this.#entries = entries;
  }

  get(key: string): Entry | undefined {
    return this.#entries.get(key);
  }

  /** Keys in [start, end) in UTF-8 byte order; an empty start or end is unbounded, as in Fabric's GetStateByRange. */
  *range(
    start: string,
    end: string,
  ): Iterable<{ readonly key: string; readonly value: Uint8Array; readonly version: string }> {
    const from = Buffer.from(start);
    const to = end === '' ? null : Buffer.from(end);
    const keys = [...this.#entries.keys()]
      .map((key) => ({ key, bytes: Buffer.from(key) }))
      .filter(({ bytes }) => Buffer.compare(bytes, from) >= 0 && (to === null || Buffer.compare(bytes, to) < 0))
      .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    for (const { key } of keys) {
      const entry = this.#entries.get(key);
      if (entry) {
        yield { key, value: entry.value, version: entry.version };
      }
    }
  }

  /** The state after applying `writes` of the transaction at `height`. */
  apply(writes: readonly WriteRecord[], height: Height): WorldState {
    const entries = new Map(this.#entries);
    const version = formatVersion(height);
    for (const write of writes) {
      if (write.value === null) {
        entries.delete(write.key);
      } else {
        entries.set(write.key, { value: write.value, version });
      }
    }
    return new WorldState(entries);
  }
}
