import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { traced } from '../tracing/traced.js';
import type { CacheStore } from './cache-store.js';
import type { SealedBox } from './sealed-box.js';

/** What a lookup did: served from the cache, loaded and stored, failed over to a load, or skipped it. */
export type CacheResult = 'hit' | 'miss' | 'error' | 'bypass';

export interface VerifiedCacheOptions {
  readonly store: CacheStore;
  readonly box: SealedBox;
  /** Bounded age of every entry. */
  readonly ttlMs: number;
  /** Namespaces this deployment's keys in a shared Redis. */
  readonly prefix: string;
  readonly onLookup?: (kind: string, result: CacheResult) => void;
  readonly onStoreError?: (err: unknown) => void;
  /**
   * The box of what is cached for one patient (their own key's); null when they have none.
   * Once their key is gone (erasure), nothing cached for them opens again: crypto-shredding.
   */
  readonly patientBox?: (patientId: string) => Promise<SealedBox | null>;
}

/**
 * Verified values (policies, consents, record reads) by key, encrypted at rest. Concurrent
 * misses for one key cost one load (single-flight). Only what `cacheable` approves is kept,
 * so nothing unverified is ever stored; a store that fails is a miss, never an error.
 */
export class VerifiedCache {
  readonly #o: Readonly<VerifiedCacheOptions>;
  readonly #inflight = new Map<string, Promise<unknown>>();

  constructor(options: Readonly<VerifiedCacheOptions>) {
    this.#o = options;
  }

  /**
   * The value under `kind` and `parts`, else `load()`'s (stored when `cacheable`). `parts`
   * null bypasses the cache: the caller cannot tell whether an entry would still be current.
   * An entry about one patient (`patient`) is sealed in that patient's own box.
   */
  async through<T>(
    kind: string,
    parts: readonly (string | number)[] | null,
    load: () => Promise<T>,
    cacheable: (value: T) => boolean = () => true,
    patient?: string,
  ): Promise<T> {
    if (parts === null || this.#o.ttlMs === 0) {
      this.#o.onLookup?.(kind, 'bypass');
      return load();
    }
    const key = this.#key(kind, parts);
    const pending = this.#inflight.get(key) as Promise<T> | undefined;
    if (pending !== undefined) return pending;
    const lookup = traced('cache lookup', { 'meridian.cache.kind': kind }, (span) =>
      this.#lookup(kind, key, load, cacheable, patient, (result) =>
        span?.setAttribute('meridian.cache.result', result),
      ),
    ).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, lookup);
    return lookup;
  }

  async #lookup<T>(
    kind: string,
    key: string,
    load: () => Promise<T>,
    cacheable: (value: T) => boolean,
    patient: string | undefined,
    found: (result: CacheResult) => void,
  ): Promise<T> {
    let failed = false;
    let box = this.#o.box;
    try {
      if (patient !== undefined) box = (await this.#o.patientBox?.(patient)) ?? box;
      const sealed = await this.#o.store.get(key);
      const plain = sealed && box.open(sealed, key);
      if (plain) {
        found('hit');
        this.#o.onLookup?.(kind, 'hit');
        return deserialize(plain) as T;
      }
    } catch (err) {
      failed = true;
      this.#o.onStoreError?.(err);
    }
    found(failed ? 'error' : 'miss');
    this.#o.onLookup?.(kind, failed ? 'error' : 'miss');
    const value = await load();
    if (!failed && cacheable(value)) {
      const sealed = box.seal(serialize(value), key);
      await this.#o.store.set(key, sealed, this.#o.ttlMs).catch((err: unknown) => this.#o.onStoreError?.(err));
    }
    return value;
  }

  /** Hashed: what a key names stays out of a key dump too. */
  #key(kind: string, parts: readonly (string | number)[]): string {
    const digest = createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
    return `${this.#o.prefix}:v1:${kind}:${digest}`;
  }
}
