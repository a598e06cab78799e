import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphQLResponse } from '../gateway.js';
import { postGraphQL } from '../gateway.js';

const root = path.resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');

/** A gateway as an operator runs it: `meridian serve` (the built dist/) in a process of its own. */
export class GatewayProcess {
  readonly name: string;
  readonly url: string;
  readonly #env: Readonly<Record<string, string>>;
  readonly #logFile: string;
  #child: ChildProcess | null = null;

  constructor(name: string, port: number, env: Readonly<Record<string, string>>, logFile: string) {
    this.name = name;
    this.url = `http://127.0.0.1:${String(port)}/graphql`;
    this.#env = { ...env, PORT: String(port), HOST: '127.0.0.1' };
    this.#logFile = logFile;
  }

  /** Starts it and resolves once it listens; rejects with its last log lines if it exits first. */
  async start(): Promise<void> {
    const log = createWriteStream(this.#logFile, { flags: 'a' });
    const child = spawn(process.execPath, [path.join(root, 'bin', 'meridian.js'), 'serve'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...this.#env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        log.write(chunk);
        output = (output + chunk.toString()).slice(-20_000);
        if (output.includes('"meridian gateway listening"')) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code, signal) => {
        log.end();
        reject(
          new Error(
            `gateway ${this.name} exited (${String(code ?? signal)}) before listening:\n${output.slice(-3000)}`,
          ),
        );
      });
    });
  }

  /** `kill -9`: no shutdown hook runs, nothing is flushed. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child?.pid === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid, 'SIGKILL');
    await exited;
    this.#child = null;
  }

  /** SIGTERM, as an operator stops it; SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child?.pid === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    this.#child = null;
  }

  graphql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
    token: string,
  ): Promise<GraphQLResponse<T>> {
    return postGraphQL<T>(this.url, { query, variables }, token);
  }
}
