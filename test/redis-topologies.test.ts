import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, RESP_TYPES } from 'redis';
import { RedisCacheStore } from '../src/cache/redis-cache-store.js';
import { loadConfig } from '../src/config/config.js';
import { RateLimits } from '../src/server/rate-limits.js';
import { startRedisCluster, startRedisSentinel, type TestRedisTopology } from './support/redis-topologies.js';

const calls = { timeoutMs: 2000, breakerFailures: 5, breakerRetryMs: 2000 };

/** Waits until the store answers: the cluster's or sentinel's discovery runs after `connect`. */
async function answering(health: () => Promise<'ok' | 'degraded'>): Promise<void> {
  for (let i = 0; i < 200 && (await health()) !== 'ok'; i++) await new Promise((r) => setTimeout(r, 50));
}

describe.each([
  ['Redis Cluster', startRedisCluster],
  ['Sentinel', startRedisSentinel],
] as const)('the cache and shared rate limits on a %s (real redis-server processes)', (_name, start) => {
  let redis: TestRedisTopology;
  beforeAll(async () => {
    redis = await start();
  }, 60_000);
  afterAll(async () => {
    await redis.stop();
  });

  it('stores sealed entries through the topology the URL names, on its data node', async () => {
    const topology = loadConfig({ MERIDIAN_REDIS_URL: redis.url }).cache.redis;
    expect(topology?.kind).toBe(redis.url.startsWith('redis+cluster') ? 'cluster' : 'sentinel');
    const store = new RedisCacheStore({ redis: topology!, calls });
    try {
      await answering(() => store.health());
      expect(await store.health()).toBe('ok');
      const value = Buffer.from([0, 1, 2, 250, 255]);
      await store.set('meridian-test:entry', value, 60_000);
      expect(await store.get('meridian-test:entry')).toEqual(value);
      expect(await store.get('meridian-test:absent')).toBeNull();
      // The entry is on the node the cluster or the sentinels point at, not anywhere else.
      const direct = createClient({ url: redis.dataNodeUrl }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
      await direct.connect();
      try {
        expect(await direct.get('meridian-test:entry')).toEqual(value);
      } finally {
        direct.destroy();
      }
    } finally {
      await store.close();
    }
  });

  it('shares rate-limit counts between two gateways on it', async () => {
    const topology = loadConfig({ MERIDIAN_REDIS_URL: redis.url }).cache.redis!;
    const limits = { perAddress: 0, perPrincipal: 2, windowSeconds: 60 };
    const open = (): RateLimits => new RateLimits({ limits, redis: { topology, prefix: 'meridian-test', calls } });
    const [a, b] = [open(), open()];
    try {
      await answering(() => a.health());
      await answering(() => b.health());
      expect(await a.take('principal', 'org/dr-weber')).toEqual({ allowed: true });
      expect(await b.take('principal', 'org/dr-weber')).toEqual({ allowed: true });
      // The third request is over the limit whichever gateway it reaches: the count is in Redis.
      expect(await a.take('principal', 'org/dr-weber')).toMatchObject({ allowed: false });
      expect(await b.take('principal', 'org/someone-else')).toEqual({ allowed: true });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
