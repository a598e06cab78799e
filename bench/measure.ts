// What a bench run measures against one server: warm-up, measured runs, and the patients' preparation.
import { writeFile } from 'node:fs/promises';
import { postGraphQL } from '../test/support/gateway.js';
import type { BenchPatient, Cleanup } from './environment.js';
import {
  bucketQuantiles,
  cacheLookups,
  failures,
  hitRatio,
  lookupsBetween,
  readMetrics,
  runLoad,
  type LoadSpec,
  type MeasuredRun,
} from './load.js';
import { grantTreatmentConsent, mapLimit, readSummary } from './meridian-api.js';
import type { BenchOptions } from './options.js';
import type { Repetition, WarmUp } from './report.js';
import { cpuSeconds, postgresCpuBetween, postgresCpuSeconds, type ServerProcess } from './server-process.js';

export interface Target {
  readonly name: string;
  readonly description: string;
  /** Warmed up until its cache answers (by hit ratio), not for fixed seconds. */
  readonly cached: boolean;
  start(): Promise<ServerProcess>;
}

const began = performance.now();
/** Seconds since the bench began. */
export function elapsedSeconds(): number {
  return (performance.now() - began) / 1000;
}

export function progress(text: string): void {
  process.stderr.write(`bench [${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);
}

export function describeRun(run: MeasuredRun): string {
  const hits = hitRatio(run.cacheLookups);
  return (
    `${run.requestsPerSecond.toFixed(0)} req/s, p50 ${run.latencyMs.p50.toFixed(2)} ms, ` +
    `p99 ${run.latencyMs.p99.toFixed(2)} ms, ${failures(run)} errors` +
    (hits !== null ? `, cache hits ${(hits * 100).toFixed(0)}%` : '')
  );
}

/** A cache is warm once a whole round is answered at least this much from it. */
const WARM_HIT_RATIO = 0.99;
const WARM_ROUND_SECONDS = 2;
const WARM_CAP_SECONDS = 60;

/**
 * Warms a server: a cached gateway in rounds until one round's hit ratio reaches
 * WARM_HIT_RATIO (at most WARM_CAP_SECONDS), anything else for `--warmup` seconds.
 */
export async function warmUp(
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
export async function measure(server: ServerProcess, spec: LoadSpec): Promise<MeasuredRun> {
  const metricsBefore = await readMetrics(server.url);
  await server.resetEventLoop();
  const cpuBefore = [await cpuSeconds(server.pid), await postgresCpuSeconds()] as const;
  const run = await runLoad(spec);
  const eventLoopMs = await server.readEventLoop();
  const cpuAfter = [await cpuSeconds(server.pid), await postgresCpuSeconds()] as const;
  await settle(server.url, spec);
  const metricsAfter = await readMetrics(server.url);
  const clean = run.requestsPerSecond * run.seconds;
  const perRequest = (seconds: number | null): number | null =>
    seconds === null || clean === 0 ? null : (seconds * 1e6) / clean;
  const serverSeconds = cpuBefore[0] === null || cpuAfter[0] === null ? null : cpuAfter[0] - cpuBefore[0];
  return {
    ...run,
    cacheLookups: lookupsBetween(metricsBefore?.cacheLookups ?? null, metricsAfter?.cacheLookups ?? null),
    auditAppendMs: bucketQuantiles(metricsBefore?.auditAppends ?? null, metricsAfter?.auditAppends ?? null),
    eventLoopMs,
    cpuUsPerRequest: {
      server: perRequest(serverSeconds),
      postgres: perRequest(postgresCpuBetween(cpuBefore[1], cpuAfter[1])),
    },
  };
}

/**
 * One repetition of a target: started, warmed up, measured at saturation, then at `rate(saturation)`
 * (a fixed rate), and stopped; stopped on interrupt too.
 */
export async function measureTarget(
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
export async function settle(url: string, load: { token: string; bodies: readonly string[] }): Promise<void> {
  await postGraphQL(url, load.bodies[0], load.token);
  await new Promise((resolve) => setTimeout(resolve, 250));
}

/** Grants every rotation patient's treatment consent, then keeps what Meridian answers for each (the baseline's payload). */
export async function prepareLoad(
  url: string,
  rotation: readonly BenchPatient[],
  clinician: string,
  payloadFile: string,
) {
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
