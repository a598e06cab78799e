import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorAuditBatch } from '../src/access/audit/audit-anchoring.js';
import { registerAudit } from '../src/cli/audit.command.js';
import type { CliDeps } from '../src/cli/cli-deps.js';
import { GLOBAL_IDS, LedgerClient } from '../src/ledger/ledger-client.js';
import type { Ledger, LedgerActor } from '../src/ledger/ledger.js';
import { openStores } from '../src/stores/open-stores.js';
import { Command } from 'commander';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const SUMMARY = 'query($p: ID!) { patientSummary(patientId: $p, purpose: TREAT) { receipt { decisionId } } }';
const INTEGRITY = 'integrity { ok problems { kind seq eventId detail } }';
const MY_LOG = `query { myAccessLog(first: 50) { edges { node { decisionId integrity } } ${INTEGRITY} } }`;
const ACCESS_LOG = `query { accessLog(first: 50) { edges { node { decisionId integrity } } ${INTEGRITY} } }`;
const VERIFY = /* GraphQL */ `
  query {
    verifyAuditChain {
      ok
      events
      batches
      head {
        seq
        hash
      }
      checkpoint {
        seq
        hash
      }
      ledgerHead {
        seq
        batchId
      }
      problems {
        kind
        seq
        eventId
        detail
      }
    }
  }
`;
const GATEWAY: LedgerActor = { user: 'audit-evidence-test', role: 'gateway' };

interface Problem {
  kind: string;
  seq: string | null;
  eventId: string | null;
  detail: string;
}
interface LogPage {
  edges: { node: { decisionId: string; integrity: string } }[];
  integrity: { ok: boolean; problems: Problem[] };
}
interface Verification {
  ok: boolean;
  events: number;
  batches: number;
  problems: Problem[];
}

describe('audit chain evidence: a deleted tail or an altered event is detected and shown', () => {
  let t: TestGateway;
  let control: pg.Client;
  let clinician: string;
  let patientToken: string;
  let officer: string;
  let patientId: string;

  const sql = async (text: string, values: unknown[] = []): Promise<Record<string, string>[]> =>
    (await control.query<Record<string, string>>(text, values)).rows;

  /** A clinician's read of the patient's summary: one new audit event, the newest. */
  async function read(): Promise<string> {
    const res = await t.graphql<{ patientSummary: { receipt: { decisionId: string } } }>(
      SUMMARY,
      { p: patientId },
      clinician,
    );
    return res.data!.patientSummary.receipt.decisionId;
  }
  async function verifyQuery(): Promise<Verification> {
    const res = await t.graphql<{ verifyAuditChain: Verification }>(VERIFY, {}, officer);
    expect(res.errors).toEqual([]);
    return res.data!.verifyAuditChain;
  }
  async function page(query: string, token: string, field: 'myAccessLog' | 'accessLog'): Promise<LogPage> {
    const res = await t.graphql<Record<string, LogPage>>(query, {}, token);
    expect(res.errors).toEqual([]);
    return res.data![field]!;
  }
  /** `meridian audit verify` on the gateway's databases and (shared, still open) ledger. */
  async function command(): Promise<{ text: string; exitCode: unknown }> {
    const out: string[] = [];
    const ledger = t.gateway.ledger;
    const shared: Ledger = {
      submit: (a, fn, args) => ledger.submit(a, fn, args),
      evaluate: (a, fn, args) => ledger.evaluate(a, fn, args),
      events: (c) => ledger.events(c),
      close: () => Promise.resolve(),
    };
    const deps: CliDeps = {
      loadConfig: () => t.config,
      openStores: (config) => openStores(config),
      openLedger: () => Promise.resolve(shared),
      out: (line) => out.push(line),
      err: () => undefined,
    };
    const program = new Command('meridian').exitOverride();
    registerAudit(program, deps);
    process.exitCode = undefined;
    await program.parseAsync(['audit', 'verify'], { from: 'user' });
    const exitCode = process.exitCode;
    process.exitCode = undefined;
    return { text: out.join('\n'), exitCode };
  }
  /** Deletes the newest `n` events as an intruder would, keeping them aside to put back. */
  async function deleteNewest(n: number): Promise<Record<string, string>[]> {
    return sql(
      `WITH d AS (DELETE FROM audit_events WHERE seq IN (SELECT seq FROM audit_events ORDER BY seq DESC LIMIT ${String(n)}) RETURNING *)
       INSERT INTO removed_events SELECT * FROM d RETURNING id, seq::text`,
    );
  }
  async function restore(): Promise<void> {
    await sql('INSERT INTO audit_events SELECT * FROM removed_events');
    await sql('DELETE FROM removed_events');
  }

  beforeAll(async () => {
    t = await startTestGateway({ patients: 4, env: { MERIDIAN_AUDIT_ANCHOR_INTERVAL_MS: '3600000' } });
    control = new pg.Client({ connectionString: t.databases.get('control')!.url });
    await control.connect();
    await sql('CREATE TEMP TABLE removed_events (LIKE audit_events)');
    clinician = await t.token('dr-weber');
    officer = await t.token('officer-schmidt');
    const persona = t.demo.personas.find((p) => p.role === 'patient')!;
    patientId = persona.patientId!;
    patientToken = await t.token(persona.name);
    await t.consentToTreatment(patientId);
    for (let i = 0; i < 3; i++) await read();
  });
  afterAll(async () => {
    await control.end();
    await t.close();
  });

  it('verifies a sound chain: the command, the query and the access logs say so', async () => {
    expect(await verifyQuery()).toMatchObject({ ok: true, problems: [] });
    const cli = await command();
    expect(cli.exitCode).toBeUndefined();
    expect(cli.text).toMatch(/OK$/);
    const mine = await page(MY_LOG, patientToken, 'myAccessLog');
    expect(mine.integrity).toEqual({ ok: true, problems: [] });
    expect(mine.edges.length).toBeGreaterThanOrEqual(3);
    expect(new Set(mine.edges.map((e) => e.node.integrity))).toEqual(new Set(['INTACT']));
  });

  it('detects the newest events deleted before anchoring, against the checkpoint', async () => {
    const last = await read();
    const [{ seq: checkpointSeq }] = (await sql("SELECT seq::text FROM chain_heads WHERE chain = 'audit'")) as [
      { seq: string },
    ];
    const removed = await deleteNewest(2);
    expect(removed.map((r) => r.id)).toContain(last);
    try {
      const missing = new RegExp(`checkpoint records #${checkpointSeq} `);
      const verification = await verifyQuery();
      expect(verification.ok).toBe(false);
      expect(verification.problems).toContainEqual(expect.objectContaining({ kind: 'MISSING_TAIL' }));
      expect(verification.problems.find((p) => p.kind === 'MISSING_TAIL')!.detail).toMatch(missing);

      const cli = await command();
      expect(cli.exitCode).toBe(1);
      expect(cli.text).toMatch(/FAILED: 1 problem:\n {2}missing_tail at #\d+: The newest audit events are missing/);
      expect(cli.text).toMatch(missing);

      // The read is gone from the patient's log, and the log says that events are missing.
      const mine = await page(MY_LOG, patientToken, 'myAccessLog');
      expect(mine.edges.map((e) => e.node.decisionId)).not.toContain(last);
      expect(mine.integrity.ok).toBe(false);
      expect(mine.integrity.problems.map((p) => p.kind)).toEqual(['MISSING_TAIL']);
      const officers = await page(ACCESS_LOG, officer, 'accessLog');
      expect(officers.integrity.problems.map((p) => p.kind)).toEqual(['MISSING_TAIL']);
    } finally {
      await restore();
    }
    expect(await verifyQuery()).toMatchObject({ ok: true });
  });

  it('detects anchored events deleted, checkpoint rolled back to match, against the ledger', async () => {
    const last = await read();
    const batch = await anchorAuditBatch(
      t.gateway.stores.control.auditLog,
      new LedgerClient(t.gateway.ledger, GLOBAL_IDS),
      GATEWAY,
    );
    expect(batch).not.toBeNull();
    const [saved] = await sql("SELECT seq::text, hash FROM chain_heads WHERE chain = 'audit'");
    await deleteNewest(2);
    // The intruder also moves the checkpoint back to the new end, so only the ledger still knows.
    await sql(
      `UPDATE chain_heads SET (seq, hash) = (SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1) WHERE chain = 'audit'`,
    );
    try {
      const ledgerGone = new RegExp(`ledger's newest audit batch ends at #${saved!.seq} `);
      const verification = await verifyQuery();
      expect(verification.ok).toBe(false);
      const kinds = verification.problems.map((p) => p.kind);
      expect(kinds).toContain('MISSING_TAIL');
      expect(kinds).toContain('ANCHOR');
      expect(kinds).not.toContain('CHECKPOINT');
      expect(verification.problems.find((p) => p.kind === 'MISSING_TAIL')!.detail).toMatch(ledgerGone);
      expect(verification.problems.find((p) => p.kind === 'ANCHOR')!.detail).toContain(batch!.batchId);

      const cli = await command();
      expect(cli.exitCode).toBe(1);
      expect(cli.text).toMatch(ledgerGone);
      expect(cli.text).toContain(`anchor: Batch ${batch!.batchId}`);

      const mine = await page(MY_LOG, patientToken, 'myAccessLog');
      expect(mine.edges.map((e) => e.node.decisionId)).not.toContain(last);
      expect(mine.integrity.ok).toBe(false);
      expect(mine.integrity.problems.find((p) => p.kind === 'MISSING_TAIL')!.detail).toMatch(ledgerGone);
    } finally {
      await restore();
      await sql("UPDATE chain_heads SET seq = $1, hash = $2 WHERE chain = 'audit'", [saved!.seq, saved!.hash]);
    }
    expect(await verifyQuery()).toMatchObject({ ok: true });
  });

  it('flags an event altered in the database in the patient’s log, the query and the command', async () => {
    const target = await read();
    await sql("UPDATE audit_events SET purpose = 'HRESCH' WHERE id = $1", [target]);
    try {
      const mine = await page(MY_LOG, patientToken, 'myAccessLog');
      const entries = new Map(mine.edges.map((e) => [e.node.decisionId, e.node.integrity]));
      expect(entries.get(target)).toBe('ALTERED');
      expect([...entries].filter(([id]) => id !== target).every(([, i]) => i === 'INTACT')).toBe(true);
      expect(mine.integrity.ok).toBe(false);
      expect(mine.integrity.problems).toEqual([expect.objectContaining({ kind: 'ALTERED', eventId: target })]);

      const verification = await verifyQuery();
      expect(verification.problems).toEqual([expect.objectContaining({ kind: 'ALTERED', eventId: target })]);
      const cli = await command();
      expect(cli.exitCode).toBe(1);
      expect(cli.text).toContain(`(${target}) no longer matches its hash: it was altered.`);
    } finally {
      await sql("UPDATE audit_events SET purpose = 'TREAT' WHERE id = $1", [target]);
    }
    expect(await verifyQuery()).toMatchObject({ ok: true });
  });
});
