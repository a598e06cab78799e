import { hash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { traced } from '../tracing/traced.js';
import type { CacheStore } from './cache-store.js';
import { DecodedTier } from './decoded-tier.js';
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
  /** Serialized bytes of decoded entries this process keeps in front of the store; 0: none. Default 64 MiB. */
  readonly decodedBytes?: number;
  /** Fraction of the TTL an entry's life is shortened by at random, so entries stored together do not expire together. Default 0.1. */
  readonly ttlJitter?: number;
  readonly now?: () => number;
}

/** What is sealed under a key: until when the entry may be served (ms since the epoch), and the value. */
type Stored = readonly [expiresAt: number, value: unknown];

/**
 * Verified values (policies, consents, record reads) by key, encrypted at rest. Concurrent
 * misses for one key cost one load (single-flight). Only what `cacheable` approves is kept,
 * so nothing unverified is ever stored; a store that fails is a miss, never an error.
 */
export class VerifiedCache {
  readonly #o: Readonly<VerifiedCacheOptions>;
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #decoded: DecodedTier | null;

  constructor(options: Readonly<VerifiedCacheOptions>) {
    this.#o = options;
    const maxBytes = options.decodedBytes ?? 64 * 1024 * 1024;
    this.#decoded = maxBytes > 0 ? new DecodedTier({ maxBytes, ...(options.now ? { now: options.now } : {}) }) : null;
  }

  /** Drops what this process holds decoded for the patient (their erasure). */
  forgetPatient(patientId: string): void {
    this.#decoded?.forgetPatient(patientId);
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
    const decoded = this.#decoded?.get(key);
    if (decoded !== undefined) {
      this.#o.onLookup?.(kind, 'hit');
      return decoded as T;
    }
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
    let box = this.#o.box;
    let failed = false;
    try {
      if (patient !== undefined) box = (await this.#o.patientBox?.(patient)) ?? box;
      const stored = await this.#fromStore(key, box);
      if (stored !== null) {
        found('hit');
        this.#o.onLookup?.(kind, 'hit');
        this.#decoded?.set(key, stored.value, stored.bytes, stored.expiresAt, patient);
        return stored.value as T;
      }
    } catch (err) {
      failed = true;
      this.#o.onStoreError?.(err);
    }
    found(failed ? 'error' : 'miss');
    this.#o.onLookup?.(kind, failed ? 'error' : 'miss');
    const value = await load();
    if (!failed && cacheable(value)) await this.#keep(key, box, value, patient);
    return value;
  }

  /** The current entry under `key` in the shared store, opened; null when there is none. */
  async #fromStore(key: string, box: SealedBox): Promise<{ value: unknown; expiresAt: number; bytes: number } | null> {
    const sealed = await this.#o.store.get(key);
    const plain = sealed && box.open(sealed, key);
    if (!plain) return null;
    const [expiresAt, value] = deserialize(plain) as Stored;
    return expiresAt > this.#now() ? { value, expiresAt, bytes: plain.length } : null;
  }

  /** Stores a loaded value, sealed, for the TTL less a random part of it; and keeps it decoded here. */
  async #keep(key: string, box: SealedBox, value: unknown, patient: string | undefined): Promise<void> {
    const ttlMs = this.#ttl();
    const expiresAt = this.#now() + ttlMs;
    const plain = serialize([expiresAt, value] satisfies Stored);
    await this.#o.store.set(key, box.seal(plain, key), ttlMs).catch((err: unknown) => this.#o.onStoreError?.(err));
    this.#decoded?.set(key, value, plain.length, expiresAt, patient);
  }

  /**
   * This process's own copy under `kind` and `parts` (kept by `keepLocal`, never in the shared
   * store); undefined when there is none or the cache is off. For what every use checks against
   * the ledger again, so a copy that no longer matches costs a re-read, never a wrong answer.
   */
  local(kind: string, parts: readonly (string | number)[]): unknown {
    if (this.#o.ttlMs === 0) return undefined;
    return this.#decoded?.get(this.#key(kind, parts));
  }

  /** Keeps `value` in this process only, for the TTL less a random part of it (frozen, as every decoded entry). */
  keepLocal(kind: string, parts: readonly (string | number)[], value: unknown, patient?: string): void {
    if (this.#o.ttlMs === 0 || this.#decoded === null) return;
    const bytes = JSON.stringify(value).length;
    this.#decoded.set(this.#key(kind, parts), value, bytes, this.#now() + this.#ttl(), patient);
  }

  /** The TTL less up to `ttlJitter` of it, at random, so entries stored together do not expire together. */
  #ttl(): number {
    return Math.max(1, Math.round(this.#o.ttlMs * (1 - (this.#o.ttlJitter ?? 0.1) * Math.random())));
  }

  /** Hashed: what a key names stays out of a key dump too. */
  #key(kind: string, parts: readonly (string | number)[]): string {
    const digest = hash('sha256', JSON.stringify(parts), 'base64url');
    return `${this.#o.prefix}:v2:${kind}:${digest}`;
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }
}
