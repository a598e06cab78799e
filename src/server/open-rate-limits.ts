import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { RateLimits } from './rate-limits.js';

/** The gateway's rate limits: shared in Redis when MERIDIAN_REDIS_URL is set, else in this process. */
export function openRateLimits(config: Config, logger: Logger): RateLimits {
  const topology = config.cache.redis;
  let redisDown = false;
  return new RateLimits({
    limits: config.protection.rateLimit,
    ...(topology !== undefined
      ? { redis: { topology, prefix: config.cache.prefix, calls: config.protection.redisCalls } }
      : {}),
    onRedisError: (err) => {
      if (!redisDown) logger.warn({ err: err.message }, 'redis unavailable; rate limits counted per gateway');
      redisDown = true;
    },
    onDegraded: (degraded) => {
      redisDown = degraded;
      if (degraded) logger.warn('redis failed repeatedly or hangs; rate limits counted per gateway until it answers');
      else logger.info('redis answers again; rate limits shared');
    },
  });
}
