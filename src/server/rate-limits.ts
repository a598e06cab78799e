import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { CallGuard } from '../cache/call-guard.js';
import { createRedisLink, type RedisLink } from '../cache/redis-link.js';
import type { RateLimitConfig, RedisCallConfig } from '../config/config.js';
import type { RedisTopology } from '../config/redis-topology.js';

/** Whose requests a limit counts: the TCP peer's address, or the authenticated principal. */
export type RateLimitKind = 'address' | 'principal';

/** Whether one more request of a client is allowed now, and if not, when it will be. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface RateLimitsOptions {
  readonly limits: Readonly<RateLimitConfig>;
  /** Shared counters across gateways; without it each gateway counts on its own. */
  readonly redis?: {
    readonly topology: RedisTopology;
    readonly prefix: string;
    readonly calls: Readonly<RedisCallConfig>;
  };
  readonly onRedisError?: (err: Error) => void;
  readonly onDegraded?: (degraded: boolean) => void;
}

const ALLOWED: RateDecision = { allowed: true };

/** A fixed-window counter per client: in memory, and in Redis when configured. */
interface KindLimiter {
  readonly memory: RateLimiterMemory;
  readonly redis: RateLimiterRedis | undefined;
}

function denied(res: RateLimiterRes): RateDecision {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
}

/**
 * Per-address and per-principal request limits (rate-limiter-flexible). With Redis the
 * counters are shared by every gateway on it; each Redis call is bounded by a
 * {@link CallGuard}, and while Redis fails or hangs each gateway counts in memory instead
 * (a degraded limit, never a stalled or refused request). Client keys are hashed, so a
 * Redis dump shows no address or subject.
 */
export class RateLimits {
  readonly #kinds: Readonly<Record<RateLimitKind, KindLimiter | null>>;
  readonly #client: RedisLink | undefined;
  readonly #guard: CallGuard | undefined;

  constructor(options: Readonly<RateLimitsOptions>) {
    const { redis } = options;
    if (redis !== undefined) {
      this.#client = createRedisLink(redis.topology, redis.calls);
      this.#client.onError((err) => options.onRedisError?.(err));
      this.#client.connect().catch((err: unknown) => options.onRedisError?.(err as Error));
      this.#guard = new CallGuard({
        ...redis.calls,
        onOpen: () => options.onDegraded?.(true),
        onClose: () => options.onDegraded?.(false),
      });
    }
    const limiter = (kind: RateLimitKind, points: number): KindLimiter | null => {
      if (points === 0) return null;
      const duration = options.limits.windowSeconds;
      return {
        memory: new RateLimiterMemory({ points, duration, keyPrefix: `rl-${kind}` }),
        redis:
          this.#client && redis
            ? new RateLimiterRedis({
                storeClient: this.#client.storeClient,
                useRedisPackage: true,
                rejectIfRedisNotReady: true,
                points,
                duration,
                keyPrefix: `${redis.prefix}:rl:${kind}`,
                // A client over its limit is refused from memory for the rest of the window: a flood costs Redis nothing.
                inMemoryBlockOnConsumed: points + 1,
                inMemoryBlockDuration: duration,
              })
            : undefined,
      };
    };
    this.#kinds = {
      address: limiter('address', options.limits.perAddress),
      principal: limiter('principal', options.limits.perPrincipal),
    };
  }

  /** Counts one request of `client`; a disabled limit (0) always allows. */
  async take(kind: RateLimitKind, client: string): Promise<RateDecision> {
    const limiter = this.#kinds[kind];
    if (limiter === null) return ALLOWED;
    const key = createHash('sha256').update(client).digest('base64url').slice(0, 22);
    if (limiter.redis !== undefined && this.#guard !== undefined) {
      const shared = limiter.redis;
      try {
        // A refusal is an answer, not a Redis failure: it must not count towards the breaker.
        return await this.#guard.run(() => shared.consume(key).then(() => ALLOWED, refusalOrThrow));
      } catch {
        // Redis failed, hung or is bypassed: count here.
      }
    }
    return limiter.memory.consume(key).then(() => ALLOWED, refusalOrThrow);
  }

  /** For `/readyz`: `degraded` while Redis-backed counters are bypassed; in memory only, always `ok`. */
  async health(): Promise<'ok' | 'degraded'> {
    const client = this.#client;
    if (client === undefined || this.#guard === undefined) return 'ok';
    try {
      await this.#guard.run(async () => {
        if (!client.isReady) throw new Error('redis is not connected');
        await client.ping();
      });
      return 'ok';
    } catch {
      return 'degraded';
    }
  }

  async close(): Promise<void> {
    const client = this.#client;
    if (client === undefined) return;
    if (!client.isOpen || this.#guard === undefined) {
      client.destroy();
      return;
    }
    // A graceful close waits for every pending reply, forever on a hung server.
    await this.#guard
      .run(() => client.close())
      .catch(() => {
        client.destroy();
      });
  }
}

function refusalOrThrow(err: unknown): RateDecision {
  if (err instanceof RateLimiterRes) return denied(err);
  throw err;
}
