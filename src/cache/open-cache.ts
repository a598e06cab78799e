import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkpointers } from '@hyperledger/fabric-gateway';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { LedgerClient } from '../ledger/ledger-client.js';
import type { Ledger, LedgerActor } from '../ledger/ledger.js';
import type { CacheStore } from './cache-store.js';
import { LedgerEpochs } from './ledger-epochs.js';
import { MemoryCacheStore } from './memory-cache-store.js';
import { RedisCacheStore } from './redis-cache-store.js';
import { SealedBox } from './sealed-box.js';
import { VerifiedCache, type CacheResult } from './verified-cache.js';

/** The verified-lookup cache of one gateway, and the epochs its keys carry. */
export interface GatewayCache {
  readonly cache: VerifiedCache;
  readonly epochs: LedgerEpochs;
  readonly store: CacheStore;
  /** Opens the ledger event stream; `port` names this gateway's checkpoint in the data folder. */
  start(port: number): Promise<void>;
  close(): Promise<void>;
}

export interface OpenCacheOptions {
  readonly config: Config;
  readonly ledger: Ledger;
  readonly client: LedgerClient;
  readonly actor: LedgerActor;
  readonly logger: Logger;
  readonly onLookup?: (kind: string, result: CacheResult) => void;
  /** The box of what is cached for one patient, under their own key. */
  readonly patientBox?: (patientId: string) => Promise<SealedBox | null>;
}

/** The key cached content is sealed with: configured, or (development and test) kept in the data folder. */
async function cacheKey(config: Config): Promise<Buffer> {
  if (config.cache.key !== undefined) return Buffer.from(config.cache.key, 'base64');
  const file = path.join(config.dataDir, 'cache.key');
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  } catch {
    const key = randomBytes(32);
    await mkdir(config.dataDir, { recursive: true });
    // `wx`: two gateways sharing the folder must agree on one key; the loser reads the winner's.
    await writeFile(file, key.toString('base64'), { mode: 0o600, flag: 'wx' }).catch(() => undefined);
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  }
}

/** Redis when MERIDIAN_REDIS_URL is set, else in-process; either way sealed with AES-256-GCM. */
export async function openCache(o: Readonly<OpenCacheOptions>): Promise<GatewayCache> {
  const { config, logger } = o;
  let redisDown = false;
  const store: CacheStore =
    config.cache.redis !== undefined
      ? new RedisCacheStore({
          redis: config.cache.redis,
          calls: config.protection.redisCalls,
          onDegraded: (degraded) => {
            if (degraded) logger.warn('redis failed repeatedly or hangs; cache bypassed until a probe succeeds');
            else logger.info('redis answers again; cache in use');
          },
          onError: (err) => {
            if (!redisDown) logger.warn({ err: err.message }, 'redis unavailable; serving without the cache');
            redisDown = true;
          },
          onReady: () => {
            if (redisDown) logger.info('redis is back; cache in use again');
            redisDown = false;
          },
        })
      : new MemoryCacheStore();
  const cache = new VerifiedCache({
    store,
    box: new SealedBox(await cacheKey(config)),
    ttlMs: config.cache.ttlMs,
    decodedBytes: config.cache.decodedBytes,
    prefix: config.cache.prefix,
    ...(o.onLookup ? { onLookup: o.onLookup } : {}),
    ...(o.patientBox ? { patientBox: o.patientBox } : {}),
  });
  let checkpointFile = '';
  const epochs = new LedgerEpochs({
    client: o.client,
    ledger: o.ledger,
    actor: o.actor,
    checkpointer: () => checkpointers.file(checkpointFile),
    onStreamError: (err, retryInMs) => {
      logger.warn(
        { err: err instanceof Error ? err.message : String(err), retryInMs },
        'ledger event stream lost; consent-dependent cache entries are not served until it is back',
      );
    },
  });
  return {
    cache,
    epochs,
    store,
    start: async (port) => {
      checkpointFile = path.join(config.dataDir, `events-${port}.checkpoint`);
      await epochs.start();
    },
    close: async () => {
      await epochs.close();
      await store.close();
    },
  };
}
