import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Demo patients seeded. */
  readonly patients: number;
  /** Average records per patient and region (the seed's default, 15, when undefined). */
  readonly recordsPerPatient: number | undefined;
  /** Seconds of each saturation run and of each fixed-rate run. */
  readonly duration: number;
  /** Seconds of load before each measured run, not measured. */
  readonly warmup: number;
  /** Concurrent connections of the saturation runs. */
  readonly connections: number;
  /** Requests per second of the fixed-rate runs; undefined: half the slowest configuration's saturation throughput. */
  readonly rate: number | undefined;
  /** Patient ids the load rotates over (the first N seeded patients). */
  readonly rotation: number;
  /** Revocation trials: grant, read, revoke, read again. */
  readonly trials: number;
  /** Revocation trials in flight at once, each on its own patients. */
  readonly trialConcurrency: number;
  /** Repetitions of every configuration, alternating configurations. */
  readonly reps: number;
  /** Where the JSON and markdown results go. */
  readonly out: string;
}

export const USAGE = `npm run bench -- [flags]

  --patients N             demo patients seeded (default 200; 5000 seeds ~114,000 records)
  --records-per-patient N  average records per patient and region (default 15; 25 with 5000 patients: ~185,000)
  --duration S             seconds per saturation run and per fixed-rate run (default 10)
  --warmup S               seconds of unmeasured load before a server without a cache is measured (default 3);
                           a cached gateway warms up in 2 s rounds until one is 99% cache hits (60 s at most)
  --connections N          concurrent connections at saturation (default 32)
  --rate R                 requests/s of the fixed-rate runs (default: 70% of each configuration's own saturation)
  --rotation N             patient ids the requests rotate over (default: all seeded patients, at most 1000)
  --trials N               revocation trials (default 10000)
  --trial-concurrency N    revocation trials in flight at once, on distinct patients (default 4)
  --reps N                 repetitions of every configuration, alternating (default 3)
  --out DIR                results folder (default bench/results)

  BENCH_CPU_PROF=DIR       write a V8 CPU profile of every server under test to DIR
                           (summarise one with: npx tsx bench/profile-summary.ts FILE --requests N)
  BENCH_NODE_FLAGS="..."   more Node flags for every server under test (e.g. --trace-gc)
  BENCH_VARIANT_FLAGS="..." both gateways once more with these Node flags, alternating with the rest (an A/B of V8 settings)
  BENCH_VARIANT_TREE=DIR   both gateways once more from another checkout (with its node_modules and src/generated),
                           alternating with the rest (an A/B of a code change: git worktree add DIR REV)`;

function whole(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return n;
}

/** Parses the command line; throws with the offending flag named. */
export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      patients: { type: 'string' },
      'records-per-patient': { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      rotation: { type: 'string' },
      trials: { type: 'string' },
      'trial-concurrency': { type: 'string' },
      reps: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return 'help';
  const patients = whole('patients', values.patients, 200, 1, 1_000_000);
  return {
    patients,
    recordsPerPatient:
      values['records-per-patient'] === undefined
        ? undefined
        : whole('records-per-patient', values['records-per-patient'], 15, 1, 10_000),
    duration: whole('duration', values.duration, 10, 1, 3600),
    warmup: whole('warmup', values.warmup, 3, 0, 600),
    connections: whole('connections', values.connections, 32, 1, 1000),
    rate: values.rate === undefined ? undefined : whole('rate', values.rate, 0, 1, 1_000_000),
    rotation: Math.min(patients, whole('rotation', values.rotation, Math.min(patients, 1000), 1, 1_000_000)),
    trials: whole('trials', values.trials, 10_000, 0, 10_000_000),
    trialConcurrency: whole('trial-concurrency', values['trial-concurrency'], 4, 1, 64),
    reps: whole('reps', values.reps, 3, 1, 20),
    out: values.out ?? 'bench/results',
  };
}
