import autocannon, { type Result } from 'autocannon';

export interface LoadSpec {
  readonly url: string;
  readonly token: string;
  /** Request bodies, sent in turn (one per patient of the rotation). */
  readonly bodies: readonly string[];
  readonly connections: number;
  readonly seconds: number;
  /** Requests per second from all connections together; undefined: as fast as answered. */
  readonly rate?: number;
}

export interface Latency {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export interface LoadRun {
  readonly seconds: number;
  readonly connections: number;
  readonly targetRate: number | null;
  readonly requests: number;
  /** Clean answers per second: every failure (see `failures`) left out. */
  readonly requestsPerSecond: number;
  /** Milliseconds, from every response's own time (request sent to last byte received). */
  readonly latencyMs: Latency;
  /** Connection errors. */
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  /** 2xx answers that carried GraphQL `errors` (a withheld region, a denial, an internal error). */
  readonly graphqlErrors: number;
  /** The first answer that was not a clean 2xx summary, for diagnosis. */
  readonly firstBadAnswer: string | null;
}

/** A measured run, with what the server did during it. */
export interface MeasuredRun extends LoadRun {
  /** The gateway's cache lookups (null: the server has no /metrics). */
  readonly cacheLookups: CacheLookups | null;
  /**
   * How long the gateway's audit appends waited for their group commit during the run, ms,
   * interpolated in the buckets of `meridian_audit_append_duration_seconds` (null: no /metrics, or no append).
   */
  readonly auditAppendMs: { readonly p50: number; readonly p99: number } | null;
  /** The server's event-loop delay, ms. */
  readonly eventLoopMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** CPU per clean answer, µs: the server process, and every PostgreSQL process together (null: not measured). */
  readonly cpuUsPerRequest: { readonly server: number | null; readonly postgres: number | null };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function latencyOf(samples: readonly number[]): Latency {
  const sorted = Float64Array.from(samples).sort();
  const sum = samples.reduce((a, b) => a + b, 0);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: samples.length > 0 ? sum / samples.length : Number.NaN,
  };
}

/** What the autocannon instances of one run share: the rotation and what was observed. */
interface RunState {
  next: number;
  firstBadAnswer: string | null;
  readonly samples: number[];
}

function instance(spec: LoadSpec, state: RunState, connections: number, rate: number | undefined): Promise<Result> {
  const run = autocannon({
    url: spec.url,
    connections,
    duration: spec.seconds,
    timeout: 30,
    ...(rate !== undefined ? { overallRate: rate } : {}),
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${spec.token}` },
    requests: [{ setupRequest: (request) => ({ ...request, body: spec.bodies[state.next++ % spec.bodies.length] }) }],
    verifyBody: (body) => {
      const clean = !body.includes('"errors":');
      if (!clean) state.firstBadAnswer ??= body.slice(0, 2000);
      return clean;
    },
  });
  run.on('response', (_client, status, _bytes, ms) => {
    state.samples.push(ms);
    if (status < 200 || status > 299) state.firstBadAnswer ??= `HTTP ${status}`;
  });
  return Promise.resolve(run);
}

/**
 * autocannon sends a connection's quota for each second back to back when the second starts,
 * and all its connections start together: at a fixed rate, one instance would send bursts of
 * `rate` requests once a second and measure their queueing. So a fixed rate is spread over
 * single-connection instances started evenly across the first second.
 */
function lanes(spec: LoadSpec): { connections: number; rate: number | undefined; delayMs: number }[] {
  if (spec.rate === undefined) return [{ connections: spec.connections, rate: undefined, delayMs: 0 }];
  const n = Math.min(spec.connections, spec.rate);
  const rate = spec.rate;
  return Array.from({ length: n }, (_, i) => ({
    connections: 1,
    rate: Math.floor(rate / n) + (i < rate % n ? 1 : 0),
    delayMs: (i * 1000) / n,
  }));
}

/** One run against a GraphQL endpoint, rotating over the request bodies. */
export async function runLoad(spec: LoadSpec): Promise<LoadRun> {
  const state: RunState = { next: 0, firstBadAnswer: null, samples: [] };
  const plan = lanes(spec);
  const results = await Promise.all(
    plan.map(async (lane) => {
      await new Promise((resolve) => setTimeout(resolve, lane.delayMs));
      return instance(spec, state, lane.connections, lane.rate);
    }),
  );
  const sum = (pick: (r: Result) => number): number => results.reduce((total, r) => total + pick(r), 0);
  const seconds = sum((r) => r.duration) / results.length;
  const failed = sum((r) => r.errors + r.timeouts + r.non2xx + r.mismatches);
  return {
    seconds,
    connections: plan.reduce((total, lane) => total + lane.connections, 0),
    targetRate: spec.rate ?? null,
    requests: sum((r) => r.requests.total),
    requestsPerSecond: Math.max(0, sum((r) => r.requests.total) - failed) / seconds,
    latencyMs: latencyOf(state.samples),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
    graphqlErrors: sum((r) => r.mismatches),
    firstBadAnswer: state.firstBadAnswer,
  };
}

/** Errors of any kind in a run: connection errors, timeouts, non-2xx answers and GraphQL errors. */
export function failures(run: LoadRun): number {
  return run.errors + run.timeouts + run.non2xx + run.graphqlErrors;
}

/** Cache lookups by cache and result (`hit`, `miss`, `error`, `bypass`), from the gateway's /metrics. */
export type CacheLookups = Record<string, Record<string, number>>;

const CACHE_LOOKUP = /^meridian_cache_lookups_total\{(.*)\} (\S+)$/;

/** A histogram's cumulative counts by bucket upper bound (seconds; Infinity for `+Inf`), in bound order. */
export type Buckets = readonly (readonly [number, number])[];

const AUDIT_APPEND_BUCKET = /^meridian_audit_append_duration_seconds_bucket\{le="([^"]+)"\} (\S+)$/;

/** What the bench reads of a gateway's /metrics at one moment. */
export interface MetricsReading {
  readonly cacheLookups: CacheLookups;
  /** The audit-append wait histogram (`meridian_audit_append_duration_seconds`). */
  readonly auditAppends: Buckets;
}

/** The gateway's counters so far, from one scrape; null where there is no /metrics (the baseline). */
export async function readMetrics(graphqlUrl: string): Promise<MetricsReading | null> {
  const res = await fetch(new URL('/metrics', graphqlUrl));
  if (!res.ok) return null;
  const lookups: CacheLookups = {};
  const buckets: [number, number][] = [];
  for (const line of (await res.text()).split('\n')) {
    const lookup = CACHE_LOOKUP.exec(line);
    if (lookup) {
      const labels = Object.fromEntries([...lookup[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
      const byResult = (lookups[labels.cache ?? ''] ??= {});
      byResult[labels.result ?? ''] = Number(lookup[2]);
    }
    const bucket = AUDIT_APPEND_BUCKET.exec(line);
    if (bucket) buckets.push([bucket[1] === '+Inf' ? Infinity : Number(bucket[1]), Number(bucket[2])]);
  }
  return { cacheLookups: lookups, auditAppends: buckets.sort((a, b) => a[0] - b[0]) };
}

/** The gateway's cache lookup counters so far; null where there is no /metrics (the baseline). */
export async function cacheLookups(graphqlUrl: string): Promise<CacheLookups | null> {
  return (await readMetrics(graphqlUrl))?.cacheLookups ?? null;
}

/**
 * The p50 and p99, ms, of what was observed between two readings, interpolated linearly in
 * the bucket each falls in (as Prometheus' histogram_quantile does); null without observations.
 */
export function bucketQuantiles(
  before: Buckets | null,
  after: Buckets | null,
): { readonly p50: number; readonly p99: number } | null {
  if (before === null || after === null) return null;
  const counts = after.map(([le, n], i) => [le, n - (before[i]?.[1] ?? 0)] as const);
  const total = counts.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const quantile = (q: number): number => {
    const rank = q * total;
    let lower = 0;
    let below = 0;
    for (const [le, n] of counts) {
      if (n >= rank) {
        // Past the last finite bound nothing is known but that bound.
        if (le === Infinity) return lower * 1000;
        return (lower + ((le - lower) * (rank - below)) / Math.max(1, n - below)) * 1000;
      }
      lower = le;
      below = n;
    }
    return lower * 1000;
  };
  return { p50: quantile(0.5), p99: quantile(0.99) };
}

/** What happened between two readings of the counters. */
export function lookupsBetween(before: CacheLookups | null, after: CacheLookups | null): CacheLookups | null {
  if (before === null || after === null) return null;
  const diff: CacheLookups = {};
  for (const [cache, results] of Object.entries(after)) {
    diff[cache] = Object.fromEntries(
      Object.entries(results).map(([result, n]) => [result, n - (before[cache]?.[result] ?? 0)]),
    );
  }
  return diff;
}

/** Hits over all lookups, every cache together; null without a cache or without lookups. */
export function hitRatio(lookups: CacheLookups | null): number | null {
  if (lookups === null) return null;
  const all = Object.values(lookups).flatMap((results) => Object.entries(results));
  const total = all.reduce((sum, [, n]) => sum + n, 0);
  return total === 0 ? null : all.filter(([result]) => result === 'hit').reduce((sum, [, n]) => sum + n, 0) / total;
}
