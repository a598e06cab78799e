// What hot-path levers buy, each against its own baseline in one run, alternating rounds:
//   npx tsx bench/hot-path-levers.ts [--rounds 3] [--tokens 2000] [--appends 300] [--concurrency 16]
// - token verification: the same bearer token verified again and again, without the memory of
//   verified tokens (every request checks the ES256 signature: the baseline) and with it;
// - audit appends on the machine's PostgreSQL: every group commit as the locked five-statement
//   transaction (the baseline), as one statement planned at every execution (on the shared pool)
//   and as one statement planned once (on its own connection), one at a time and `concurrency` at a time;
// - an audit batch's Merkle root over 10,000 leaves: the longest the event loop waits while it is
//   computed in one go (the baseline) and in slices that give the loop a turn (the lever).
// Prints each round's ratio and the median; the load average is printed beside them, since
// the machine may be shared.
import { createHash } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair } from 'jose';
import { mintToken } from '../src/auth/token-minter.js';
import { merkleRoot, merkleRootInSlices } from '../src/domain/merkle.js';
import { TokenVerifier } from '../src/auth/token-verifier.js';
import { PrismaControlPlane } from '../src/stores/control-plane.js';
import { openDatabase } from '../src/stores/database.js';
import { applyMigrations } from '../src/stores/migrate.js';
import { newAuditEvent } from '../test/support/audit-events.js';
import { createTestDatabase } from '../test/support/postgres.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    tokens: { type: 'string', default: '2000' },
    appends: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '16' },
  },
});
const rounds = Number(values.rounds);
const tokens = Number(values.tokens);
const appends = Number(values.appends);
const concurrency = Number(values.concurrency);

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const load = (): string => os.loadavg()[0]!.toFixed(2);

/** Operations per second of `count` calls of `op`, `parallel` at a time. */
async function rate(count: number, parallel: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function tokenRounds(): Promise<void> {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const organisations = [
    { id: 'charite-berlin', name: 'Charité', jurisdiction: 'DE', keys: [await exportJWK(pair.publicKey)] },
  ];
  const token = await mintToken(await exportJWK(pair.privateKey), {
    organisationId: 'charite-berlin',
    subject: 'dr-weber',
    roles: ['clinician'],
    audience: 'meridian-gateway',
  });
  const verifier = (rememberTokens: number): TokenVerifier =>
    new TokenVerifier({
      organisations,
      audience: 'meridian-gateway',
      patientJurisdictions: () => Promise.resolve([]),
      rememberTokens,
    });
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const plain = verifier(0);
    const remembering = verifier(10_000);
    const baseline = await rate(tokens, 1, () => plain.verify(token));
    const lever = await rate(tokens, 1, () => remembering.verify(token));
    ratios.push(lever / baseline);
    console.log(
      `tokens round ${r + 1}: baseline ${baseline.toFixed(0)} verifies/s, remembered ${lever.toFixed(0)} verifies/s, ` +
        `ratio ${(lever / baseline).toFixed(2)} (load ${load()})`,
    );
  }
  console.log(`tokens: median ratio ${median(ratios).toFixed(2)}`);
}

async function auditRounds(): Promise<void> {
  const database = await createTestDatabase('bench_audit');
  const db = await openDatabase('control', { kind: 'postgres', url: database.url });
  try {
    await applyMigrations(db, 'control');
    // One database, three writers: each one's appends move the head, so the next writer's first
    // append of each round finds its guess stale and takes the locked path, as after another gateway's.
    const locked = new PrismaControlPlane(db, { oneStatement: false });
    // The one statement on the shared pool, where PostgreSQL plans it anew at every execution.
    const replanned = new PrismaControlPlane({ ...db, planOncePool: db.pool });
    const single = new PrismaControlPlane(db);
    let n = 0;
    const append = (writer: PrismaControlPlane) => () => writer.auditLog.append(newAuditEvent(`e-${n++}`, 12));
    for (const parallel of [1, concurrency]) {
      const ratios: number[] = [];
      const planRatios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const baseline = await rate(appends, parallel, append(locked));
        const statement = await rate(appends, parallel, append(replanned));
        const lever = await rate(appends, parallel, append(single));
        ratios.push(lever / baseline);
        planRatios.push(lever / statement);
        console.log(
          `audit ${String(parallel).padStart(2)} at a time, round ${r + 1}: locked ${baseline.toFixed(0)} appends/s, ` +
            `one statement planned at every execution ${statement.toFixed(0)}, planned once ${lever.toFixed(0)}; ` +
            `ratios ${(lever / baseline).toFixed(2)} and ${(lever / statement).toFixed(2)} (load ${load()})`,
        );
      }
      console.log(
        `audit ${parallel} at a time: median ratio ${median(ratios).toFixed(2)} to the locked transaction, ` +
          `${median(planRatios).toFixed(2)} to the statement planned at every execution`,
      );
    }
    const verified = await single.auditLog.verifyChain();
    if (!verified.ok) throw new Error(`the chain does not verify: ${JSON.stringify(verified.firstBad)}`);
    console.log(`audit chain: ${verified.events} events, verifies`);
    await locked.close();
    await replanned.close();
    await single.close();
  } finally {
    await db.close();
    await database.drop();
  }
}

/** The longest gap, in ms, between turns of a 1 ms ticker while `work` runs. */
async function longestStall(work: () => unknown): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  await new Promise((resolve) => setTimeout(resolve, 5));
  last = performance.now();
  await work();
  longest = Math.max(longest, performance.now() - last);
  clearInterval(ticker);
  return longest;
}

async function merkleRounds(): Promise<void> {
  const leaves = Array.from({ length: 10_000 }, (_, i) => createHash('sha256').update(`event-${i}`).digest('hex'));
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const baseline = await longestStall(() => merkleRoot(leaves));
    const lever = await longestStall(() => merkleRootInSlices(leaves));
    ratios.push(lever / baseline);
    console.log(
      `merkle root of 10,000 leaves, round ${r + 1}: longest event-loop stall ${baseline.toFixed(1)} ms at once, ` +
        `${lever.toFixed(1)} ms in slices, ratio ${(lever / baseline).toFixed(2)} (load ${load()})`,
    );
  }
  console.log(`merkle root: median stall ratio ${median(ratios).toFixed(2)}`);
}

console.log(`${os.cpus().length} CPUs, load average ${load()} at the start`);
await tokenRounds();
await auditRounds();
await merkleRounds();
