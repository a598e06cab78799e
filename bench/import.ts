// `npm run bench:import`: `meridian import` of the Synthea samples, and of them replicated to
// 100 patients, against a baseline in the same run (the same records' JSON inserted into a bare
// PostgreSQL table in one transaction: the floor any importer pays). Reports records/s, peak
// RSS and the fixed start-up cost (a 4-record IPS document). Results: bench/results/import-*.md.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { mapBundle } from '../src/fhir/bundle-records.js';
import { PrismaControlPlane } from '../src/stores/control-plane.js';
import { openDatabase } from '../src/stores/database.js';
import { applyMigrations } from '../src/stores/migrate.js';
import { createTestDatabase, type TestDatabase } from '../test/support/postgres.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SYNTHEA = path.resolve(ROOT, '../shared/fhir-samples/synthea');
const IPS_MINIMAL = path.resolve(ROOT, '../shared/fhir-samples/ips/bundle-minimal.json');
const REPLICAS = 20;
const NODE = path.join(ROOT, 'node_modules/.bin/node');

interface Run {
  readonly name: string;
  readonly bundles: number;
  readonly records: number;
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly recordsPerSecond: number;
}

const log = (text: string): void => {
  process.stderr.write(`bench:import ${text}\n`);
};

/** The patient bundles of the Synthea samples (the hospital and practitioner bundles hold no records). */
async function patientFiles(): Promise<string[]> {
  return (await readdir(SYNTHEA))
    .filter((f) => f.endsWith('.json') && !/^(hospital|practitioner)Information/.test(f))
    .map((f) => path.join(SYNTHEA, f));
}

/** Copies of the samples as other patients: every UUID rewritten per copy, so nothing collides. */
async function replicate(files: readonly string[], dir: string): Promise<void> {
  for (let copy = 0; copy < REPLICAS; copy++) {
    const tag = copy.toString(16).padStart(4, '0');
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      const out = text.replace(
        /([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})/g,
        `$1-${tag}-$3-$4-$5`,
      );
      await writeFile(path.join(dir, `${tag}-${path.basename(file)}`), out);
    }
  }
}

/** Runs `meridian import` in its own process; wall time and peak RSS as /usr/bin/time measures them. */
async function cliImport(
  env: NodeJS.ProcessEnv,
  targets: readonly string[],
): Promise<{ seconds: number; peakRssMb: number }> {
  const args = [
    '-f',
    '%e %M',
    NODE,
    'bin/meridian.js',
    'import',
    ...targets,
    '--region',
    'us-ma',
    '--organisation',
    'mgh-boston',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stderr.trim().split('\n').pop() ?? '';
      const [seconds, kb] = last.split(' ').map(Number);
      if (code !== 0 || seconds === undefined || kb === undefined)
        reject(new Error(`import failed (${code}): ${stderr}`));
      else resolve({ seconds, peakRssMb: kb / 1024 });
    });
  });
}

/** The records the bundles hold, as Meridian maps them: what the baseline inserts. */
async function recordsOf(files: readonly string[]): Promise<{ key: string; resource: unknown }[]> {
  const out: { key: string; resource: unknown }[] = [];
  for (const file of files) {
    const { bundle } = await mapBundle(JSON.parse(await readFile(file, 'utf8')), {
      organisationId: 'mgh-boston',
      knownOrganisations: [],
      now: new Date(),
    });
    for (const r of bundle?.records ?? [])
      out.push({ key: `${path.basename(file)}/${r.resourceType}/${r.resourceId}`, resource: r.resource });
  }
  return out;
}

/** Baseline: the same JSON into a bare table, 1000 rows a statement, one transaction. */
async function baseline(url: string, records: readonly { key: string; resource: unknown }[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS baseline (key text PRIMARY KEY, resource jsonb NOT NULL)');
    await client.query('TRUNCATE baseline');
    const started = performance.now();
    await client.query('BEGIN');
    for (let i = 0; i < records.length; i += 1000) {
      const chunk = records.slice(i, i + 1000);
      const values = chunk.map((_, j) => `($${2 * j + 1}, $${2 * j + 2})`).join(',');
      await client.query(
        `INSERT INTO baseline VALUES ${values}`,
        chunk.flatMap((r) => [r.key, JSON.stringify(r.resource)]),
      );
    }
    await client.query('COMMIT');
    return (performance.now() - started) / 1000;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const dbs: TestDatabase[] = [];
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'meridian-bench-import-'));
  try {
    const files = await patientFiles();
    const replicated = path.join(dataDir, 'replicated');
    await mkdir(replicated);
    await replicate(files, replicated);
    const runs: Run[] = [];
    const sets = [
      { name: `Synthea samples (${files.length} patients)`, targets: files, files },
      {
        name: `replicated to ${files.length * REPLICAS} patients`,
        targets: [replicated],
        files: (await readdir(replicated)).map((f) => path.join(replicated, f)),
      },
    ];
    let startup = 0;
    for (const set of sets) {
      const control = await createTestDatabase('fhir_bench_control');
      const region = await createTestDatabase('fhir_bench_us_ma');
      dbs.push(control, region);
      const db = await openDatabase('control', { kind: 'postgres', url: control.url });
      await applyMigrations(db, 'control');
      const plane = new PrismaControlPlane(db);
      await plane.upsertOrganisations([
        { id: 'mgh-boston', name: 'Massachusetts General Hospital', jurisdiction: 'US-MA' },
      ]);
      await plane.close();
      await db.close();
      const env = {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'silent',
        MERIDIAN_DATA_DIR: path.join(dataDir, `data-${runs.length}`),
        MERIDIAN_REGIONS: 'us-ma=US-MA',
        MERIDIAN_CONTROL_URL: control.url,
        MERIDIAN_REGION_US_MA_URL: region.url,
      };
      if (runs.length === 0) {
        startup = (await cliImport(env, [IPS_MINIMAL])).seconds; // also migrates the region
        log(`start-up with a 4-record document: ${startup.toFixed(1)} s`);
      }
      log(`${set.name}: importing ${set.files.length} bundles`);
      const measured = await cliImport(env, set.targets);
      const records = (await recordsOf(set.files)).length;
      const run = {
        name: set.name,
        bundles: set.files.length,
        records,
        ...measured,
        recordsPerSecond: records / measured.seconds,
      };
      log(
        `${set.name}: ${records} records in ${measured.seconds.toFixed(1)} s, peak RSS ${measured.peakRssMb.toFixed(0)} MB`,
      );
      runs.push(run);
    }
    const big = await recordsOf(sets[1]!.files);
    const baselineSeconds = await baseline(dbs[1]!.url, big);
    const baselineRate = big.length / baselineSeconds;
    log(`baseline: ${big.length} rows in ${baselineSeconds.toFixed(2)} s`);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const lines = [
      `# Import benchmark, ${stamp}`,
      '',
      `Machine: ${os.cpus().length} cores (shared), load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}; PostgreSQL on 127.0.0.1; embedded ledger.`,
      '',
      `\`meridian import <folder> --region us-ma\` in its own process (validation by the FHIR R4 validator, mapping, one transaction per bundle, anchoring on the ledger, patient index), wall time and peak RSS by /usr/bin/time. Baseline: the same ${big.length} records' JSON inserted into a bare table in one transaction (${baselineRate.toFixed(0)} records/s).`,
      '',
      '| data set | bundles | records | seconds | records/s | ratio to baseline | peak RSS |',
      '|---|---|---|---|---|---|---|',
      ...runs.map(
        (r) =>
          `| ${r.name} | ${r.bundles} | ${r.records} | ${r.seconds.toFixed(1)} | ${r.recordsPerSecond.toFixed(0)} | ${(r.recordsPerSecond / baselineRate).toFixed(3)} | ${r.peakRssMb.toFixed(0)} MB |`,
      ),
      '',
      `Fixed start-up cost (a 4-record IPS document, including the first migration of the region): ${startup.toFixed(1)} s.`,
      '',
    ];
    await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
    await writeFile(path.join(ROOT, `bench/results/import-${stamp}.md`), lines.join('\n'));
    await writeFile(path.join(ROOT, 'bench/results/import-latest.md'), lines.join('\n'));
    process.stdout.write(lines.join('\n'));
  } finally {
    await Promise.allSettled(dbs.map((d) => d.drop()));
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
