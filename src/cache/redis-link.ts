import { RESP_TYPES, createClient, createCluster, createSentinel } from 'redis';
import type { RedisCallConfig } from '../config/config.js';
import type { RedisAccess, RedisTopology } from '../config/redis-topology.js';

/**
 * What the cache and the rate limits need of Redis, whatever its topology: one server,
 * a Redis Cluster (node-redis routes each key to its slot's master) or a Sentinel-managed
 * master (node-redis follows it across failovers).
 */
export interface RedisLink {
  readonly isReady: boolean;
  readonly isOpen: boolean;
  /** The node-redis client, cluster or sentinel itself: rate-limiter-flexible's `storeClient`. */
  readonly storeClient: unknown;
  get(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer, ttlMs: number): Promise<void>;
  ping(): Promise<void>;
  connect(): Promise<void>;
  close(): Promise<void>;
  destroy(): void;
  onError(listener: (err: Error) => void): void;
  /** Connected (again); for a cluster, once its topology is known. */
  onReady(listener: () => void): void;
}

/** The part of node-redis's three client kinds the link calls: they all have it. */
interface NodeRedis {
  readonly isReady: boolean;
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  on(event: string, listener: (arg: never) => void): unknown;
  get(key: string): Promise<unknown>;
  set(key: string, value: Buffer, options: { expiration: { type: 'PX'; value: number } }): Promise<unknown>;
  ping(): Promise<unknown>;
}

function socketOptions(tls: boolean): { connectTimeout: number; reconnectStrategy: (r: number) => number; tls?: true } {
  return {
    connectTimeout: 1000,
    reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000),
    ...(tls ? { tls: true as const } : {}),
  };
}

function credentials(a: RedisAccess): { username?: string; password?: string } {
  return {
    ...(a.username !== undefined ? { username: a.username } : {}),
    ...(a.password !== undefined ? { password: a.password } : {}),
  };
}

function nodeRedis(topology: RedisTopology, calls: Readonly<RedisCallConfig>, buffers: boolean): NodeRedis {
  // While Redis is away, commands fail at once instead of queueing; the timeout only bounds a
  // command still waiting to be written (the caller's CallGuard bounds the answer).
  const commandOptions = { timeout: calls.timeoutMs };
  const types = { [RESP_TYPES.BLOB_STRING]: Buffer };
  switch (topology.kind) {
    case 'server': {
      const client = createClient({
        url: topology.url,
        disableOfflineQueue: true,
        commandOptions,
        socket: socketOptions(false),
      });
      return (buffers ? client.withTypeMapping(types) : client) as unknown as NodeRedis;
    }
    case 'cluster': {
      const cluster = createCluster({
        rootNodes: topology.nodes.map((n) => ({
          socket: { host: n.host, port: n.port, ...socketOptions(topology.tls) },
        })),
        // Discovered nodes are connected with these, not with the seeds' options.
        defaults: { ...credentials(topology), disableOfflineQueue: true, socket: socketOptions(topology.tls) },
        commandOptions,
      });
      return (buffers ? cluster.withTypeMapping(types) : cluster) as unknown as NodeRedis;
    }
    case 'sentinel': {
      const node = { ...credentials(topology), disableOfflineQueue: true, socket: socketOptions(topology.tls) };
      const sentinel = createSentinel({
        name: topology.masterName,
        sentinelRootNodes: topology.sentinels.map((n) => ({ host: n.host, port: n.port })),
        nodeClientOptions: { ...node, ...(topology.database !== undefined ? { database: topology.database } : {}) },
        sentinelClientOptions: node,
        commandOptions,
      });
      return (buffers ? sentinel.withTypeMapping(types) : sentinel) as unknown as NodeRedis;
    }
  }
}

/**
 * A Redis link of the configured topology, not yet connected. `buffers`: bulk strings come
 * back as Buffers (the sealed cache entries); the rate limiter wants strings.
 */
export function createRedisLink(
  topology: RedisTopology,
  calls: Readonly<RedisCallConfig>,
  options: { readonly buffers?: boolean } = {},
): RedisLink {
  const r = nodeRedis(topology, calls, options.buffers ?? false);
  return {
    get isReady() {
      return r.isReady;
    },
    get isOpen() {
      return r.isOpen;
    },
    storeClient: r,
    get: async (key) => {
      const value = await r.get(key);
      return Buffer.isBuffer(value) ? value : typeof value === 'string' ? Buffer.from(value) : null;
    },
    set: async (key, value, ttlMs) => {
      await r.set(key, value, { expiration: { type: 'PX', value: ttlMs } });
    },
    ping: async () => {
      await r.ping();
    },
    connect: async () => {
      await r.connect();
    },
    close: () => r.close(),
    destroy: () => {
      r.destroy();
    },
    onError: (listener) => {
      r.on('error', listener);
    },
    onReady: (listener) => {
      // A server emits `ready` on every (re)connect; a cluster and a sentinel emit `connect` once discovered.
      r.on(topology.kind === 'server' ? 'ready' : 'connect', listener);
    },
  };
}
