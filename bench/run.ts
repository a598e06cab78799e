// `npm run bench`: Meridian against a baseline, in one run, on one machine and one data set.
// Flags: `npm run bench -- --help`. Results: bench/results/.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openLedger } from '../src/ledger/open-ledger.js';
import { postGraphQL } from '../test/support/gateway.js';
import { POSTGRES_ADMIN_URL } from '../test/support/postgres.js';
import {
  CLINICIAN,
  Cleanup,
  countRedisKeys,
  createEnvironment,
  deleteRedisKeys,
  seed,
  type BenchEnvironment,
  type BenchPatient,
} from './environment.js';
import { cacheLookups, failures, hitRatio, lookupsBetween, runLoad, type MeasuredRun } from './load.js';
import { grantTreatmentConsent, mapLimit, readSummary, summaryBody } from './meridian-api.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import {
  machineFacts,
  markdown,
  withRatios,
  writeReport,
  type BenchReport,
  type ConfigurationResult,
} from './report.js';
import { revocationCheck } from './revocation.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/** Revocation trials rotate over at most this many patients (each first has its earlier consents revoked). */
const REVOCATION_PATIENTS = 256;

interface Target {
  readonly name: string;
  readonly description: string;
  start(): Promise<ServerProcess>;
}

const began = performance.now();
function progress(text: string): void {
  process.stderr.write(`bench [${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);
}

function describeRun(run: MeasuredRun): string {
  const hits = hitRatio(run.cacheLookups);
  return (
    `${run.requestsPerSecond.toFixed(0)} req/s, p50 ${run.latencyMs.p50.toFixed(2)} ms, ` +
    `p99 ${run.latencyMs.p99.toFixed(2)} ms, ${failures(run)} errors` +
    (hits !== null ? `, cache hits ${(hits * 100).toFixed(0)}%` : '')
  );
}

function targets(env: BenchEnvironment, payloadFile: string): Target[] {
  return [
    {
      name: 'meridian-uncached',
      description:
        'the gateway on PostgreSQL, MERIDIAN_CACHE_TTL_MS=0: every request authenticates, decides under verified policies and consents, reads and verifies records, and audits.',
      start: () => startServerProcess('./gateway-process.ts', env.gatewayEnv(false)),
    },
    {
      name: 'baseline',
      description:
        'a minimal Apollo Server (same @apollo/server and graphql, Meridian’s SDL, standalone HTTP) answering each patient’s summary from memory, as Meridian answered it: no authentication, policy, ledger, audit, database or cache.',
      start: () => startServerProcess('./baseline-process.ts', { BENCH_BASELINE_PAYLOADS: payloadFile }),
    },
    {
      name: 'meridian-cached',
      description: `the same gateway and databases with MERIDIAN_REDIS_URL, MERIDIAN_CACHE_PREFIX=${env.redisPrefix} and MERIDIAN_CACHE_TTL_MS=60000.`,
      start: () => startServerProcess('./gateway-process.ts', env.gatewayEnv(true)),
    },
  ];
}

/**
 * Starts a target, warms it up, and measures one run (at saturation, or at `rate`); stops it
 * after, and on interrupt.
 */
async function measureTarget(
  target: Target,
  options: BenchOptions,
  cleanup: Cleanup,
  load: { token: string; bodies: readonly string[] },
  rate: number | undefined,
  before?: (server: ServerProcess) => Promise<void>,
): Promise<MeasuredRun> {
  const server = await target.start();
  cleanup.add(`stop ${target.name}`, () => server.stop());
  try {
    await before?.(server);
    const spec = { url: server.url, ...load, connections: options.connections };
    if (options.warmup > 0) {
      const warm = await runLoad({ ...spec, seconds: options.warmup });
      if (failures(warm) > 0) {
        progress(`warning: ${target.name} warm-up had ${failures(warm)} errors; first: ${warm.firstBadAnswer ?? ''}`);
      }
      await settle(server.url, load);
    }
    const lookupsBefore = await cacheLookups(server.url);
    const run = await runLoad({ ...spec, seconds: options.duration, ...(rate !== undefined ? { rate } : {}) });
    await settle(server.url, load);
    return { ...run, cacheLookups: lookupsBetween(lookupsBefore, await cacheLookups(server.url)) };
  } finally {
    await server.stop();
  }
}

/**
 * Waits until the server has worked off what a run left queued: autocannon stops sending at
 * its deadline, not when the server has answered, and the next run must not start behind that
 * backlog.
 */
async function settle(url: string, load: { token: string; bodies: readonly string[] }): Promise<void> {
  await postGraphQL(url, load.bodies[0], load.token);
  await new Promise((resolve) => setTimeout(resolve, 250));
}

/** Grants every rotation patient's treatment consent, then keeps what Meridian answers for each (the baseline's payload). */
async function prepareLoad(url: string, rotation: readonly BenchPatient[], clinician: string, payloadFile: string) {
  progress(`granting treatment consent as ${rotation.length} patients`);
  await mapLimit(rotation, 8, (p) => grantTreatmentConsent(url, p, clinician));
  progress('reading every summary once (checked, kept as the baseline payload)');
  const payloads: Record<string, unknown> = {};
  await mapLimit(rotation, 8, async (p) => {
    const res = await readSummary(url, clinician, p.globalId);
    if (res.status !== 200 || res.errors.length > 0 || !res.data?.patientSummary) {
      throw new Error(`summary of ${p.globalId} is not clean: ${JSON.stringify(res.errors).slice(0, 500)}`);
    }
    payloads[p.globalId] = res.data.patientSummary;
  });
  await writeFile(payloadFile, JSON.stringify(payloads));
}

async function bench(options: BenchOptions, cleanup: Cleanup): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const machine = await machineFacts(POSTGRES_ADMIN_URL);
  const env = await createEnvironment(cleanup);
  progress(`seeding ${options.patients} patients in 3 regions on PostgreSQL (anchored on the ledger)`);
  const seeded = await seed(env.config(false), options.patients, options.recordsPerPatient, (text) => {
    progress(`  seed: ${text}`);
  });
  progress(`seeded ${seeded.summary.records} records in ${seeded.summary.seconds.toFixed(1)} s`);
  const withToken = (p: { globalId: string; regions: string[] }): Promise<BenchPatient> =>
    env.patientToken(p.globalId, p.regions).then((token) => ({ ...p, token }));
  const rotation = await Promise.all(seeded.patients.slice(0, options.rotation).map(withToken));
  const candidates = await Promise.all(seeded.patients.slice(0, REVOCATION_PATIENTS).map(withToken));
  const load = { token: await env.clinicianToken(), bodies: rotation.map((p) => summaryBody(p.globalId)) };
  const payloadFile = path.join(env.dataDir, 'baseline-payloads.json');
  const all = targets(env, payloadFile);

  const saturation = new Map<string, MeasuredRun>();
  let keysAfterCachedRuns = 0;
  for (const target of all) {
    progress(`${target.name}: saturation, ${options.connections} connections, ${options.duration} s`);
    const run = await measureTarget(
      target,
      options,
      cleanup,
      load,
      undefined,
      target.name === 'meridian-uncached'
        ? (server) => prepareLoad(server.url, rotation, load.token, payloadFile)
        : undefined,
    );
    saturation.set(target.name, run);
    progress(`${target.name}: ${describeRun(run)}`);
    if (target.name === 'meridian-cached') keysAfterCachedRuns = await countRedisKeys(env.redisPrefix);
  }

  const slowest = Math.min(...[...saturation.values()].map((r) => r.requestsPerSecond));
  const rate = options.rate ?? Math.max(1, Math.floor(slowest / 2));
  const results: ConfigurationResult[] = [];
  for (const target of all) {
    progress(`${target.name}: fixed rate ${rate} req/s, ${options.duration} s`);
    const run = await measureTarget(target, options, cleanup, load, rate);
    progress(`${target.name}: ${describeRun(run)}`);
    results.push({
      name: target.name,
      description: target.description,
      saturation: saturation.get(target.name)!,
      fixedRate: run,
    });
  }
  keysAfterCachedRuns = Math.max(keysAfterCachedRuns, await countRedisKeys(env.redisPrefix));

  progress(`revocation: ${options.trials} trials, gateways A and B (and an uncached reference) sharing one ledger`);
  const config = env.config(true);
  const ledger = await openLedger(config);
  const revocation = await revocationCheck({
    config,
    referenceConfig: env.config(false),
    ledger,
    candidates,
    clinicianToken: load.token,
    trials: options.trials,
    concurrency: options.trialConcurrency,
    onProgress: (text) => {
      progress(`  revocation: ${text}`);
    },
  }).finally(() => ledger.close());
  progress(`revocation: ${revocation.trials} trials, ${revocation.staleReads} stale reads`);
  const keysDeleted = await deleteRedisKeys(env.redisPrefix);

  const order = ['baseline', 'meridian-uncached', 'meridian-cached'];
  results.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  return {
    startedAt,
    seconds: (performance.now() - began) / 1000,
    machine,
    flags: options,
    dataSet: { ...seeded.summary, rotation: rotation.length, clinician: CLINICIAN, purpose: 'TREAT' },
    fixedRate: {
      requestsPerSecond: rate,
      source:
        options.rate !== undefined ? '--rate' : `50% of the slowest saturation throughput, ${slowest.toFixed(0)} req/s`,
    },
    configurations: withRatios(results),
    cache: { prefix: env.redisPrefix, keysAfterCachedRuns, keysDeleted },
    revocation,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const cleanup = new Cleanup();
  process.once('SIGINT', () => {
    progress('interrupted: cleaning up');
    void cleanup.run().finally(() => process.exit(130));
  });
  try {
    const report = await bench(options, cleanup);
    const files = await writeReport(options.out, report);
    console.log(markdown(report));
    progress(`wrote ${files.join(', ')}`);
  } finally {
    await cleanup.run();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
