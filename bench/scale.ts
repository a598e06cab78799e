// `npx tsx bench/scale.ts`: is a lookup as fast over ~1M records as over ~10k?
// Seeds a small and a large data set (the same records per patient, both anchored), and loads
// each at the same fixed rate (70% of the small set's uncached saturation, or --rate), uncached
// and cached, rotating over up to --rotation patients; reports p50/p99 per size, the large/small
// ratios, and EXPLAIN (ANALYZE, BUFFERS) of a region's disclosure read (census, records and their
// newest anchors in one statement) as
// the gateway issues them. Results: bench/results/scale-<date>.md and .json.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { regionUrlVariable } from '../src/config/regions.js';
import { CATEGORIES } from '../src/domain/fhir.js';
import { disclosureStatement } from '../src/stores/region-reader.js';
import { Cleanup, createEnvironment, REGIONS, seed, type BenchEnvironment, type BenchPatient } from './environment.js';
import { measure, prepareLoad, progress, warmUp } from './measure.js';
import { failures, type MeasuredRun } from './load.js';
import { summaryBody } from './meridian-api.js';
import type { BenchOptions } from './options.js';
import { startServerProcess } from './server-process.js';

const { values } = parseArgs({
  options: {
    'small-patients': { type: 'string', default: '270' },
    'large-patients': { type: 'string', default: '27000' },
    'records-per-patient': { type: 'string', default: '25' },
    rotation: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '10' },
    rate: { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const recordsPerPatient = Number(values['records-per-patient']);
const duration = Number(values.duration);
const rotationSize = Number(values.rotation);

interface SizeResult {
  readonly patients: number;
  readonly records: number;
  readonly seedSeconds: number;
  readonly rotation: number;
  readonly uncached: MeasuredRun;
  readonly cached: MeasuredRun;
  /** Per region: the plan of the disclosure read. */
  readonly explain: Readonly<Record<string, string>>;
}

/** The plans of the statements a region read makes, for one rotation patient, as PostgreSQL runs them. */
async function explain(env: BenchEnvironment, globalId: string): Promise<SizeResult['explain']> {
  const control = new pg.Client({ connectionString: env.gatewayEnv(false).MERIDIAN_CONTROL_URL });
  await control.connect();
  const out: Record<string, string> = {};
  try {
    const { rows } = await control.query<{ region: string; local_id: string }>(
      'SELECT region, local_id FROM patient_locations WHERE global_id = $1',
      [globalId],
    );
    for (const { region, local_id: localId } of rows) {
      const db = new pg.Client({ connectionString: env.gatewayEnv(false)[regionUrlVariable(region)] });
      await db.connect();
      try {
        const plan = async (text: string, params: unknown[]): Promise<string> =>
          (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, params)).rows
            .map((r) => r['QUERY PLAN'])
            .join('\n');
        const read = disclosureStatement(
          [{ patientIds: [localId], categories: CATEGORIES, excludeSensitivity: [], limit: 2001 }],
          [localId],
        );
        out[region] = await plan(read.text, read.values);
      } finally {
        await db.end();
      }
    }
  } finally {
    await control.end();
  }
  return out;
}

async function size(
  patients: number,
  rate: number | undefined,
  cleanup: Cleanup,
): Promise<SizeResult & { rate: number }> {
  const env = await createEnvironment(cleanup);
  progress(`seeding ${patients} patients (${recordsPerPatient} records per patient and region on average), anchored`);
  const seeded = await seed(env.config(false), patients, recordsPerPatient, (text) => {
    progress(`  seed: ${text}`);
  });
  progress(`seeded ${seeded.summary.records} records in ${seeded.summary.seconds.toFixed(0)} s`);
  const rotation: BenchPatient[] = await Promise.all(
    seeded.patients
      .slice(0, rotationSize)
      .map(async (p) => ({ ...p, token: await env.patientToken(p.globalId, p.regions) })),
  );
  const load = { token: await env.clinicianToken(), bodies: rotation.map((p) => summaryBody(p.globalId)) };
  const options = { warmup: 3 } as BenchOptions;
  const run = async (cached: boolean, fixed: number | undefined): Promise<MeasuredRun & { saturation?: number }> => {
    const server = await startServerProcess('./gateway-process.ts', env.gatewayEnv(cached));
    cleanup.add('stop the gateway', () => server.stop());
    try {
      if (!cached) await prepareLoad(server.url, rotation, load.token, path.join(env.dataDir, 'payloads.json'));
      const spec = { url: server.url, ...load, connections: 32 };
      await warmUp(server, spec, options, cached);
      const at =
        fixed ??
        Math.max(1, Math.floor((await measure(server, { ...spec, seconds: duration })).requestsPerSecond * 0.7));
      const measured = await measure(server, { ...spec, seconds: duration, rate: at });
      progress(
        `${patients} patients, ${cached ? 'cached' : 'uncached'} at ${at} req/s: p50 ${measured.latencyMs.p50.toFixed(1)} ms, p99 ${measured.latencyMs.p99.toFixed(1)} ms`,
      );
      return measured;
    } finally {
      await server.stop();
    }
  };
  const uncached = await run(false, rate);
  const fixedRate = uncached.targetRate ?? 1;
  const cached = await run(true, fixedRate);
  return {
    patients,
    records: seeded.summary.records,
    seedSeconds: seeded.summary.seconds,
    rotation: rotation.length,
    uncached,
    cached,
    explain: await explain(env, rotation[0]!.globalId),
    rate: fixedRate,
  };
}

const cell = (n: number): string => n.toFixed(n < 10 ? 2 : 1);

function markdown(small: SizeResult, large: SizeResult, rate: number, startedAt: string): string {
  const row = (s: SizeResult): string =>
    `| ${s.records} | ${s.patients} | ${s.rotation} | ${cell(s.uncached.latencyMs.p50)} | ${cell(s.uncached.latencyMs.p99)} | ${cell(s.cached.latencyMs.p50)} | ${cell(s.cached.latencyMs.p99)} | ${failures(s.uncached) + failures(s.cached)} |`;
  const ratio = (f: (s: SizeResult) => number): string => `${(f(large) / f(small)).toFixed(2)}×`;
  const plans = (s: SizeResult): string =>
    Object.entries(s.explain)
      .map(
        ([region, p]) =>
          `#### ${region}: disclosure read (census, records, their newest anchors)\n\n\`\`\`\n${p}\n\`\`\``,
      )
      .join('\n\n');
  return `# Meridian at scale, ${startedAt}

Regions ${REGIONS}; ${recordsPerPatient} records per patient and region on average; every request \`patientSummary(purpose: TREAT)\` as dr-weber, rotating over the first patients of each set; ${duration} s at ${rate} req/s (${values.rate !== undefined ? '--rate' : "70% of the small set's uncached saturation"}) for every run, after warm-up (a cached gateway until 99% cache hits).

| records | patients | rotation | uncached p50 ms | uncached p99 ms | cached p50 ms | cached p99 ms | errors |
| --: | --: | --: | --: | --: | --: | --: | --: |
${row(small)}
${row(large)}

Large over small: uncached p50 ${ratio((s) => s.uncached.latencyMs.p50)} (goal <= 1.5×), uncached p99 ${ratio((s) => s.uncached.latencyMs.p99)}, cached p50 ${ratio((s) => s.cached.latencyMs.p50)}, cached p99 ${ratio((s) => s.cached.latencyMs.p99)}. Seeding took ${small.seedSeconds.toFixed(0)} s and ${large.seedSeconds.toFixed(0)} s.

## EXPLAIN (ANALYZE, BUFFERS), large set, the first rotation patient

${plans(large)}

## EXPLAIN (ANALYZE, BUFFERS), small set

${plans(small)}
`;
}

const cleanup = new Cleanup();
process.once('SIGINT', () => {
  void cleanup.run().finally(() => process.exit(130));
});
try {
  const startedAt = new Date().toISOString();
  const small = await size(
    Number(values['small-patients']),
    values.rate === undefined ? undefined : Number(values.rate),
    cleanup,
  );
  await cleanup.run();
  const large = await size(Number(values['large-patients']), small.rate, cleanup);
  const page = markdown(small, large, small.rate, startedAt);
  await mkdir(values.out, { recursive: true });
  const stem = path.join(values.out, `scale-${startedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-')}`);
  await writeFile(`${stem}.json`, `${JSON.stringify({ startedAt, small, large }, null, 2)}\n`);
  await writeFile(`${stem}.md`, page);
  console.log(page);
  progress(`wrote ${stem}.md and .json`);
} finally {
  await cleanup.run();
}
process.exit(0);
