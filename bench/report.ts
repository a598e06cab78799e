import { execFileSync } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { withRedis, type SeedSummary } from './environment.js';
import { failures, hitRatio, type LoadRun, type MeasuredRun } from './load.js';
import type { BenchOptions } from './options.js';
import type { RevocationResult } from './revocation.js';

/** How a warm-up went: for a cache, until its hit ratio held (by rounds), else for fixed seconds. */
export interface WarmUp {
  readonly seconds: number;
  readonly rounds: number;
  /** The last round's cache hit ratio (null: no cache); below 99% when the 60 s cap came first. */
  readonly hitRatio: number | null;
  readonly errors: number;
  readonly firstBadAnswer: string | null;
}

/** One repetition of one configuration: its warm-up, a saturation run and a fixed-rate run. */
export interface Repetition {
  readonly warmUp: WarmUp;
  readonly saturation: MeasuredRun;
  readonly fixedRate: MeasuredRun;
}

export interface ConfigurationResult {
  readonly name: string;
  readonly description: string;
  readonly repetitions: readonly Repetition[];
}

/** Min, median and max over the repetitions. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** The figures issue 16 sets goals for, each over the repetitions; ratios per repetition (rep i against the baseline's rep i). */
export interface ConfigurationSummary extends ConfigurationResult {
  readonly throughput: Spread;
  readonly throughputVsBaseline: Spread;
  readonly fixedRate: Spread;
  readonly p50: Spread;
  readonly p99: Spread;
  /** p99 at the configuration's own fixed rate less the baseline's p99 at its own. */
  readonly addedP99: Spread;
  readonly eventLoopP99: Spread;
  readonly eventLoopVsBaseline: Spread;
  /** The gateway's audit appends' wait for their group commit at the fixed rate (NaN: no audit log). */
  readonly auditAppendP50: Spread;
  readonly auditAppendP99: Spread;
  readonly serverCpuUs: Spread;
  readonly postgresCpuUs: Spread;
}

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  /** The machine may be shared: its 1-minute load average when the run began. */
  readonly loadAverage: number;
  readonly node: string;
  readonly platform: string;
  readonly postgres: string;
  readonly redis: string;
  readonly commit: string;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: Machine;
  readonly flags: BenchOptions;
  readonly dataSet: SeedSummary & { readonly rotation: number; readonly clinician: string; readonly purpose: 'TREAT' };
  /** How each configuration's fixed rate was chosen. */
  readonly fixedRate: string;
  readonly configurations: readonly ConfigurationSummary[];
  readonly cache: { readonly prefix: string; readonly keysAfterCachedRuns: number; readonly keysDeleted: number };
  readonly revocation: RevocationResult;
}

async function versionOf(what: string, read: () => Promise<string>): Promise<string> {
  try {
    return await read();
  } catch (err) {
    return `unknown (${what}: ${err instanceof Error ? err.message : String(err)})`;
  }
}

function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} + uncommitted changes` : commit;
  } catch {
    return 'unknown';
  }
}

/** What the numbers were measured on. */
export async function machineFacts(postgresUrl: string): Promise<Machine> {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    postgres: await versionOf('postgres', async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        const res = await client.query<{ server_version: string }>('SHOW server_version');
        return res.rows[0]?.server_version ?? 'unknown';
      } finally {
        await client.end();
      }
    }),
    redis: await versionOf('redis', () =>
      withRedis(async (client) => /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown'),
    ),
    commit: gitCommit(),
  };
}

function spread(values: readonly number[]): Spread {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted.at(-1)! };
}

/** Each configuration's figures over its repetitions, and against the baseline's repetition of the same round. */
export function summarise(configurations: readonly ConfigurationResult[]): ConfigurationSummary[] {
  const base = configurations.find((c) => c.name === 'baseline')?.repetitions ?? [];
  return configurations.map((c) => {
    const each = (f: (r: Repetition, b: Repetition | undefined) => number | null): Spread =>
      spread(c.repetitions.map((r, i) => f(r, base[i]) ?? Number.NaN));
    const vs = (f: (r: Repetition) => number) => (r: Repetition, b: Repetition | undefined) =>
      b === undefined ? null : f(r) / f(b);
    return {
      ...c,
      throughput: each((r) => r.saturation.requestsPerSecond),
      throughputVsBaseline: each(vs((r) => r.saturation.requestsPerSecond)),
      fixedRate: each((r) => r.fixedRate.targetRate),
      p50: each((r) => r.fixedRate.latencyMs.p50),
      p99: each((r) => r.fixedRate.latencyMs.p99),
      addedP99: each((r, b) => (b === undefined ? null : r.fixedRate.latencyMs.p99 - b.fixedRate.latencyMs.p99)),
      eventLoopP99: each((r) => r.fixedRate.eventLoopMs.p99),
      eventLoopVsBaseline: each(vs((r) => r.fixedRate.eventLoopMs.p99)),
      auditAppendP50: each((r) => r.fixedRate.auditAppendMs?.p50 ?? null),
      auditAppendP99: each((r) => r.fixedRate.auditAppendMs?.p99 ?? null),
      serverCpuUs: each((r) => r.saturation.cpuUsPerRequest.server),
      postgresCpuUs: each((r) => r.saturation.cpuUsPerRequest.postgres),
    };
  });
}

const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ms = (n: number): string => fixed(n, n < 10 ? 2 : 1);
const percent = (n: number | null): string => (n === null ? '–' : `${(n * 100).toFixed(0)}%`);
const ratio = (n: number): string => `${fixed(n, n < 10 ? 2 : 1)}×`;

function errorCell(runs: readonly LoadRun[]): string {
  const total = runs.reduce((n, run) => n + failures(run), 0);
  if (total === 0) return '0';
  const sum = (f: (run: LoadRun) => number): number => runs.reduce((n, run) => n + f(run), 0);
  const parts = [
    sum((r) => r.errors) > 0 ? `${sum((r) => r.errors)} conn` : '',
    sum((r) => r.timeouts) > 0 ? `${sum((r) => r.timeouts)} timeout` : '',
    sum((r) => r.non2xx) > 0 ? `${sum((r) => r.non2xx)} non-2xx` : '',
    sum((r) => r.graphqlErrors) > 0 ? `${sum((r) => r.graphqlErrors)} GraphQL` : '',
  ].filter((p) => p !== '');
  return `${total} (${parts.join(', ')})`;
}

function flagLine(flags: BenchOptions): string {
  return [
    `--patients ${flags.patients}`,
    ...(flags.recordsPerPatient !== undefined ? [`--records-per-patient ${flags.recordsPerPatient}`] : []),
    `--duration ${flags.duration}`,
    `--warmup ${flags.warmup}`,
    `--connections ${flags.connections}`,
    ...(flags.rate !== undefined ? [`--rate ${flags.rate}`] : []),
    `--rotation ${flags.rotation}`,
    `--trials ${flags.trials}`,
    `--trial-concurrency ${flags.trialConcurrency}`,
    `--reps ${flags.reps}`,
  ].join(' ');
}

const range = (x: Spread, show: (n: number) => string): string => `${show(x.median)} (${show(x.min)}–${show(x.max)})`;
const whole = (n: number): string => fixed(n, 0);

/** The goals of issue 16 this bench measures, each against the figure it is judged by (medians). */
function goals(r: BenchReport): string[] {
  const c = (name: string): ConfigurationSummary | undefined => r.configurations.find((x) => x.name === name);
  const cached = c('meridian-cached');
  const uncached = c('meridian-uncached');
  const row = (
    figure: string,
    value: number | undefined,
    show: (n: number) => string,
    goal: string,
    met: (n: number) => boolean,
  ): string => {
    const known = value !== undefined && Number.isFinite(value);
    return `| ${figure} | ${known ? show(value) : 'n/a'} | ${goal} | ${known ? (met(value) ? 'met' : 'not met') : 'n/a'} |`;
  };
  const millis = (n: number): string => `${ms(n)} ms`;
  const loop = Math.max(
    cached?.eventLoopVsBaseline.median ?? Number.NaN,
    uncached?.eventLoopVsBaseline.median ?? Number.NaN,
  );
  const v = r.revocation;
  return [
    row('cached throughput at saturation', cached?.throughputVsBaseline.median, ratio, '>= 0.5×', (n) => n >= 0.5),
    row('uncached 3-region throughput', uncached?.throughputVsBaseline.median, ratio, '>= 0.25×', (n) => n >= 0.25),
    row('cached added p99 at 70% of its own saturation', cached?.addedP99.median, millis, '<= 10 ms', (n) => n <= 10),
    row(
      'uncached added p99 at 70% of its own saturation',
      uncached?.addedP99.median,
      millis,
      '<= 50 ms',
      (n) => n <= 50,
    ),
    row(
      "event-loop delay p99 at 70%, over the baseline's (the worse gateway)",
      loop,
      ratio,
      '<= 1.5×',
      (n) => n <= 1.5,
    ),
    `| revocation trials | ${v.staleReads} stale in ${v.trials} | 0 stale in 10,000 | ${v.trials >= 10_000 ? (v.staleReads === 0 ? 'met' : 'not met') : 'n/a'} |`,
  ];
}

/** The report as a markdown page. */
export function markdown(r: BenchReport): string {
  const m = r.machine;
  const table = (header: string, rows: (c: ConfigurationSummary) => string[]): string => {
    const columns = header.split('|').length - 2;
    const rule = `| --- |${' --: |'.repeat(columns - 1)}`;
    return [header, rule, ...r.configurations.map((c) => `| ${[c.name, ...rows(c)].join(' | ')} |`)].join('\n');
  };
  const warmUps = r.configurations
    .map((c) => {
      const w = c.repetitions.map((x) => x.warmUp);
      const errors = w.reduce((n, x) => n + x.errors, 0);
      const first = w.find((x) => x.firstBadAnswer !== null)?.firstBadAnswer;
      const hits = w.map((x) => percent(x.hitRatio)).join(', ');
      return `  - ${c.name}: ${w.map((x) => `${x.seconds} s`).join(', ')}${w.some((x) => x.hitRatio !== null) ? ` (last round's cache hits ${hits})` : ''}; ${errors} errors${first ? `, first: \`${first.slice(0, 300)}\`` : ''}`;
    })
    .join('\n');
  const cacheNote =
    r.cache.keysAfterCachedRuns === 0
      ? 'No key was written under the cache prefix: meridian-cached ran uncached.'
      : `${r.cache.keysAfterCachedRuns} keys under the cache prefix after the cached runs; ${r.cache.keysDeleted} deleted at the end.`;
  const v = r.revocation;
  return `# Meridian benchmark, ${r.startedAt}

${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}, load average ${m.loadAverage} at the start; Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; commit ${m.commit}.
Flags: \`${flagLine(r.flags)}\`; the whole run took ${fixed(r.seconds, 0)} s.

Data set: ${r.dataSet.patients} patients, ${r.dataSet.records} records in 3 regions (eu-de, eu-fr, us-ma; one PostgreSQL database each, seeded and anchored in ${fixed(r.dataSet.seconds, 1)} s). Every request is \`patientSummary(purpose: TREAT)\` as ${r.dataSet.clinician} (Charité Berlin, DE), rotating over ${r.dataSet.rotation} patients who each granted treatment consent first.

Each configuration ran ${r.flags.reps} times, alternating with the others; each repetition started its server, warmed it up, measured ${r.flags.duration} s at saturation (${r.flags.connections} connections) and then ${r.flags.duration} s at a fixed rate (${r.fixedRate}), and stopped it. Figures are the median (min–max) over the repetitions; a ratio compares repetition i with the baseline's repetition i.

## Goals (issue 16)

| figure | now (median) | goal | |
| --- | --: | --: | --- |
${goals(r).join('\n')}

## Throughput at saturation

${table('| configuration | clean answers/s | vs baseline | errors (all repetitions) | cache hits |', (c) => [
  range(c.throughput, whole),
  range(c.throughputVsBaseline, ratio),
  errorCell(c.repetitions.map((x) => x.saturation)),
  c.repetitions.map((x) => percent(hitRatio(x.saturation.cacheLookups))).join(', '),
])}

## Latency at 70% of each configuration's own saturation

${table(
  '| configuration | rate, req/s | p50 ms | p99 ms | added p99 ms (over the baseline’s) | event-loop delay p99 ms | vs baseline | audit append wait p50 / p99 ms | errors | cache hits |',
  (c) => [
    range(c.fixedRate, whole),
    range(c.p50, ms),
    range(c.p99, ms),
    range(c.addedP99, ms),
    range(c.eventLoopP99, ms),
    range(c.eventLoopVsBaseline, ratio),
    Number.isNaN(c.auditAppendP50.median) ? '–' : `${range(c.auditAppendP50, ms)} / ${range(c.auditAppendP99, ms)}`,
    errorCell(c.repetitions.map((x) => x.fixedRate)),
    c.repetitions.map((x) => percent(hitRatio(x.fixedRate.cacheLookups))).join(', '),
  ],
)}

## CPU per clean answer at saturation

${table('| configuration | server process, µs | PostgreSQL (all processes), µs |', (c) => [range(c.serverCpuUs, whole), range(c.postgresCpuUs, whole)])}

## Configurations and method

- baseline: ${r.configurations.find((c) => c.name === 'baseline')?.description ?? ''}
${r.configurations
  .filter((c) => c.name !== 'baseline')
  .map((c) => `- ${c.name}: ${c.description}`)
  .join('\n')}
- Latencies are each response's own time (send to last byte), measured by the load generator. Errors: connection errors, timeouts, non-2xx answers, and 2xx answers carrying GraphQL \`errors\`; answers/s counts clean answers only.
- Event-loop delay: \`perf_hooks.monitorEventLoopDelay\` (10 ms resolution) inside the server process, reset when the run starts. Audit append wait: each append's time from the request appending it to its group commit's commit, from the gateway's \`meridian_audit_append_duration_seconds\` over the run, interpolated within its buckets (0.5, 1, 2.5, 5, 10, 25, 50, 100 ms, ...). CPU: user + system time from /proc of the server process, and of every PostgreSQL process together (each one's growth over the run; one that exited during it is left out), divided by its clean answers.
- Warm-up: a cached gateway in 2 s rounds until one round is 99% cache hits (60 s at most); the others ${r.flags.warmup} s. Per repetition:
${warmUps}
- Cache: ${cacheNote} Cache hits: lookups answered from the cache over all lookups (policies, consents and region reads together) during the measured run, from the gateway's \`meridian_cache_lookups_total\`.

## Revocation

Gateways A and B in one process, on the same databases, Redis prefix and ledger object (with the cache settings of meridian-cached), beside an uncached reference gateway. Each trial: the patient grants treatment consent through A, B reads (warming its cache), the patient revokes through A, and B reads at once. A read is stale when B still discloses an item that the uncached reference withholds from the clinician without consent. Patients rotate over those with something withheld without consent (${Object.entries(
    v.consentRegions,
  )
    .map(([region, n]) => `${region} for ${n}`)
    .join(', ')}).

| trials | stale reads | withheld without CONSENT_REVOKED/REQUIRED | grant not yet visible to B | failed trials | patients | B's read after revoke p50 / p99 ms | took |
| --: | --: | --: | --: | --: | --: | --: | --: |
| ${v.trials} | ${v.staleReads}${staleDetail(v)} | ${v.missingDenials} | ${v.grantNotVisible} | ${v.failedTrials} | ${v.patients} | ${ms(v.readAfterRevokeMs.p50)} / ${ms(v.readAfterRevokeMs.p99)} | ${fixed(v.seconds, 0)} s |
${v.firstFailure !== null ? `\nFirst failed trial: ${v.firstFailure}\n` : ''}`;
}

function staleDetail(v: RevocationResult): string {
  const regions = Object.entries(v.staleRegions);
  return regions.length === 0 ? '' : ` (${regions.map(([region, n]) => `${region}: ${n}`).join(', ')})`;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

/** Writes `<date>-<patients>p.json` and `.md`, and `latest.md`; resolves to the paths written. */
export async function writeReport(dir: string, report: BenchReport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const stem = `${report.startedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-')}-${report.dataSet.patients}p`;
  const page = markdown(report);
  const files = [path.join(dir, `${stem}.json`), path.join(dir, `${stem}.md`), path.join(dir, 'latest.md')];
  await writeAtomically(files[0]!, `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomically(files[1]!, page);
  await writeAtomically(files[2]!, page);
  return files;
}
