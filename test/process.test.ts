import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regionUrlVariable } from '../src/config/regions.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';

// These run the built `meridian` command and gateway as an operator would (npm install builds dist/).
const root = path.resolve(fileURLToPath(import.meta.url), '..', '..');
const bin = path.join(root, 'bin', 'meridian.js');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function start(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: 'pipe',
  });
}

/** Starts `meridian serve` and resolves with its GraphQL URL once it logs that it listens. */
async function serve(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const child = start(['serve'], env);
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`gateway did not start:\n${log}`));
    }, 120_000);
    child.stdout?.on('data', () => {
      const m = /"url":"(http:[^"]+)"/.exec(log);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return { child, url, log: () => log };
}

async function run(args: string[], env: Record<string, string>): Promise<Run> {
  const child = start(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('the meridian command and gateway process', () => {
  const dbs: TestDatabase[] = [];
  let env: Record<string, string>;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'meridian-proc-'));
    env = { MERIDIAN_DATA_DIR: dataDir, MERIDIAN_REGIONS: 'eu-de=DE,eu-fr=FR', LOG_LEVEL: 'info' };
    for (const name of ['control', 'eu-de', 'eu-fr']) {
      const db = await createTestDatabase(`proc_${name}`);
      dbs.push(db);
      env[name === 'control' ? 'MERIDIAN_CONTROL_URL' : regionUrlVariable(name)] = db.url;
    }
  });
  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.drop()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('`meridian migrate` creates the schema on empty PostgreSQL databases, offline, and is idempotent', async () => {
    const first = await run(['migrate'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/control: applied \d+_init/);
    expect(first.stdout).toMatch(/eu-de: applied \d+_init/);
    const client = new pg.Client({ connectionString: dbs[1]!.url });
    await client.connect();
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'records'",
    );
    await client.end();
    expect(rows[0]?.n).toBe('1');
    const again = await run(['migrate'], env);
    expect(again.stdout).toMatch(/eu-fr: up to date/);
  });

  it('refuses to mint dev tokens outside development mode', async () => {
    const res = await run(['token', '--persona', 'dr-weber'], {
      ...env,
      NODE_ENV: 'production',
      MERIDIAN_ORG_KEYS_FILE: '/dev/null',
      MERIDIAN_PSEUDONYM_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/development tokens only/);
    expect(res.stdout).toBe('');
  });

  it('`meridian --version` prints the package version; an unknown command is refused with the list of commands', async () => {
    const version = await run(['--version'], env);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
    const bogus = await run(['bogus'], env);
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toMatch(/unknown command 'bogus'/);
    expect(bogus.stderr).not.toMatch(/too many arguments/);
    for (const command of ['serve', 'migrate', 'token', 'import', 'ledger']) {
      expect(bogus.stderr).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
  });

  it('names the setting, the file, the entry and the fault of a bad organisation keys file', async () => {
    const file = path.join(dataDir, 'org-keys.json');
    await writeFile(
      file,
      JSON.stringify({
        Bad_Org: { name: 'x', jurisdiction: 'DE', keys: [{ kty: 'OKP' }] },
        'charite-berlin': { jurisdiction: 'Germany', keys: [] },
      }),
    );
    const bad = await run(['serve'], { ...env, PORT: '0', MERIDIAN_ORG_KEYS_FILE: file });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`MERIDIAN_ORG_KEYS_FILE: ${file} is invalid`);
    expect(bad.stderr).toMatch(/Bad_Org: "Bad_Org" is not a valid key: organisation id: lower-case letters/);
    expect(bad.stderr).toMatch(/charite-berlin\.name: required \(string\) but missing/);
    expect(bad.stderr).toMatch(/charite-berlin\.jurisdiction: an ISO 3166 code/);
    expect(bad.stderr).toMatch(/charite-berlin\.keys: at least one public key/);
    const missing = await run(['serve'], { ...env, PORT: '0', MERIDIAN_ORG_KEYS_FILE: `${file}.gone` });
    expect(missing.stderr).toContain(`MERIDIAN_ORG_KEYS_FILE: ${file}.gone does not exist`);
    await writeFile(file, '{"charite-berlin": ');
    const truncated = await run(['serve'], { ...env, PORT: '0', MERIDIAN_ORG_KEYS_FILE: file });
    expect(truncated.stderr).toContain(`MERIDIAN_ORG_KEYS_FILE: ${file} is not valid JSON`);
  });

  it('stops at start with every bad variable listed', async () => {
    const res = await run(['serve'], { ...env, PORT: 'x', MERIDIAN_REGION_EU_FR_URL: 'http://nope' });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/PORT/);
  });

  it('serves, logs JSON lines with request ids and no clinical data, and shuts down gracefully on SIGTERM', async () => {
    const child = start(['serve'], { ...env, PORT: '0', MERIDIAN_SEED_DEMO: 'true', MERIDIAN_DEMO_PATIENTS: '4' });
    let log = '';
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`gateway did not start:\n${log}`));
      }, 60_000);
      child.stdout?.on('data', () => {
        const m = /"url":"(http:[^"]+)"/.exec(log);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    const token = (await run(['token', '--persona', 'dr-weber'], env)).stdout.trim();
    const demo = JSON.parse((await run(['demo', '--json'], { ...env, MERIDIAN_DEMO_PATIENTS: '4' })).stdout) as {
      patients: { id: string; name: string; regions: string[] }[];
    };
    const patient = demo.patients.find((p) => p.regions.length > 1)!;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'x-request-id': 'ops-check-000001',
      },
      body: JSON.stringify({
        query: `{ patientSummary(patientId: "${patient.id}", purpose: TREAT) { demographics { name } problems { display } } }`,
      }),
    });
    const body = (await res.json()) as { data: { patientSummary: { demographics: { name: string }[] } } };
    expect(body.data.patientSummary.demographics[0]?.name).toBe(patient.name);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    const lines = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.requestId === 'ops-check-000001')).toMatchObject({
      msg: 'graphql request',
      org: 'charite-berlin',
    });
    expect(lines.at(-1)).toMatchObject({ msg: 'meridian gateway stopped' });
    expect(log).not.toContain(patient.name);
    expect(log).not.toContain(patient.name.split(' ')[1]);
  });

  it('`meridian ledger status` reads the embedded ledger beside a running embedded gateway', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'meridian-proc-embedded-'));
    const embedded = { MERIDIAN_DATA_DIR: folder, MERIDIAN_REGIONS: 'eu-de=DE', LOG_LEVEL: 'warn' };
    const gateway = await serve({ ...embedded, PORT: '0', LOG_LEVEL: 'info', MERIDIAN_DEMO_PATIENTS: '2' });
    try {
      const status = await run(['ledger', 'status'], embedded);
      expect(status.stderr).toBe('');
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/Ledger: +embedded/);
      expect(status.stdout).toMatch(/Chain: +verified/);
      expect(status.stdout).toMatch(/Checkpoint: +not read: a running gateway holds the embedded control plane/);
      expect(Number(/Transactions: +(\d+)/.exec(status.stdout)?.[1])).toBeGreaterThan(0);
      // The gateway still answers: status took no lock from it.
      expect((await fetch(gateway.url.replace(/\/graphql$/, '/readyz'))).status).toBe(200);
    } finally {
      gateway.child.kill('SIGTERM');
      await once(gateway.child, 'exit');
      await rm(folder, { recursive: true, force: true });
    }
  }, 240_000);
});
