// How long the embedded ledger takes to open as its log grows:
//   npx tsx bench/ledger-startup.ts [--sizes 1000,10000,100000] [--repeat 3] [--gateway] [--out bench/results/ledger-startup.md]
// For each size it commits that many transactions through the ledger's own API (consents
// recorded for rotating patients by a handful of gateways, every third a records batch
// anchor), closes it (which writes the state snapshot), and then times, in the same run:
//   - open from the snapshot (what a restart does now);
//   - open by full replay of the same log (the snapshot removed), the baseline;
//   - open by full replay of the same history in the old log format, every entry carrying
//     its invoker's certificate (the log re-chained and re-signed with the ledger's own key),
//     which is what a start-up cost before snapshots and certificates by hash.
// Each figure is the median of --repeat opens; the ratio is baseline over snapshot.
// --gateway also starts the built gateway (npm run build first) on each ledger and on an empty
// one and times spawn to /readyz 200.
import { cpus, loadavg, tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddedLedger } from '../src/ledger/embedded-ledger.js';
import { GLOBAL_IDS, LedgerClient } from '../src/ledger/ledger-client.js';
import { LEDGER_FILES } from '../src/ledger/ledger-folder.js';
import { LedgerKey } from '../src/ledger/ledger-key.js';
import { LogCertificates } from '../src/ledger/log-certificates.js';
import { formatLogEntry, GENESIS_HASH, hashEntryBody, parseLogEntry, type LogEntry } from '../src/ledger/log-entry.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    repeat: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/results/ledger-startup.md' },
    gateway: { type: 'boolean', default: false },
  },
});
const sizes = values.sizes.split(',').map(Number);
const repeat = Number(values.repeat);
const gateways = ['eu-de', 'eu-fr', 'us-ma', 'uk-ldn'].map((r) => ({ user: `gateway-${r}`, role: 'gateway' }));

interface Row {
  readonly transactions: number;
  readonly buildSeconds: number;
  readonly logBytes: number;
  readonly oldLogBytes: number;
  readonly snapshotBytes: number;
  readonly snapshotOpen: number;
  readonly fullReplay: number;
  readonly oldFormatReplay: number;
  /** With --gateway: seconds from `meridian serve` to /readyz 200, on this ledger and on an empty one. */
  readonly gateway?: { readonly first: number; readonly restart: number; readonly emptyRestart: number };
}

const hex = (n: number, salt: string): string => `${salt}${n.toString(16)}`.padStart(64, '0').slice(-64);

/** Commits `count` transactions, as fast as the ledger takes them (16 in flight). */
async function build(dir: string, count: number): Promise<number> {
  const ledger = await EmbeddedLedger.open({ dir });
  const client = new LedgerClient(ledger, GLOBAL_IDS);
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const i = next++;
        const actor = gateways[i % gateways.length]!;
        if (i % 3 === 2) {
          await client.anchorBatch(actor, {
            batchId: `bench-${String(i)}`,
            kind: 'records',
            region: 'eu-de',
            merkleRoot: hex(i, 'b'),
            count: 1,
            fromTime: '2026-01-01T00:00:00Z',
            toTime: '2026-01-01T00:00:00Z',
          });
        } else {
          const patientRef = `mp-${(i % 5000).toString(16).padStart(12, '0')}`;
          await client.recordConsent(actor, {
            consentId: `consent-${String(i)}`,
            patientRef,
            hash: hex(i, 'c'),
            version: '1',
          });
        }
      }
    }),
  );
  await ledger.close();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Seconds to open the ledger in `dir` and have it ready; `prepare` runs before each open, untimed. */
async function openTime(dir: string, expected: number, prepare: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    await prepare();
    const start = process.hrtime.bigint();
    const ledger = await EmbeddedLedger.open({ dir });
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (ledger.height !== expected)
      throw new Error(`opened at height ${String(ledger.height)}, not ${String(expected)}`);
    await ledger.close();
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** The same history in the format before certificates by hash: each entry carries its certificate, re-signed. */
async function writeOldFormat(dir: string): Promise<void> {
  const file = path.join(dir, LEDGER_FILES.log);
  const key = await LedgerKey.load(path.join(dir, LEDGER_FILES.key));
  const certificates = new LogCertificates();
  const lines: string[] = [];
  let prevHash = GENESIS_HASH;
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (line === '') continue;
    const entry = parseLogEntry(line);
    const resolved = certificates.resolve(entry.invoker);
    if (!('pem' in resolved)) throw new Error(resolved.problem);
    certificates.add(resolved.pem);
    const old = {
      ...entry,
      invoker: { mspId: entry.invoker.mspId, id: entry.invoker.id, certificate: resolved.pem },
      prevHash,
      hash: '',
      signature: '',
    };
    const hash = hashEntryBody(old);
    const signed: LogEntry = { ...old, hash, signature: key.sign(hash) };
    lines.push(formatLogEntry(signed));
    prevHash = hash;
  }
  await writeFile(file, `${lines.join('\n')}\n`);
  await rm(path.join(dir, LEDGER_FILES.snapshot), { force: true });
}

/**
 * Seconds from spawning the built gateway (`node dist/cli/main.js serve`, embedded defaults:
 * PGlite regions, the embedded ledger in `<dataDir>/ledger`, demo data) until /readyz answers 200.
 */
async function gatewayStart(dataDir: string, port: number): Promise<number> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MERIDIAN_')));
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, ['dist/cli/main.js', 'serve'], {
    env: { ...env, MERIDIAN_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the gateway exited (code ${String(child.exitCode)})`);
      const ready = await fetch(`http://127.0.0.1:${String(port)}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) return Number(process.hrtime.bigint() - start) / 1e9;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** The gateway's first start and restart with `ledgerDir` as its ledger, and a restart on an empty ledger. */
async function gatewayTimes(root: string, ledgerDir: string): Promise<NonNullable<Row['gateway']>> {
  const withLedger = path.join(root, 'gateway');
  await mkdir(withLedger, { recursive: true });
  await cp(ledgerDir, path.join(withLedger, 'ledger'), { recursive: true });
  const first = await gatewayStart(withLedger, 4711);
  const restart = await gatewayStart(withLedger, 4711);
  const empty = path.join(root, 'gateway-empty');
  await gatewayStart(empty, 4711);
  const emptyRestart = await gatewayStart(empty, 4711);
  await rm(withLedger, { recursive: true, force: true });
  await rm(empty, { recursive: true, force: true });
  return { first, restart, emptyRestart };
}

const size = async (file: string): Promise<number> => (await stat(file)).size;
const removeSnapshot = (dir: string) => (): Promise<void> => rm(path.join(dir, LEDGER_FILES.snapshot), { force: true });

const rows: Row[] = [];
const root = await mkdtemp(path.join(tmpdir(), 'meridian-bench-startup-'));
try {
  for (const transactions of sizes) {
    const dir = path.join(root, String(transactions));
    const buildSeconds = await build(dir, transactions);
    const logBytes = await size(path.join(dir, LEDGER_FILES.log));
    const snapshotBytes = await size(path.join(dir, LEDGER_FILES.snapshot));
    const snapshotCopy = await readFile(path.join(dir, LEDGER_FILES.snapshot));
    const restoreSnapshot = (): Promise<void> => writeFile(path.join(dir, LEDGER_FILES.snapshot), snapshotCopy);
    const snapshotOpen = await openTime(dir, transactions, restoreSnapshot);
    await restoreSnapshot();
    const gateway = values.gateway ? await gatewayTimes(root, dir) : undefined;
    const fullReplay = await openTime(dir, transactions, removeSnapshot(dir));
    const oldDir = path.join(root, `${String(transactions)}-old`);
    await cp(dir, oldDir, { recursive: true });
    await writeOldFormat(oldDir);
    const oldLogBytes = await size(path.join(oldDir, LEDGER_FILES.log));
    const oldFormatReplay = await openTime(oldDir, transactions, removeSnapshot(oldDir));
    await rm(oldDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
    const row = {
      transactions,
      buildSeconds,
      logBytes,
      oldLogBytes,
      snapshotBytes,
      snapshotOpen,
      fullReplay,
      oldFormatReplay,
      ...(gateway !== undefined ? { gateway } : {}),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
} finally {
  await rm(root, { recursive: true, force: true });
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const s = (seconds: number): string => `${seconds.toFixed(3)} s`;
const report = [
  `# Embedded ledger start-up, ${new Date().toISOString()}`,
  '',
  `Machine: ${String(cpus().length)} cores (shared), load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; Node ${process.version}.`,
  `\`npx tsx bench/ledger-startup.ts --sizes ${values.sizes} --repeat ${String(repeat)}${values.gateway ? ' --gateway' : ''}\`: \`EmbeddedLedger.open\` until it resolves, median of ${String(repeat)}.`,
  'Baseline: full replay of the same log (snapshot removed); "old format": the same history with every entry carrying its certificate, as before this change.',
  '',
  '| transactions | build (API) | log | log, old format | snapshot | open from snapshot | full replay | ratio | old format, full replay | ratio |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${String(r.transactions)} | ${r.buildSeconds.toFixed(0)} s | ${mb(r.logBytes)} | ${mb(r.oldLogBytes)} | ${mb(r.snapshotBytes)} | ${s(r.snapshotOpen)} | ${s(r.fullReplay)} | ${(r.fullReplay / r.snapshotOpen).toFixed(1)}× | ${s(r.oldFormatReplay)} | ${(r.oldFormatReplay / r.snapshotOpen).toFixed(1)}× |`,
  ),
  '',
  ...(values.gateway
    ? [
        'The gateway (`node dist/cli/main.js serve` on its embedded defaults: PGlite regions and control plane, demo data) with that ledger as its own, from spawn until `/readyz` answers 200: its first start (which seeds the demo data), a restart, and a restart of a gateway on an empty ledger, the baseline.',
        '',
        '| transactions | first start | restart | restart, empty ledger | ratio |',
        '|---|---|---|---|---|',
        ...rows.flatMap((r) =>
          r.gateway === undefined
            ? []
            : [
                `| ${String(r.transactions)} | ${s(r.gateway.first)} | ${s(r.gateway.restart)} | ${s(r.gateway.emptyRestart)} | ${(r.gateway.restart / r.gateway.emptyRestart).toFixed(1)}× |`,
              ],
        ),
        '',
      ]
    : []),
].join('\n');
await writeFile(values.out, report);
console.log(report);
