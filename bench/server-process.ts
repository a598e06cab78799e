import { fork, type ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** What a server child tells the bench once it listens, or why it could not start. */
export type ServerMessage =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'failed'; readonly error: string }
  | ({ readonly type: 'loop' } & EventLoopDelay);

/** What the bench asks of a server child. */
type BenchMessage = { readonly type: 'stop' } | { readonly type: 'loop-reset' } | { readonly type: 'loop-read' };

/** The server's event-loop delay since the last reset, in ms (perf_hooks.monitorEventLoopDelay, 10 ms resolution). */
export interface EventLoopDelay {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Starts a new event-loop delay measurement in the child. */
  resetEventLoop(): Promise<void>;
  /** The child's event-loop delay since `resetEventLoop`. */
  readEventLoop(): Promise<EventLoopDelay>;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 15_000;

/**
 * Starts a server under test in a process of its own (its own event loop and CPU, apart from
 * the load generator), on the same Node as the bench, TypeScript loaded by tsx. Resolves once
 * it listens. `BENCH_CPU_PROF=<dir>` in the bench's environment profiles the child (--cpu-prof);
 * `BENCH_NODE_FLAGS` adds Node flags of its own (e.g. `--trace-gc`, which NODE_OPTIONS refuses).
 * `cwd`: the checkout the script belongs to, whose tsconfig tsx then compiles it with.
 */
export function startServerProcess(
  script: string,
  env: Readonly<Record<string, string>>,
  startTimeoutMs = 120_000,
  nodeFlags: readonly string[] = [],
  cwd?: string,
): Promise<ServerProcess> {
  const profile = process.env.BENCH_CPU_PROF;
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    execArgv: [
      '--import',
      import.meta.resolve('tsx'),
      ...(profile !== undefined && profile !== '' ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter((flag) => flag !== '') ?? []),
      ...nodeFlags,
    ],
    // Only the bench decides the gateway's configuration: none of the shell's MERIDIAN_* settings.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MERIDIAN_'))), ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...(cwd === undefined ? {} : { cwd }),
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    const exited = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (code ${code}) before it listened`));
    };
    child.once('exit', exited);
    const started = (message: ServerMessage): void => {
      if (message.type === 'loop') return;
      clearTimeout(timer);
      child.off('exit', exited);
      child.off('message', started);
      if (message.type === 'failed') {
        reject(new Error(`${script} failed to start: ${message.error}`));
        return;
      }
      resolve({
        url: message.url,
        pid: child.pid ?? -1,
        resetEventLoop: () => ask(child, { type: 'loop-reset' }).then(() => undefined),
        readEventLoop: () => ask(child, { type: 'loop-read' }),
        stop: () => stopChild(child),
      });
    };
    child.on('message', started);
  });
}

/** Sends a message and waits for the child's event-loop answer. */
function ask(child: ChildProcess, message: BenchMessage): Promise<EventLoopDelay> {
  return new Promise((resolve, reject) => {
    const answered = (reply: ServerMessage): void => {
      if (reply.type !== 'loop') return;
      child.off('message', answered);
      resolve({ p50: reply.p50, p99: reply.p99, max: reply.max });
    };
    child.on('message', answered);
    child.send(message, (err) => {
      if (err) {
        child.off('message', answered);
        reject(err);
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    if (child.connected) child.send({ type: 'stop' } satisfies BenchMessage);
    else child.kill('SIGTERM');
  });
}

/**
 * The child's side: reports the URL (or the failure) to the bench, measures its own event-loop
 * delay when asked, and closes the server when told to, or when the bench is gone.
 */
export async function serveForBench(start: () => Promise<{ url: string; close: () => Promise<void> }>): Promise<void> {
  const send = (message: ServerMessage): void => {
    process.send?.(message);
  };
  let server: { url: string; close: () => Promise<void> };
  try {
    server = await start();
  } catch (err) {
    send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const delay = (): ServerMessage => ({
    type: 'loop',
    p50: loop.percentile(50) / 1e6,
    p99: loop.percentile(99) / 1e6,
    max: loop.max / 1e6,
  });
  process.on('message', (message: BenchMessage) => {
    if (message.type === 'loop-reset') {
      loop.reset();
      send(delay());
    } else if (message.type === 'loop-read') send(delay());
    else stop();
  });
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', () => undefined);
  send({ type: 'ready', url: server.url });
}

/** CPU seconds (user + system) a process has used, from /proc; null where /proc cannot tell. */
export async function cpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ")": utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const CLOCK_TICKS = 100;

/** CPU seconds of each PostgreSQL server process on this machine (all its backends), by pid. */
export async function postgresCpuSeconds(): Promise<ReadonlyMap<number, number> | null> {
  const byPid = new Map<number, number>();
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (!comm.startsWith('postgres')) continue;
    const seconds = await cpuSeconds(Number(entry));
    if (seconds !== null) byPid.set(Number(entry), seconds);
  }
  return byPid.size > 0 ? byPid : null;
}

/**
 * PostgreSQL's CPU seconds between two readings: each process's growth, a process started
 * meanwhile counted whole. A process that exited meanwhile (a backend closing, an autovacuum
 * worker) took its time with it: left out, which undercounts, where a difference of totals
 * could even go negative.
 */
export function postgresCpuBetween(
  before: ReadonlyMap<number, number> | null,
  after: ReadonlyMap<number, number> | null,
): number | null {
  if (before === null || after === null) return null;
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - Math.min(before.get(pid) ?? 0, seconds);
  return total;
}
