// `npm run bench`: Meridian against a baseline, in one run, on one machine and one data set.
// Flags: `npm run bench -- --help`. Results: bench/results/.
import path from 'node:path';
import { openLedger } from '../src/ledger/open-ledger.js';
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
import type { MeasuredRun } from './load.js';
import { summaryBody } from './meridian-api.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import {
  machineFacts,
  markdown,
  summarise,
  writeReport,
  type BenchReport,
  type ConfigurationResult,
  type Repetition,
} from './report.js';
import { revocationCheck } from './revocation.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { elapsedSeconds, measureTarget, prepareLoad, progress, type Target } from './measure.js';

/** Fixed-rate runs go at this share of each configuration's own saturation throughput. */
const FIXED_RATE_SHARE = 0.7;

/** Revocation trials rotate over at most this many patients (each first has its earlier consents revoked). */
const REVOCATION_PATIENTS = 256;

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
    ...variants(env),
  ];
}

/**
 * With BENCH_VARIANT_FLAGS="..." (Node flags) and/or BENCH_VARIANT_TREE=DIR (another checkout of
 * Meridian, with its node_modules and src/generated), both gateways again, run with those flags
 * from that checkout, alternating with the rest: an A/B of V8 settings or of a code change.
 */
function variants(env: BenchEnvironment): Target[] {
  const flags = process.env.BENCH_VARIANT_FLAGS?.split(' ').filter((f) => f !== '') ?? [];
  const tree = process.env.BENCH_VARIANT_TREE ?? '';
  if (flags.length === 0 && tree === '') return [];
  const script = tree === '' ? './gateway-process.ts' : path.resolve(tree, 'bench/gateway-process.ts');
  const label = [...(tree === '' ? [] : [`from ${tree}`]), ...flags].join(' ');
  const how = [
    ...(tree === '' ? [] : [`from the checkout at ${tree}`]),
    ...(flags.length === 0 ? [] : [`with \`${flags.join(' ')}\``]),
  ];
  return [false, true].map((cached) => {
    const base = cached ? 'meridian-cached' : 'meridian-uncached';
    return {
      name: `${base} ${label}`,
      description: `as ${base}, the gateway run ${how.join(' and ')}.`,
      cached,
      start: () => startServerProcess(script, env.gatewayEnv(cached), undefined, flags, tree === '' ? undefined : tree),
    };
  });
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
    seconds: elapsedSeconds(),
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
