import type { RedisCallConfig } from '../config/config.js';
import type { RedisTopology } from '../config/redis-topology.js';
import type { CacheHealth, CacheStore } from './cache-store.js';
import { CallGuard } from './call-guard.js';
import { createRedisLink, type RedisLink } from './redis-link.js';

export interface RedisCacheStoreOptions {
  /** One server, a Redis Cluster or a Sentinel-managed master (`MERIDIAN_REDIS_URL`). */
  readonly redis: RedisTopology;
  /** Every command's deadline and the circuit breaker around them. */
  readonly calls: Readonly<RedisCallConfig>;
  /** Connection problems, for the log; the client keeps reconnecting on its own. */
  readonly onError?: (err: Error) => void;
  readonly onReady?: () => void;
  /** The breaker opened (Redis failed or hung repeatedly) or closed again. */
  readonly onDegraded?: (degraded: boolean) => void;
}

/**
 * The cache in Redis (node-redis). Never the source of truth: when Redis is down, slow,
 * hung or restarting, `get` and `set` fail within the deadline (at once while the breaker
 * is open) and the caller reads without the cache; the client reconnects in the
 * background and the breaker's probe picks the cache up again once it answers.
 */
export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis';
  readonly #client: RedisLink;
  readonly #guard: CallGuard;

  constructor(options: Readonly<RedisCacheStoreOptions>) {
    this.#client = createRedisLink(options.redis, options.calls, { buffers: true });
    this.#guard = new CallGuard({
      ...options.calls,
      onOpen: () => options.onDegraded?.(true),
      onClose: () => options.onDegraded?.(false),
    });
    this.#client.onError((err) => options.onError?.(err));
    this.#client.onReady(() => options.onReady?.());
    // Not awaited: a gateway starts (and serves, uncached) while Redis is down.
    this.#client.connect().catch((err: unknown) => options.onError?.(err as Error));
  }

  /** Whether commands can be sent now. */
  get ready(): boolean {
    return this.#client.isReady;
  }

  get(key: string): Promise<Buffer | null> {
    return this.#guard.run(async () => {
      this.#requireReady();
      return this.#client.get(key);
    });
  }

  set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    return this.#guard.run(async () => {
      this.#requireReady();
      await this.#client.set(key, value, ttlMs);
    });
  }

  /** Pings through the guard, so a readiness check is also the breaker's probe. */
  async health(): Promise<CacheHealth> {
    try {
      await this.#guard.run(async () => {
        this.#requireReady();
        await this.#client.ping();
      });
      return 'ok';
    } catch {
      return 'degraded';
    }
  }

  async close(): Promise<void> {
    if (!this.#client.isOpen) {
      this.#client.destroy();
      return;
    }
    // A graceful close waits for every pending reply, forever on a hung server.
    await this.#guard
      .run(() => this.#client.close())
      .catch(() => {
        this.#client.destroy();
      });
  }

  #requireReady(): void {
    if (!this.#client.isReady) throw new Error('redis is not connected');
  }
}
