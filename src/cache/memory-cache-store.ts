import type { CacheHealth, CacheStore } from './cache-store.js';

export interface MemoryCacheStoreOptions {
  /** Most entries kept; the least recently used go first. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** The embedded default: an in-process LRU with per-entry expiry, behind the same interface as Redis. */
export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory';
  readonly #entries = new Map<string, { value: Buffer; expiresAt: number }>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: Readonly<MemoryCacheStoreOptions> = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  get(key: string): Promise<Buffer | null> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return Promise.resolve(null);
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#now()) return Promise.resolve(null);
    this.#entries.set(key, entry);
    return Promise.resolve(entry.value);
  }

  set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    return Promise.resolve();
  }

  health(): Promise<CacheHealth> {
    return Promise.resolve('ok');
  }

  close(): Promise<void> {
    this.#entries.clear();
    return Promise.resolve();
  }
}
