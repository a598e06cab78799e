import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a server child tells the bench once it listens, or why it could not start. (Any message back stops it.) */
export type ServerMessage =
  { readonly type: 'ready'; readonly url: string } | { readonly type: 'failed'; readonly error: string };

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 15_000;

/**
 * Starts a server under test in a process of its own (its own event loop and CPU, apart from
 * the load generator), on the same Node as the bench, TypeScript loaded by tsx. Resolves once
 * it listens.
 */
export function startServerProcess(
  script: string,
  env: Readonly<Record<string, string>>,
  startTimeoutMs = 120_000,
): Promise<ServerProcess> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    // Only the bench decides the gateway's configuration: none of the shell's MERIDIAN_* settings.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MERIDIAN_'))), ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
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
    child.once('message', (message: ServerMessage) => {
      clearTimeout(timer);
      child.off('exit', exited);
      if (message.type === 'failed') {
        reject(new Error(`${script} failed to start: ${message.error}`));
        return;
      }
      resolve({ url: message.url, pid: child.pid ?? -1, stop: () => stopChild(child) });
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
    if (child.connected) child.send('stop');
    else child.kill('SIGTERM');
  });
}

/**
 * The child's side: reports the URL (or the failure) to the bench, and closes the server when
 * told to, or when the bench is gone.
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
  process.on('message', stop);
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', () => undefined);
  send({ type: 'ready', url: server.url });
}
