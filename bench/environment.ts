import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { ensureDevKeys } from '../src/auth/dev-keys.js';
import { mintPersonaToken } from '../src/auth/persona-token.js';
import { defaultDeps, withRecordAnchorer, withStores } from '../src/cli/cli-deps.js';
import { loadConfig, type Config } from '../src/config/config.js';
import { regionUrlVariable } from '../src/config/regions.js';
import { demoOrganisations, hospitalOf, patientPersona, staffPersonas } from '../src/demo/organisations.js';
import { seedDemo } from '../src/demo/seed.js';
import { createTestDatabase } from '../test/support/postgres.js';

export const REGIONS = 'eu-de=DE,eu-fr=FR,us-ma=US-MA';
export const REDIS_URL = process.env.MERIDIAN_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The clinician every summary is read as: Charité Berlin (DE). */
export const CLINICIAN = 'dr-weber';

/** Things to undo at the end, last first; each runs even when an earlier one fails. */
export class Cleanup {
  readonly #steps: { what: string; run: () => Promise<unknown> }[] = [];

  add(what: string, run: () => Promise<unknown>): void {
    this.#steps.push({ what, run });
  }

  /** Undoes every step, newest first; with BENCH_KEEP=1 keeps everything for inspection and says what. */
  async run(): Promise<void> {
    if (process.env.BENCH_KEEP === '1') {
      for (const step of this.#steps.splice(0)) console.error(`bench: BENCH_KEEP=1, kept ${step.what}`);
      return;
    }
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (err) {
        console.error(`bench: cleanup "${step.what}" failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

export interface BenchPatient {
  readonly globalId: string;
  readonly regions: readonly string[];
  /** The patient's own bearer token (grants and revokes consents). */
  readonly token: string;
}

/** The databases, data folder and Redis key prefix of one bench run, and what every gateway's environment shares. */
export interface BenchEnvironment {
  readonly dataDir: string;
  readonly redisPrefix: string;
  /** Environment of a Meridian gateway; `cached` adds the Redis cache settings, otherwise the cache is off. */
  gatewayEnv(cached: boolean): Record<string, string>;
  config(cached: boolean): Config;
  clinicianToken(): Promise<string>;
  patientToken(globalId: string, regions: readonly string[]): Promise<string>;
}

/**
 * Fresh databases on the machine's PostgreSQL (control plane and one per region, dropped at
 * cleanup), a temporary data folder with the development keys, and a Redis prefix of its own.
 */
export async function createEnvironment(cleanup: Cleanup): Promise<BenchEnvironment> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'meridian-bench-'));
  cleanup.add('remove the data folder', () => rm(dataDir, { recursive: true, force: true }));
  const redisPrefix = `bench-${randomBytes(6).toString('hex')}`;
  cleanup.add(`delete Redis keys under ${redisPrefix}`, () => deleteRedisKeys(redisPrefix));
  const shared: Record<string, string> = {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    MERIDIAN_DATA_DIR: dataDir,
    MERIDIAN_REGIONS: REGIONS,
    MERIDIAN_SEED_DEMO: 'false',
    // One client at saturation: rate limits would measure themselves, not the gateway's work.
    MERIDIAN_RATE_LIMIT_PER_ADDRESS: '0',
    MERIDIAN_RATE_LIMIT_PER_PRINCIPAL: '0',
  };
  for (const label of ['control', ...REGIONS.split(',').map((r) => r.split('=')[0]!)]) {
    const db = await createTestDatabase(`bench_${label}`);
    cleanup.add(`drop database ${db.name}`, () => db.drop());
    shared[label === 'control' ? 'MERIDIAN_CONTROL_URL' : regionUrlVariable(label)] = db.url;
  }
  const gatewayEnv = (cached: boolean): Record<string, string> =>
    cached
      ? {
          ...shared,
          MERIDIAN_REDIS_URL: REDIS_URL,
          MERIDIAN_CACHE_PREFIX: redisPrefix,
          MERIDIAN_CACHE_TTL_MS: '60000',
        }
      : { ...shared, MERIDIAN_CACHE_TTL_MS: '0' };
  const config = loadConfig(shared);
  const organisations = demoOrganisations(config.regions);
  const keys = await ensureDevKeys(
    dataDir,
    organisations.map((o) => o.id),
  );
  const audience = { audience: config.tokenAudience };
  return {
    dataDir,
    redisPrefix,
    gatewayEnv,
    config: (cached) => loadConfig(gatewayEnv(cached)),
    clinicianToken: () => {
      const persona = staffPersonas(organisations).find((p) => p.name === CLINICIAN)!;
      return mintPersonaToken(persona, keys, audience);
    },
    patientToken: (globalId, regions) => {
      const home = config.regions.find((r) => r.id === regions[0]) ?? config.regions[0]!;
      return mintPersonaToken(patientPersona(globalId, hospitalOf(home)), keys, audience);
    },
  };
}

export interface SeedSummary {
  readonly patients: number;
  readonly records: number;
  readonly anchored: number;
  readonly seconds: number;
}

/**
 * Seeds the demo data set as `meridian seed --patients N` does (records anchored on the ledger
 * in the data folder), and lists the seeded patients with the regions holding their records.
 */
export async function seed(
  config: Config,
  patients: number,
  recordsPerPatient: number | undefined,
  onProgress: (text: string) => void,
): Promise<{ summary: SeedSummary; patients: { globalId: string; regions: string[] }[] }> {
  const started = performance.now();
  let reported = -1;
  return withStores(defaultDeps, config, 'bench seed', async ({ stores, anchors, control }) => {
    const result = await withRecordAnchorer(defaultDeps, config, { anchors, control, stores }, (anchor) =>
      seedDemo({
        stores,
        control,
        regions: config.regions,
        patients,
        recordsPerPatient,
        anchor,
        onProgress: (p) => {
          const step = Math.floor((p.patientsDone / p.patientsTotal) * 10);
          if (step === reported) return;
          reported = step;
          onProgress(`${p.patientsDone}/${p.patientsTotal} patients, ${p.recordsWritten} records`);
        },
      }),
    );
    return {
      summary: {
        patients: result.patients,
        records: result.records,
        anchored: result.anchored,
        seconds: (performance.now() - started) / 1000,
      },
      patients: await control.patients(patients),
    };
  });
}

const redisClient = () => createClient({ url: REDIS_URL });

/** Opens the shared Redis, never flushing it: only this run's keys are ever touched. */
export async function withRedis<T>(run: (client: ReturnType<typeof redisClient>) => Promise<T>): Promise<T> {
  const client = redisClient();
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await run(client);
  } finally {
    client.destroy();
  }
}

/** How many keys the run has under its prefix (0 while Meridian has no Redis cache). */
export function countRedisKeys(prefix: string): Promise<number> {
  return withRedis(async (client) => {
    let count = 0;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) count += keys.length;
    return count;
  });
}

/** Deletes the keys under the prefix (SCAN MATCH prefix* and DEL), and nothing else. */
export function deleteRedisKeys(prefix: string): Promise<number> {
  return withRedis(async (client) => {
    let deleted = 0;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      if (keys.length > 0) deleted += await client.del(keys);
    }
    return deleted;
  });
}
