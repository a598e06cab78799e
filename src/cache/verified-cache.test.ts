import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CacheStore } from './cache-store.js';
import { MemoryCacheStore } from './memory-cache-store.js';
import { SealedBox } from './sealed-box.js';
import { VerifiedCache, type CacheResult } from './verified-cache.js';

function cacheOver(store: CacheStore, ttlMs = 60_000) {
  const lookups: [string, CacheResult][] = [];
  const cache = new VerifiedCache({
    store,
    box: new SealedBox(randomBytes(32)),
    ttlMs,
    prefix: 'test',
    onLookup: (kind, result) => lookups.push([kind, result]),
  });
  return { cache, lookups };
}

/** A store whose every command fails, as Redis does while it is down. */
class DownStore implements CacheStore {
  readonly kind = 'down';
  get(): Promise<Buffer | null> {
    return Promise.reject(new Error('connection refused'));
  }
  set(): Promise<void> {
    return Promise.reject(new Error('connection refused'));
  }
  health(): Promise<'degraded'> {
    return Promise.resolve('degraded');
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('SealedBox', () => {
  it('opens what it sealed under the same key, and nothing sealed under another key or altered', () => {
    const box = new SealedBox(randomBytes(32));
    const sealed = box.seal(Buffer.from('Hypertension, lisinopril 10 mg'), 'k1');
    expect(sealed.toString('latin1')).not.toContain('lisinopril');
    expect(box.open(sealed, 'k1')?.toString()).toBe('Hypertension, lisinopril 10 mg');
    expect(box.open(sealed, 'k2')).toBeNull();
    expect(new SealedBox(randomBytes(32)).open(sealed, 'k1')).toBeNull();
    const altered = Buffer.from(sealed);
    altered[altered.length - 1]! ^= 1;
    expect(box.open(altered, 'k1')).toBeNull();
  });
});

describe('MemoryCacheStore', () => {
  it('forgets entries after their time to live and the least recently used beyond its size', async () => {
    let now = 0;
    const store = new MemoryCacheStore({ maxEntries: 2, now: () => now });
    await store.set('a', Buffer.from('1'), 100);
    await store.set('b', Buffer.from('2'), 1000);
    expect(await store.get('a')).toEqual(Buffer.from('1'));
    await store.set('c', Buffer.from('3'), 1000); // b is the least recently used now
    expect(await store.get('b')).toBeNull();
    now = 150;
    expect(await store.get('a')).toBeNull();
    expect(await store.get('c')).toEqual(Buffer.from('3'));
  });
});

describe('VerifiedCache', () => {
  it('serves a stored value, with its dates, and loads once for concurrent misses of one key', async () => {
    const { cache, lookups } = cacheOver(new MemoryCacheStore());
    let loads = 0;
    const load = async (): Promise<{ at: Date; n: number }> => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { at: new Date('2026-01-02T03:04:05Z'), n: 7 };
    };
    const first = await Promise.all(Array.from({ length: 10 }, () => cache.through('records', ['p', 1], load)));
    expect(loads).toBe(1);
    expect(first.every((v) => v.n === 7)).toBe(true);
    const again = await cache.through('records', ['p', 1], load);
    expect(again.at).toEqual(new Date('2026-01-02T03:04:05Z'));
    expect(loads).toBe(1);
    expect(lookups.at(-1)).toEqual(['records', 'hit']);
    await cache.through('records', ['p', 2], load);
    expect(loads).toBe(2);
  });

  it('keeps only what `cacheable` approves, and bypasses when told it cannot know', async () => {
    const { cache, lookups } = cacheOver(new MemoryCacheStore());
    let loads = 0;
    const load = (): Promise<string> => Promise.resolve(`v${++loads}`);
    await cache.through('consents', ['p'], load, () => false);
    expect(await cache.through('consents', ['p'], load, () => false)).toBe('v2');
    expect(await cache.through('consents', null, load)).toBe('v3');
    expect(lookups.map(([, r]) => r)).toEqual(['miss', 'miss', 'bypass']);
  });

  it('goes on without the cache when the store fails', async () => {
    const { cache, lookups } = cacheOver(new DownStore());
    expect(await cache.through('policies', [1], () => Promise.resolve('fresh'))).toBe('fresh');
    expect(lookups).toEqual([['policies', 'error']]);
  });

  it('with a time to live of 0 never caches', async () => {
    const { cache, lookups } = cacheOver(new MemoryCacheStore(), 0);
    let loads = 0;
    await cache.through('records', ['p'], () => Promise.resolve(++loads));
    await cache.through('records', ['p'], () => Promise.resolve(++loads));
    expect(loads).toBe(2);
    expect(lookups.map(([, r]) => r)).toEqual(['bypass', 'bypass']);
  });
});

/** A memory store that counts its reads. */
class CountingStore extends MemoryCacheStore {
  gets = 0;
  override get(key: string): Promise<Buffer | null> {
    this.gets++;
    return super.get(key);
  }
}

describe('VerifiedCache decoded tier', () => {
  const box = new SealedBox(randomBytes(32));
  function tiered(store: CacheStore, options: { decodedBytes?: number; now?: () => number } = {}) {
    return new VerifiedCache({ store, box, ttlMs: 1000, prefix: 't', ...options });
  }

  it('answers a repeated lookup from memory, frozen; another gateway reads the shared store', async () => {
    const store = new CountingStore();
    const a = tiered(store);
    const value = await a.through('records', ['p', 1], () => Promise.resolve({ items: [{ code: 'I10' }] }));
    expect(Object.isFrozen(value.items[0])).toBe(true);
    const gets = store.gets;
    expect(await a.through('records', ['p', 1], () => Promise.reject(new Error('not loaded again')))).toBe(value);
    expect(store.gets).toBe(gets);
    const b = tiered(store);
    expect(await b.through('records', ['p', 1], () => Promise.reject(new Error('not loaded again')))).toEqual(value);
    expect(store.gets).toBe(gets + 1);
  });

  it('serves nothing past the entry’s expiry (at most the TTL) and drops an erased patient’s copies', async () => {
    let now = 1_000_000;
    const store = new CountingStore({ now: () => now });
    const cache = tiered(store, { now: () => now });
    let loads = 0;
    const load = (): Promise<number> => Promise.resolve(++loads);
    await cache.through('records', ['p'], load, undefined, 'patient-1');
    now += 899; // the TTL less at most 10% jitter: still current
    expect(await cache.through('records', ['p'], load, undefined, 'patient-1')).toBe(1);
    now += 101; // the TTL itself: gone from memory and from the store
    expect(await cache.through('records', ['p'], load, undefined, 'patient-1')).toBe(2);
    const gets = store.gets;
    cache.forgetPatient('patient-1');
    await cache.through('records', ['p'], load, undefined, 'patient-1');
    expect(store.gets).toBe(gets + 1);
  });

  it('keeps a process-local copy out of the shared store, until its expiry or the patient’s erasure; none with a TTL of 0', async () => {
    let now = 1_000_000;
    const store = new CountingStore({ now: () => now });
    const cache = tiered(store, { now: () => now });
    cache.keepLocal('locations', ['p'], [{ region: 'eu-de', localId: 'x' }], 'patient-1');
    expect(cache.local('locations', ['p'])).toEqual([{ region: 'eu-de', localId: 'x' }]);
    expect(cache.local('locations', ['q'])).toBeUndefined();
    expect(await tiered(store).through('locations', ['p'], () => Promise.resolve('loaded'))).toBe('loaded');
    cache.forgetPatient('patient-1');
    expect(cache.local('locations', ['p'])).toBeUndefined();
    cache.keepLocal('locations', ['p'], ['again']);
    now += 1000;
    expect(cache.local('locations', ['p'])).toBeUndefined();
    const off = new VerifiedCache({ store, box, ttlMs: 0, prefix: 't' });
    off.keepLocal('locations', ['p'], ['kept']);
    expect(off.local('locations', ['p'])).toBeUndefined();
  });

  it('keeps within its byte budget, dropping the least recently used', async () => {
    const store = new CountingStore();
    const cache = tiered(store, { decodedBytes: 2500 });
    const big = (n: number) => () => Promise.resolve('x'.repeat(1000) + String(n));
    await cache.through('records', ['a'], big(1));
    await cache.through('records', ['b'], big(2));
    await cache.through('records', ['a'], big(1)); // a is the most recently used
    await cache.through('records', ['c'], big(3)); // b goes
    const gets = store.gets;
    await cache.through('records', ['a'], big(1));
    expect(store.gets).toBe(gets);
    await cache.through('records', ['b'], big(2));
    expect(store.gets).toBe(gets + 1);
  });
});
