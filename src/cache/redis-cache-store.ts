import { RESP_TYPES, createClient } from 'redis';
import type { CacheStore } from './cache-store.js';

export interface RedisCacheStoreOptions {
  readonly url: string;
  /** A command that takes longer fails (the caller goes on without the cache). */
  readonly commandTimeoutMs?: number;
  /** Connection problems, for the log; the client keeps reconnecting on its own. */
  readonly onError?: (err: Error) => void;
  readonly onReady?: () => void;
}

// The client type is what node-redis infers for these options; spelled out it is unreadable.
// eslint-disable-next-line @typescript-eslint/explicit-function-return-type
function createBufferClient(options: Readonly<RedisCacheStoreOptions>) {
  return createClient({
    url: options.url,
    // While Redis is away, commands fail at once instead of queueing: requests go on without the cache.
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs ?? 250 },
    socket: {
      connectTimeout: 1000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000),
    },
  }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
}

/**
 * The cache in Redis (node-redis). Never the source of truth: when Redis is down, slow or
 * restarting, `get` and `set` fail fast and the caller reads without the cache; the client
 * reconnects in the background and the cache is used again once it is back.
 */
export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis';
  readonly #client: ReturnType<typeof createBufferClient>;

  constructor(options: Readonly<RedisCacheStoreOptions>) {
    this.#client = createBufferClient(options);
    this.#client.on('error', (err: Error) => options.onError?.(err));
    this.#client.on('ready', () => options.onReady?.());
    // Not awaited: a gateway starts (and serves, uncached) while Redis is down.
    this.#client.connect().catch((err: unknown) => options.onError?.(err as Error));
  }

  /** Whether commands can be sent now. */
  get ready(): boolean {
    return this.#client.isReady;
  }

  async get(key: string): Promise<Buffer | null> {
    if (!this.#client.isReady) throw new Error('redis is not connected');
    return (await this.#client.get(key)) ?? null;
  }

  async set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    if (!this.#client.isReady) throw new Error('redis is not connected');
    await this.#client.set(key, value, { expiration: { type: 'PX', value: ttlMs } });
  }

  async close(): Promise<void> {
    if (this.#client.isOpen) await this.#client.close().catch(() => undefined);
    else this.#client.destroy();
  }
}
