/** Whether a cache store is in use (`ok`) or bypassed (`degraded`). */
export type CacheHealth = 'ok' | 'degraded';

/** Where cached entries live: Redis, or this process. Values are opaque (already sealed). */
export interface CacheStore {
  /** `redis` or `memory`, for logs and metrics. */
  readonly kind: string;
  /** Null on a miss. @throws when the store cannot answer (the caller treats it as a miss). */
  get(key: string): Promise<Buffer | null>;
  /** Keeps the value for `ttlMs` at most. @throws when the store cannot take it. */
  set(key: string, value: Buffer, ttlMs: number): Promise<void>;
  /**
   * For `/readyz`: `degraded` while the store cannot be used (requests go on without it).
   * Bounded like every other call: never waits on a hung server.
   */
  health(): Promise<CacheHealth>;
  close(): Promise<void>;
}
