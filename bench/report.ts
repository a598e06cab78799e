import { execFileSync } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { withRedis, type SeedSummary } from './environment.js';
import { failures, hitRatio, type LoadRun, type MeasuredRun } from './load.js';
import type { BenchOptions } from './options.js';
import type { RevocationResult } from './revocation.js';

export interface ConfigurationResult {
  readonly name: string;
  readonly description: string;
  readonly saturation: MeasuredRun;
  readonly fixedRate: MeasuredRun;
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
  readonly fixedRate: { readonly requestsPerSecond: number; readonly source: string };
  readonly configurations: readonly (ConfigurationResult & {
    readonly vsBaseline: { readonly throughput: number; readonly p50: number; readonly p99: number };
  })[];
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

/** Each configuration's numbers over the baseline's (the first configuration named `baseline`). */
export function withRatios(configurations: readonly ConfigurationResult[]): BenchReport['configurations'] {
  const base = configurations.find((c) => c.name === 'baseline');
  return configurations.map((c) => ({
    ...c,
    vsBaseline: {
      throughput: base ? c.saturation.requestsPerSecond / base.saturation.requestsPerSecond : Number.NaN,
      p50: base ? c.fixedRate.latencyMs.p50 / base.fixedRate.latencyMs.p50 : Number.NaN,
      p99: base ? c.fixedRate.latencyMs.p99 / base.fixedRate.latencyMs.p99 : Number.NaN,
    },
  }));
}

const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ms = (n: number): string => fixed(n, n < 10 ? 2 : 1);
const percent = (n: number | null): string => (n === null ? '–' : `${(n * 100).toFixed(0)}%`);
const ratio = (n: number): string => `${fixed(n, n < 10 ? 2 : 1)}×`;

function errorCell(run: LoadRun): string {
  const total = failures(run);
  if (total === 0) return '0';
  const parts = [
    run.errors > 0 ? `${run.errors} conn` : '',
    run.timeouts > 0 ? `${run.timeouts} timeout` : '',
    run.non2xx > 0 ? `${run.non2xx} non-2xx` : '',
    run.graphqlErrors > 0 ? `${run.graphqlErrors} GraphQL` : '',
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
  ].join(' ');
}

/** The report as a markdown page. */
export function markdown(r: BenchReport): string {
  const m = r.machine;
  const rate = Math.round(r.fixedRate.requestsPerSecond);
  const rows = r.configurations.map((c) =>
    [
      c.name,
      fixed(c.saturation.requestsPerSecond, 0),
      ratio(c.vsBaseline.throughput),
      ms(c.fixedRate.latencyMs.p50),
      ratio(c.vsBaseline.p50),
      ms(c.fixedRate.latencyMs.p99),
      ratio(c.vsBaseline.p99),
      errorCell(c.saturation),
      errorCell(c.fixedRate),
      `${percent(hitRatio(c.saturation.cacheLookups))} / ${percent(hitRatio(c.fixedRate.cacheLookups))}`,
    ].join(' | '),
  );
  const v = r.revocation;
  const cacheNote =
    r.cache.keysAfterCachedRuns === 0
      ? 'No key was written under the cache prefix: the gateway has no Redis cache yet, so meridian-cached ran uncached.'
      : `${r.cache.keysAfterCachedRuns} keys under the cache prefix after the cached runs; ${r.cache.keysDeleted} deleted at the end.`;
  return `# Meridian benchmark, ${r.startedAt}

${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}, load average ${m.loadAverage} at the start; Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; commit ${m.commit}.
Flags: \`${flagLine(r.flags)}\`; the whole run took ${fixed(r.seconds, 0)} s.

Data set: ${r.dataSet.patients} patients, ${r.dataSet.records} records in 3 regions (eu-de, eu-fr, us-ma; one PostgreSQL database each, seeded and anchored in ${fixed(r.dataSet.seconds, 1)} s). Every request is \`patientSummary(purpose: TREAT)\` as ${r.dataSet.clinician} (Charité Berlin, DE), rotating over ${r.dataSet.rotation} patients who each granted treatment consent first.

| configuration | req/s at saturation (${r.flags.connections} connections, ${r.flags.duration} s) | vs baseline | p50 ms at ${rate} req/s | vs baseline | p99 ms at ${rate} req/s | vs baseline | errors at saturation | errors at fixed rate | cache hits (saturation / fixed rate) |
| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |
${rows.map((row) => `| ${row} |`).join('\n')}

- baseline: ${r.configurations.find((c) => c.name === 'baseline')?.description ?? ''}
${r.configurations
  .filter((c) => c.name !== 'baseline')
  .map((c) => `- ${c.name}: ${c.description}`)
  .join('\n')}
- Fixed rate: ${rate} req/s (${r.fixedRate.source}), ${r.flags.duration} s each; latencies are each response's own time (send to last byte), measured by the load generator. Errors: connection errors, timeouts, non-2xx answers, and 2xx answers carrying GraphQL \`errors\`.
- Cache: ${cacheNote} Cache hits: lookups answered from the cache over all lookups (policies, consents and region reads together) during the measured run, from the gateway's \`meridian_cache_lookups_total\`; each cache's counts are in the JSON.

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
