/** One decoded entry: the value as loaded, frozen, and until when it may be served. */
interface Entry {
  readonly value: unknown;
  readonly expiresAt: number;
  /** Its serialized size: what the tier's budget counts. */
  readonly bytes: number;
  readonly patient: string | undefined;
}

export interface DecodedTierOptions {
  /** Serialized bytes the tier holds at most; the least recently used entries go first. */
  readonly maxBytes: number;
  readonly now?: () => number;
}

/**
 * This process's decoded copies of verified cache entries, under the same keys (so the same
 * epochs) as the shared store: a hit costs no round trip, no decryption and no
 * deserialization. Values are deep-frozen, since every hit hands out the same object.
 * Bounded by size and by each entry's expiry (the shared entry's own).
 */
export class DecodedTier {
  readonly #o: Readonly<DecodedTierOptions>;
  readonly #entries = new Map<string, Entry>();
  readonly #byPatient = new Map<string, Set<string>>();
  #bytes = 0;

  constructor(options: Readonly<DecodedTierOptions>) {
    this.#o = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value under `key` while it has not expired; undefined otherwise. */
  get(key: string): unknown {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#drop(key, entry);
      return undefined;
    }
    // Most recently used last: eviction takes from the front.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` (frozen here) until `expiresAt`; an entry larger than the whole budget is not kept. */
  set(key: string, value: unknown, bytes: number, expiresAt: number, patient?: string): void {
    const old = this.#entries.get(key);
    if (old !== undefined) this.#drop(key, old);
    if (bytes > this.#o.maxBytes || expiresAt <= this.#now()) return;
    this.#entries.set(key, { value: deepFreeze(value), expiresAt, bytes, patient });
    this.#bytes += bytes;
    if (patient !== undefined) {
      let keys = this.#byPatient.get(patient);
      if (keys === undefined) this.#byPatient.set(patient, (keys = new Set()));
      keys.add(key);
    }
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.#o.maxBytes) break;
      this.#drop(oldest, entry);
    }
  }

  /** Drops every entry about the patient (their erasure): nothing decoded of theirs stays in memory. */
  forgetPatient(patient: string): void {
    for (const key of this.#byPatient.get(patient) ?? []) {
      const entry = this.#entries.get(key);
      if (entry !== undefined) this.#drop(key, entry);
    }
    this.#byPatient.delete(patient);
  }

  #drop(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    if (entry.patient === undefined) return;
    const keys = this.#byPatient.get(entry.patient);
    keys?.delete(key);
    if (keys?.size === 0) this.#byPatient.delete(entry.patient);
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }
}

function deepFreeze<T>(value: T): T {
  // A typed array's elements cannot be frozen (and nothing cached here is one).
  if (typeof value !== 'object' || value === null || Object.isFrozen(value) || ArrayBuffer.isView(value)) {
    return value;
  }
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}
