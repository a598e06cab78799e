import type { VersionedState, WriteRecord } from './chaincode-executor.js';

interface Entry {
  readonly value: Uint8Array;
  readonly version: string;
}

/** One key of world state with its value and the version (height) that wrote it. */
export interface KeyValue {
  readonly key: string;
  readonly value: Uint8Array;
  readonly version: string;
}

interface SortedKey {
  readonly key: string;
  readonly bytes: Buffer;
}

/** A consistent view of committed state that later commits do not change; release it when done. */
export interface StateSnapshot extends VersionedState {
  release(): void;
}

/**
 * The embedded ledger's committed world state, in memory, rebuilt from the transaction log
 * at open. Keys are kept in UTF-8 byte order, the order Fabric's range queries use.
 */
export class WorldState implements VersionedState {
  readonly #entries = new Map<string, Entry>();
  readonly #sorted: SortedKey[] = [];
  readonly #snapshots = new Set<Snapshot>();

  get size(): number {
    return this.#entries.size;
  }

  /**
   * A world state holding exactly `entries` (a state snapshot's), sorted once rather than
   * inserted one by one (entries already in byte order, as `entries()` yields them, are not
   * sorted again). Throws on a key given twice.
   */
  static restore(entries: Iterable<KeyValue>): WorldState {
    const state = new WorldState();
    const sorted = state.#sorted;
    let inOrder = true;
    for (const { key, value, version } of entries) {
      if (state.#entries.has(key)) throw new Error(`key ${JSON.stringify(key)} is given twice`);
      state.#entries.set(key, { value, version });
      const bytes = Buffer.from(key);
      const previous = sorted[sorted.length - 1];
      if (previous !== undefined && Buffer.compare(previous.bytes, bytes) > 0) inOrder = false;
      sorted.push({ key, bytes });
    }
    if (!inOrder) sorted.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    return state;
  }

  /** Every key, in byte order. */
  *entries(): IterableIterator<KeyValue> {
    for (const { key } of this.#sorted) {
      const entry = this.#entries.get(key);
      if (entry) yield { key, value: entry.value, version: entry.version };
    }
  }

  get(key: string): Entry | undefined {
    return this.#entries.get(key);
  }

  /** Keys in [start, end) in byte order; an empty `end` is unbounded, as in Fabric's GetStateByRange. */
  range(start: string, end: string): KeyValue[] {
    const to = end === '' ? null : Buffer.from(end);
    const out: KeyValue[] = [];
    for (let i = this.#lowerBound(Buffer.from(start)); i < this.#sorted.length; i++) {
      const sorted = this.#sorted[i];
      if (sorted === undefined || (to !== null && Buffer.compare(sorted.bytes, to) >= 0)) break;
      const entry = this.#entries.get(sorted.key);
      if (entry) out.push({ key: sorted.key, value: entry.value, version: entry.version });
    }
    return out;
  }

  /** Applies one committed transaction's writes; `version` is its height, e.g. `7:0`. */
  apply(writes: readonly WriteRecord[], version: string): void {
    for (const write of writes) {
      const before = this.#entries.get(write.key);
      for (const snapshot of this.#snapshots) snapshot.keep(write.key, before);
      if (write.value === null) {
        if (before !== undefined) this.#removeKey(write.key);
      } else {
        if (before === undefined) this.#insertKey(write.key);
        this.#entries.set(write.key, { value: Uint8Array.from(write.value), version });
      }
    }
  }

  /**
   * A read view fixed at the current state. Commits made while it is open record what they
   * overwrite in it, so a simulation spanning a commit still reads one consistent state.
   */
  snapshot(): StateSnapshot {
    const snapshot = new Snapshot(this, () => this.#snapshots.delete(snapshot));
    this.#snapshots.add(snapshot);
    return snapshot;
  }

  #lowerBound(bytes: Buffer): number {
    let low = 0;
    let high = this.#sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const probe = this.#sorted[mid];
      if (probe !== undefined && Buffer.compare(probe.bytes, bytes) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #insertKey(key: string): void {
    const bytes = Buffer.from(key);
    this.#sorted.splice(this.#lowerBound(bytes), 0, { key, bytes });
  }

  #removeKey(key: string): void {
    this.#entries.delete(key);
    this.#sorted.splice(this.#lowerBound(Buffer.from(key)), 1);
  }
}

class Snapshot implements StateSnapshot {
  readonly #state: WorldState;
  readonly #release: () => void;
  /** Values as they were when the snapshot was taken, for keys committed since (undefined: absent then). */
  readonly #before = new Map<string, Entry | undefined>();

  constructor(state: WorldState, release: () => void) {
    this.#state = state;
    this.#release = release;
  }

  keep(key: string, entry: Entry | undefined): void {
    if (!this.#before.has(key)) this.#before.set(key, entry);
  }

  get(key: string): Entry | undefined {
    return this.#before.has(key) ? this.#before.get(key) : this.#state.get(key);
  }

  range(start: string, end: string): KeyValue[] {
    const current = this.#state.range(start, end);
    if (this.#before.size === 0) return current;
    const from = Buffer.from(start);
    const to = end === '' ? null : Buffer.from(end);
    const merged = new Map(current.map((kv) => [kv.key, kv]));
    for (const [key, entry] of this.#before) {
      const bytes = Buffer.from(key);
      if (Buffer.compare(bytes, from) < 0 || (to !== null && Buffer.compare(bytes, to) >= 0)) continue;
      if (entry === undefined) merged.delete(key);
      else merged.set(key, { key, value: entry.value, version: entry.version });
    }
    return [...merged.values()].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  release(): void {
    this.#release();
  }
}
