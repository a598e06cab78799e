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
import { cacheLookups, failures, hitRatio, lookupsBetween, runLoad, type LoadSpec, type MeasuredRun } from './load.js';
import { grantTreatmentConsent, mapLimit, readSummary, summaryBody } from './meridian-api.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import {
  machineFacts,
  markdown,
  summarise,
  writeReport,
  type BenchReport,
  type ConfigurationResult,
  type Repetition,
  type WarmUp,
} from './report.js';
import { revocationCheck } from './revocation.js';
import { cpuSeconds, postgresCpuSeconds, startServerProcess, type ServerProcess } from './server-process.js';

/** Fixed-rate runs go at this share of each configuration's own saturation throughput. */
const FIXED_RATE_SHARE = 0.7;

/** Revocation trials rotate over at most this many patients (each first has its earlier consents revoked). */
const REVOCATION_PATIENTS = 256;

interface Target {
  readonly name: string;
  readonly description: string;
  /** Warmed up until its cache answers (by hit ratio), not for fixed seconds. */
  readonly cached: boolean;
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
      cached: false,
      start: () => startServerProcess('./gateway-process.ts', env.gatewayEnv(false)),
    },
    {
      name: 'baseline',
      description:
        'a minimal Apollo Server (same @apollo/server and graphql, Meridian’s SDL, standalone HTTP) answering each patient’s summary from memory, as Meridian answered it: no authentication, policy, ledger, audit, database or cache.',
      cached: false,
      start: () => startServerProcess('./baseline-process.ts', { BENCH_BASELINE_PAYLOADS: payloadFile }),
    },
    {
      name: 'meridian-cached',
      description: `the same gateway and databases with MERIDIAN_REDIS_URL, MERIDIAN_CACHE_PREFIX=${env.redisPrefix} and MERIDIAN_CACHE_TTL_MS=60000.`,
      cached: true,
      start: () => startServerProcess('./gateway-process.ts', env.gatewayEnv(true)),
    },
  ];
}

/** A cache is warm once a whole round is answered at least this much from it. */
const WARM_HIT_RATIO = 0.99;
const WARM_ROUND_SECONDS = 2;
const WARM_CAP_SECONDS = 60;

/**
 * Warms a server: a cached gateway in rounds until one round's hit ratio reaches
 * WARM_HIT_RATIO (at most WARM_CAP_SECONDS), anything else for `--warmup` seconds.
 */
async function warmUp(
  server: ServerProcess,
  spec: Omit<LoadSpec, 'seconds'>,
  options: BenchOptions,
  cached: boolean,
): Promise<WarmUp> {
  let seconds = 0;
  let rounds = 0;
  let errors = 0;
  let firstBadAnswer: string | null = null;
  let ratio: number | null = null;
  for (;;) {
    const before = await cacheLookups(server.url);
    const round = cached ? WARM_ROUND_SECONDS : options.warmup;
    if (round === 0) break;
    const run = await runLoad({ ...spec, seconds: round });
    seconds += round;
    rounds++;
    errors += failures(run);
    firstBadAnswer ??= run.firstBadAnswer;
    ratio = hitRatio(lookupsBetween(before, await cacheLookups(server.url)));
    if (!cached || (ratio ?? 0) >= WARM_HIT_RATIO || seconds >= WARM_CAP_SECONDS) break;
  }
  await settle(server.url, spec);
  return { seconds, rounds, hitRatio: ratio, errors, firstBadAnswer };
}

/** One measured run against a started, warm server, with its event loop, CPU and cache counts. */
async function measure(server: ServerProcess, spec: LoadSpec): Promise<MeasuredRun> {
  const lookupsBefore = await cacheLookups(server.url);
  await server.resetEventLoop();
  const cpuBefore = [await cpuSeconds(server.pid), await postgresCpuSeconds()] as const;
  const run = await runLoad(spec);
  const eventLoopMs = await server.readEventLoop();
  const cpuAfter = [await cpuSeconds(server.pid), await postgresCpuSeconds()] as const;
  await settle(server.url, spec);
  const clean = run.requestsPerSecond * run.seconds;
  const perRequest = (before: number | null, after: number | null): number | null =>
    before === null || after === null || clean === 0 ? null : ((after - before) * 1e6) / clean;
  return {
    ...run,
    cacheLookups: lookupsBetween(lookupsBefore, await cacheLookups(server.url)),
    eventLoopMs,
    cpuUsPerRequest: { server: perRequest(cpuBefore[0], cpuAfter[0]), postgres: perRequest(cpuBefore[1], cpuAfter[1]) },
  };
}

/**
 * One repetition of a target: started, warmed up, measured at saturation, then at `rate(saturation)`
 * (a fixed rate), and stopped; stopped on interrupt too.
 */
async function measureTarget(
  target: Target,
  options: BenchOptions,
  cleanup: Cleanup,
  load: { token: string; bodies: readonly string[] },
  rate: (saturation: MeasuredRun) => number,
  before?: (server: ServerProcess) => Promise<void>,
): Promise<Repetition> {
  const server = await target.start();
  cleanup.add(`stop ${target.name}`, () => server.stop());
  try {
    await before?.(server);
    const spec = { url: server.url, ...load, connections: options.connections };
    const warm = await warmUp(server, spec, options, target.cached);
    if (warm.errors > 0)
      progress(`warning: ${target.name} warm-up had ${warm.errors} errors; first: ${warm.firstBadAnswer ?? ''}`);
    const saturation = await measure(server, { ...spec, seconds: options.duration });
    progress(`${target.name}: saturation ${describeRun(saturation)}`);
    const fixedRate = await measure(server, { ...spec, seconds: options.duration, rate: rate(saturation) });
    progress(`${target.name}: fixed rate ${fixedRate.targetRate ?? 0} req/s: ${describeRun(fixedRate)}`);
    return { warmUp: warm, saturation, fixedRate };
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

  const reps = new Map<string, Repetition[]>(all.map((t) => [t.name, []]));
  let keysAfterCachedRuns = 0;
  let prepared = false;
  // Alternating (uncached, baseline, cached, then again), so a slower stretch of the machine hits all alike.
  for (let rep = 1; rep <= options.reps; rep++) {
    for (const target of all) {
      progress(`${target.name}: repetition ${rep} of ${options.reps}`);
      const before: ((server: ServerProcess) => Promise<void>) | undefined =
        !prepared && target.name === 'meridian-uncached'
          ? (server: ServerProcess) => prepareLoad(server.url, rotation, load.token, payloadFile)
          : undefined;
      prepared ||= before !== undefined;
      const rateOf = (run: MeasuredRun): number =>
        options.rate ?? Math.max(1, Math.floor(run.requestsPerSecond * FIXED_RATE_SHARE));
      reps.get(target.name)!.push(await measureTarget(target, options, cleanup, load, rateOf, before));
      if (target.name === 'meridian-cached') {
        keysAfterCachedRuns = Math.max(keysAfterCachedRuns, await countRedisKeys(env.redisPrefix));
      }
    }
  }
  const results: ConfigurationResult[] = all.map((target) => ({
    name: target.name,
    description: target.description,
    repetitions: reps.get(target.name)!,
  }));

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

  return {
    startedAt,
    seconds: (performance.now() - began) / 1000,
    machine,
    flags: options,
    dataSet: { ...seeded.summary, rotation: rotation.length, clinician: CLINICIAN, purpose: 'TREAT' },
    fixedRate:
      options.rate !== undefined
        ? '--rate'
        : `${FIXED_RATE_SHARE * 100}% of the configuration's own saturation throughput in the same repetition`,
    configurations: summarise(results),
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
