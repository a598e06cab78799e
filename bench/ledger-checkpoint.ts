// What checkpointing the embedded ledger's head in the control plane costs a commit:
//   npx tsx bench/ledger-checkpoint.ts [--commits 400] [--concurrency 16]
// Runs the same submissions on a ledger without a checkpoint (the baseline) and with the
// control plane's checkpoint on the machine's PostgreSQL, in one run, and prints the ratios.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddedLedger } from '../src/ledger/embedded-ledger.js';
import type { HeadCheckpoint } from '../src/ledger/head-checkpoint.js';
import { GLOBAL_IDS, LedgerClient } from '../src/ledger/ledger-client.js';
import { PrismaControlPlane } from '../src/stores/control-plane.js';
import { openDatabase } from '../src/stores/database.js';
import { ControlPlaneHeadCheckpoint } from '../src/stores/ledger-head-checkpoint.js';
import { applyMigrations } from '../src/stores/migrate.js';
import { createTestDatabase } from '../test/support/postgres.js';

const { values } = parseArgs({
  options: { commits: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '16' } },
});
const commits = Number(values.commits);
const concurrency = Number(values.concurrency);
const actor = { user: 'bench-gateway', role: 'gateway' };

/** Commits per second for `commits` batch anchors, `parallel` at a time. */
async function run(checkpoint: HeadCheckpoint | undefined, parallel: number): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-bench-ledger-'));
  const ledger = await EmbeddedLedger.open({ dir, headCheckpoint: checkpoint });
  const client = new LedgerClient(ledger, GLOBAL_IDS);
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < commits) {
        const i = next++;
        await client.anchorBatch(actor, {
          batchId: `bench-${String(i)}`,
          kind: 'records',
          region: 'eu-de',
          merkleRoot: 'a'.repeat(64),
          count: 1,
          fromTime: '2026-01-01T00:00:00Z',
          toTime: '2026-01-01T00:00:00Z',
        });
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await ledger.close();
  await rm(dir, { recursive: true, force: true });
  return commits / seconds;
}

const database = await createTestDatabase('bench_checkpoint');
const db = await openDatabase('control', { kind: 'postgres', url: database.url });
try {
  await applyMigrations(db, 'control');
  const control = new PrismaControlPlane(db);
  const checkpoint = new ControlPlaneHeadCheckpoint(control.chainHeads);
  for (const parallel of [1, concurrency]) {
    const baseline = await run(undefined, parallel);
    const checkpointed = await run(checkpoint, parallel);
    console.log(
      `${String(parallel).padStart(3)} at a time: baseline ${baseline.toFixed(0)} commits/s, ` +
        `checkpointed ${checkpointed.toFixed(0)} commits/s, ratio ${(checkpointed / baseline).toFixed(2)}`,
    );
  }
  await control.close();
} finally {
  await db.close();
  await database.drop();
}
