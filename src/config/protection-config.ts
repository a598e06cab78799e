import { z } from 'zod';

/**
 * Requests per client in a fixed window. 0 turns a limit off. The address is the TCP
 * peer's; the principal is the token's organisation and subject.
 */
export interface RateLimitConfig {
  readonly perAddress: number;
  readonly perPrincipal: number;
  readonly windowSeconds: number;
}

/**
 * How every Redis call (cache and rate limits) is bounded: a deadline per call that wins
 * the race against a hung server, and a circuit breaker that stops calling after
 * `breakerFailures` failures in a row and lets one call probe again after `breakerRetryMs`.
 */
export interface RedisCallConfig {
  readonly timeoutMs: number;
  readonly breakerFailures: number;
  readonly breakerRetryMs: number;
}

/** What protects the gateway from its clients and from a stalled Redis. */
export interface ProtectionConfig {
  readonly rateLimit: RateLimitConfig;
  readonly redisCalls: RedisCallConfig;
  /** How far a token's `iat` (and `exp`, `nbf`) may be off the gateway's clock. */
  readonly tokenClockSkewSeconds: number;
}

// eslint-disable-next-line @typescript-eslint/explicit-function-return-type -- zod's inferred type is the point
const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

/** The variables of {@link ProtectionConfig}, for the environment schema. */
export const protectionEnvShape = {
  MERIDIAN_RATE_LIMIT_PER_ADDRESS: int(1200, 0, 10_000_000),
  MERIDIAN_RATE_LIMIT_PER_PRINCIPAL: int(600, 0, 10_000_000),
  MERIDIAN_RATE_LIMIT_WINDOW_S: int(60, 1, 86_400),
  MERIDIAN_REDIS_TIMEOUT_MS: int(200, 10, 10_000),
  MERIDIAN_REDIS_BREAKER_FAILURES: int(5, 1, 1000),
  MERIDIAN_REDIS_BREAKER_RETRY_MS: int(2000, 100, 600_000),
  MERIDIAN_TOKEN_CLOCK_SKEW_S: int(60, 0, 600),
};

type ProtectionEnv = z.infer<z.ZodObject<typeof protectionEnvShape>>;

/** The frozen protection settings from parsed variables. */
export function protectionConfig(e: ProtectionEnv): ProtectionConfig {
  return Object.freeze({
    rateLimit: Object.freeze({
      perAddress: e.MERIDIAN_RATE_LIMIT_PER_ADDRESS,
      perPrincipal: e.MERIDIAN_RATE_LIMIT_PER_PRINCIPAL,
      windowSeconds: e.MERIDIAN_RATE_LIMIT_WINDOW_S,
    }),
    redisCalls: Object.freeze({
      timeoutMs: e.MERIDIAN_REDIS_TIMEOUT_MS,
      breakerFailures: e.MERIDIAN_REDIS_BREAKER_FAILURES,
      breakerRetryMs: e.MERIDIAN_REDIS_BREAKER_RETRY_MS,
    }),
    tokenClockSkewSeconds: e.MERIDIAN_TOKEN_CLOCK_SKEW_S,
  });
}
