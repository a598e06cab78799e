import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorAuditBatch, auditBatchId, auditInclusionProof } from '../src/access/audit/audit-anchoring.js';
import type { AuditEvent, NewAuditEvent } from '../src/domain/audit-event.js';
import { merkleRoot, verifyInclusion } from '../src/domain/merkle.js';
import { GLOBAL_IDS, LedgerClient } from '../src/ledger/ledger-client.js';
import type { LedgerActor } from '../src/ledger/ledger.js';
import { ASSIGN_SLICE } from '../src/stores/audit-log.js';
import { PrismaControlPlane } from '../src/stores/control-plane.js';
import { openDatabase, type Database } from '../src/stores/database.js';
import { applyMigrations } from '../src/stores/migrate.js';
import { newAuditEvent } from './support/audit-events.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';

const SUMMARY = /* GraphQL */ `
  query Summary($p: ID!, $purpose: PurposeOfUse!) {
    patientSummary(patientId: $p, purpose: $purpose) {
      patientId
      demographics {
        name
      }
      problems {
        display
      }
      receipt {
        decisionId
        at
        auditHash
      }
    }
  }
`;

const RECORDS = /* GraphQL */ `
  query Records($p: ID!, $first: Int) {
    records(patientId: $p, purpose: TREAT, first: $first) {
      edges {
        node {
          id
        }
      }
      receipt {
        decisionId
        at
        auditHash
      }
    }
  }
`;

const ENTRY = `decisionId at organisationId organisationName jurisdiction purpose operation outcome breakGlass reasons patientId requesterSubject`;
const MY_LOG = `query($first: Int, $after: String) { myAccessLog(first: $first, after: $after) { edges { cursor node { ${ENTRY} } } pageInfo { hasNextPage endCursor } } }`;
const ACCESS_LOG = `query($first: Int, $after: String, $since: DateTimeISO) { accessLog(first: $first, after: $after, since: $since) { edges { cursor node { ${ENTRY} } } pageInfo { hasNextPage endCursor } } }`;

interface Receipt {
  decisionId: string;
  at: string;
  auditHash: string;
}
interface SummaryData {
  patientSummary: {
    patientId: string;
    demographics: { name: string | null }[];
    problems: { display: string | null }[];
    receipt: Receipt;
  };
}
interface RecordsData {
  records: { edges: { node: { id: string } }[]; receipt: Receipt };
}
interface Entry {
  decisionId: string;
  at: string;
  organisationId: string;
  organisationName: string | null;
  jurisdiction: string;
  purpose: string;
  operation: string;
  outcome: string;
  breakGlass: boolean;
  reasons: string[];
  patientId: string | null;
  requesterSubject: string | null;
}
interface LogConnection {
  edges: { cursor: string; node: Entry }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

interface Row {
  seq: string;
  id: string;
  patient_id: string;
  requester_org: string;
  requester_subject: string;
  requester_jurisdiction: string;
  purpose: string;
  operation: string;
  outcome: string;
  body: { reasons: { code: string }[]; regions: { answered: string[] }; recordCount: number };
  prev_hash: string;
  hash: string;
  batch_id: string | null;
}

const GATEWAY: LedgerActor = { user: 'meridian-gateway', role: 'gateway' };

describe('the audit log of access decisions', () => {
  let t: TestGateway;
  let control: pg.Client;
  let clinician: string;
  let patient: { globalId: string; regions: string[] };
  let other: string;

  /** Runs SQL against the gateway's own control-plane database, as an intruder or operator would. */
  const sql = async <T extends pg.QueryResultRow = Row>(text: string, values: unknown[] = []): Promise<T[]> =>
    (await control.query<T>(text, values)).rows;
  const eventsAfter = (seq: string): Promise<Row[]> =>
    sql('SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq', [seq]);
  const lastSeq = async (): Promise<string> =>
    (await sql<{ seq: string }>('SELECT coalesce(max(seq), 0)::text AS seq FROM audit_events'))[0]!.seq;
  const auditLog = () => t.gateway.stores.control.auditLog;

  beforeAll(async () => {
    // Anchoring is driven by the tests; the gateway's own timer stays out of the way.
    t = await startTestGateway({ env: { MERIDIAN_AUDIT_ANCHOR_INTERVAL_MS: '3600000' } });
    control = new pg.Client({ connectionString: t.databases.get('control')!.url });
    await control.connect();
    clinician = await t.token('dr-weber');
    const p = t.demo.patients[0]!;
    patient = { globalId: p.globalId, regions: p.locations.map((l) => l.region) };
    other = t.demo.patients[1]!.globalId;
    // Reads here are permitted (the patients consent); decisions themselves are tested elsewhere.
    for (const p of t.demo.patients.slice(0, 4)) await t.consentToTreatment(p.globalId);
  });
  afterAll(async () => {
    await control.end();
    await t.close();
  });

  it('appends exactly one event per read or denial, in order, chained, with the receipt the answer carried', async () => {
    const before = await lastSeq();
    const summary = await t.graphql<SummaryData>(SUMMARY, { p: patient.globalId, purpose: 'TREAT' }, clinician);
    expect(summary.errors).toEqual([]);
    const records = await t.graphql<RecordsData>(RECORDS, { p: patient.globalId, first: 3 }, clinician);
    expect(records.errors).toEqual([]);
    const forbidden = await t.graphql(
      SUMMARY,
      { p: patient.globalId, purpose: 'TREAT' },
      await t.token('officer-schmidt'),
    );
    expect(forbidden.errors[0]?.extensions.code).toBe('FORBIDDEN');
    const unknown = await t.graphql(SUMMARY, { p: 'mp-000000000000', purpose: 'TREAT' }, clinician);
    expect(unknown.errors[0]?.extensions.code).toBe('NOT_FOUND');

    const events = await eventsAfter(before);
    expect(events.map((e) => [e.operation, e.outcome, e.requester_org, e.patient_id])).toEqual([
      ['patientSummary', 'permit', 'charite-berlin', patient.globalId],
      ['records', 'permit', 'charite-berlin', patient.globalId],
      ['patientSummary', 'deny', 'charite-berlin', patient.globalId],
      ['patientSummary', 'deny', 'charite-berlin', 'mp-000000000000'],
    ]);
    expect(events.map((e) => e.body.reasons.map((r) => r.code))).toEqual([[], [], ['FORBIDDEN'], ['NOT_FOUND']]);
    expect(events[0]!.body.regions.answered.sort()).toEqual([...patient.regions].sort());
    expect(events[1]!.body.recordCount).toBe(3);
    expect(events[2]!.requester_subject).toBe('officer-schmidt');

    const s = summary.data!.patientSummary;
    expect(s.receipt).toMatchObject({ decisionId: events[0]!.id, auditHash: events[0]!.hash });
    expect(Date.parse(s.receipt.at)).not.toBeNaN();
    expect(records.data!.records.receipt).toMatchObject({ decisionId: events[1]!.id, auditHash: events[1]!.hash });
    for (let i = 1; i < events.length; i++) expect(events[i]!.prev_hash).toBe(events[i - 1]!.hash);

    // Pseudonymous ids and codes only: no name and no clinical text reaches the log.
    const logged = JSON.stringify(events);
    const names = s.demographics.map((d) => d.name).filter((n): n is string => n !== null);
    const problems = s.problems.map((p) => p.display).filter((d): d is string => d !== null);
    expect(names.length).toBeGreaterThan(0);
    for (const text of [...names, ...problems]) expect(logged).not.toContain(text);

    const [{ n }] = (await sql<{ n: number }>('SELECT count(*)::int AS n FROM audit_events')) as [{ n: number }];
    expect(await auditLog().verifyChain()).toEqual({ ok: true, events: n });
  });

  it('keeps the chain linear under concurrent reads', async () => {
    const before = await lastSeq();
    const reads = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        t.graphql<SummaryData>(SUMMARY, { p: t.demo.patients[i % 4]!.globalId, purpose: 'TREAT' }, clinician),
      ),
    );
    expect(reads.flatMap((r) => r.errors)).toEqual([]);
    const events = await eventsAfter(before);
    expect(events).toHaveLength(16);
    expect(new Set(events.map((e) => e.prev_hash)).size).toBe(16);
    expect(new Set(reads.map((r) => r.data!.patientSummary.receipt.decisionId))).toEqual(
      new Set(events.map((e) => e.id)),
    );
    expect((await auditLog().verifyChain()).ok).toBe(true);
  });

  describe('myAccessLog', () => {
    it("lists who read the patient's data, and nobody else's events", async () => {
      const mine = await t.graphql<SummaryData>(SUMMARY, { p: patient.globalId, purpose: 'TREAT' }, clinician);
      const theirs = await t.graphql<SummaryData>(SUMMARY, { p: other, purpose: 'TREAT' }, clinician);
      const token = await t.token(`patient-${patient.globalId}`);
      const res = await t.graphql<{ myAccessLog: LogConnection }>(MY_LOG, { first: 100 }, token);
      expect(res.errors).toEqual([]);
      const entries = res.data!.myAccessLog.edges.map((e) => e.node);
      const ids = entries.map((e) => e.decisionId);
      expect(ids[0]).toBe(mine.data!.patientSummary.receipt.decisionId);
      expect(ids).not.toContain(theirs.data!.patientSummary.receipt.decisionId);
      expect(entries[0]).toEqual({
        decisionId: mine.data!.patientSummary.receipt.decisionId,
        at: mine.data!.patientSummary.receipt.at,
        organisationId: 'charite-berlin',
        organisationName: 'Charité – Universitätsmedizin Berlin',
        jurisdiction: 'DE',
        purpose: 'TREAT',
        operation: 'patientSummary',
        outcome: 'PERMIT',
        breakGlass: false,
        reasons: [],
        patientId: null,
        requesterSubject: null,
      });
      // The officer's refused attempt is there too.
      expect(entries.some((e) => e.outcome === 'DENY' && e.reasons.includes('FORBIDDEN'))).toBe(true);
      const rows = await sql<{ id: string }>('SELECT id FROM audit_events WHERE patient_id = $1', [patient.globalId]);
      expect(new Set(ids)).toEqual(new Set(rows.map((r) => r.id)));
    });

    it('pages newest first without gaps or repeats', async () => {
      const token = await t.token(`patient-${patient.globalId}`);
      const all = await t.graphql<{ myAccessLog: LogConnection }>(MY_LOG, { first: 100 }, token);
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 50; i++) {
        const page: { data: { myAccessLog: LogConnection } | null } = await t.graphql<{ myAccessLog: LogConnection }>(
          MY_LOG,
          { first: 2, after },
          token,
        );
        const conn = page.data!.myAccessLog;
        seen.push(...conn.edges.map((e) => e.node.decisionId));
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
      }
      expect(seen).toEqual(all.data!.myAccessLog.edges.map((e) => e.node.decisionId));
      expect(seen.length).toBeGreaterThan(2);
      const bad = await t.graphql(MY_LOG, { first: 2, after: 'garbage' }, token);
      expect(bad.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    });

    it("shows a patient only their own log: another patient's token sees none of these events", async () => {
      const token = await t.token(`patient-${other}`);
      const res = await t.graphql<{ myAccessLog: LogConnection }>(MY_LOG, { first: 100 }, token);
      expect(res.errors).toEqual([]);
      const theirs = new Set(res.data!.myAccessLog.edges.map((e) => e.node.decisionId));
      const rows = await sql<{ id: string }>('SELECT id FROM audit_events WHERE patient_id = $1', [patient.globalId]);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(theirs.has(row.id)).toBe(false);
      expect(theirs.size).toBeGreaterThan(0);
      const officersLog = await t.graphql(ACCESS_LOG, {}, token);
      expect(officersLog.errors[0]?.extensions.code).toBe('FORBIDDEN');
    });

    it('refuses clinicians either log with FORBIDDEN', async () => {
      for (const query of [MY_LOG, ACCESS_LOG]) {
        const res = await t.graphql(query, {}, clinician);
        expect(res.errors[0]?.extensions.code).toBe('FORBIDDEN');
        expect(res.data).toBeNull();
      }
    });
  });

  describe('accessLog', () => {
    it("shows a DE officer DE requesters' decisions but not US ones, and a US officer the reverse", async () => {
      const us = await t.graphql<SummaryData>(
        SUMMARY,
        { p: patient.globalId, purpose: 'TREAT' },
        await t.token('dr-johnson'),
      );
      const de = await t.graphql<SummaryData>(SUMMARY, { p: patient.globalId, purpose: 'TREAT' }, clinician);
      const usId = us.data!.patientSummary.receipt.decisionId;
      const deId = de.data!.patientSummary.receipt.decisionId;
      for (const persona of ['officer-schmidt', 'auditor-klein']) {
        const res = await t.graphql<{ accessLog: LogConnection }>(ACCESS_LOG, { first: 100 }, await t.token(persona));
        expect(res.errors).toEqual([]);
        const entries = res.data!.accessLog.edges.map((e) => e.node);
        expect(entries.map((e) => e.decisionId)).toContain(deId);
        expect(entries.map((e) => e.decisionId)).not.toContain(usId);
        expect(entries.every((e) => e.jurisdiction === 'DE')).toBe(true);
        expect(entries.find((e) => e.decisionId === deId)).toMatchObject({
          patientId: patient.globalId,
          requesterSubject: 'dr-weber',
          outcome: 'PERMIT',
        });
      }
      const miller = await t.graphql<{ accessLog: LogConnection }>(
        ACCESS_LOG,
        { first: 100 },
        await t.token('officer-miller'),
      );
      const millerIds = miller.data!.accessLog.edges.map((e) => e.node.decisionId);
      expect(millerIds).toContain(usId);
      expect(millerIds).not.toContain(deId);
    });

    it('narrows to decisions since a time', async () => {
      const officer = await t.token('officer-schmidt');
      const read = await t.graphql<SummaryData>(SUMMARY, { p: other, purpose: 'TREAT' }, clinician);
      const at = read.data!.patientSummary.receipt.at;
      const since = await t.graphql<{ accessLog: LogConnection }>(ACCESS_LOG, { first: 100, since: at }, officer);
      const entries = since.data!.accessLog.edges.map((e) => e.node);
      expect(entries.map((e) => e.decisionId)).toContain(read.data!.patientSummary.receipt.decisionId);
      expect(entries.every((e) => e.at >= at)).toBe(true);
      const future = await t.graphql<{ accessLog: LogConnection }>(
        ACCESS_LOG,
        { since: new Date(Date.now() + 3_600_000).toISOString() },
        officer,
      );
      expect(future.data!.accessLog.edges).toEqual([]);
    });
  });

  it('reports an event altered directly in the database', async () => {
    const [target] = await sql(
      "SELECT * FROM audit_events WHERE outcome = 'permit' AND purpose = 'TREAT' ORDER BY seq LIMIT 1 OFFSET 2",
    );
    await sql("UPDATE audit_events SET purpose = 'HRESCH' WHERE id = $1", [target!.id]);
    try {
      const result = await auditLog().verifyChain();
      expect(result.ok).toBe(false);
      expect(result.firstBad).toEqual({ seq: BigInt(target!.seq), id: target!.id, problem: 'altered' });
      const [{ n }] = (await sql<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE seq < $1', [
        target!.seq,
      ])) as [{ n: number }];
      expect(result.events).toBe(n);
    } finally {
      await sql("UPDATE audit_events SET purpose = 'TREAT' WHERE id = $1", [target!.id]);
    }
    expect((await auditLog().verifyChain()).ok).toBe(true);

    // Removing an event breaks the link of the one after it.
    const [victim] = await sql('SELECT * FROM audit_events ORDER BY seq LIMIT 1 OFFSET 3');
    const [next] = await sql('SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT 1', [victim!.seq]);
    await sql('CREATE TEMP TABLE removed_events (LIKE audit_events)');
    await sql(
      'WITH d AS (DELETE FROM audit_events WHERE id = $1 RETURNING *) INSERT INTO removed_events SELECT * FROM d',
      [victim!.id],
    );
    try {
      expect((await auditLog().verifyChain()).firstBad).toMatchObject({ id: next!.id, problem: 'broken-link' });
    } finally {
      await sql('INSERT INTO audit_events SELECT * FROM removed_events');
    }
    expect((await auditLog().verifyChain()).ok).toBe(true);
  });

  it('discloses nothing when the audit event cannot be written', async () => {
    const before = await lastSeq();
    await sql('ALTER TABLE audit_events RENAME TO audit_events_x');
    try {
      const summary = await t.graphql<SummaryData>(SUMMARY, { p: patient.globalId, purpose: 'TREAT' }, clinician);
      expect(summary.data).toBeNull();
      expect(summary.errors).toHaveLength(1);
      expect(summary.errors[0]?.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
      expect(summary.errors[0]?.extensions.requestId).toBe(summary.headers.get('x-request-id'));
      expect(JSON.stringify(summary.errors)).not.toMatch(/audit_events|prisma|SELECT|INSERT/i);
      const records = await t.graphql<RecordsData>(RECORDS, { p: patient.globalId, first: 5 }, clinician);
      expect(records.data).toBeNull();
      expect(records.errors[0]?.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      const denied = await t.graphql(
        SUMMARY,
        { p: patient.globalId, purpose: 'TREAT' },
        await t.token('auditor-klein'),
      );
      expect(denied.errors[0]?.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await sql('ALTER TABLE audit_events_x RENAME TO audit_events');
    }
    expect(await lastSeq()).toBe(before);
    const again = await t.graphql<SummaryData>(SUMMARY, { p: patient.globalId, purpose: 'TREAT' }, clinician);
    expect(again.errors).toEqual([]);
    expect(again.data!.patientSummary.problems.length).toBeGreaterThan(0);
    expect((await auditLog().verifyChain()).ok).toBe(true);
  });

  describe('anchoring on the ledger', () => {
    const ledger = () => new LedgerClient(t.gateway.ledger, GLOBAL_IDS);

    it('anchors every unanchored event as one batch whose root the ledger holds, each with a verifying proof', async () => {
      const batch = await anchorAuditBatch(auditLog(), ledger(), GATEWAY);
      expect(batch).not.toBeNull();
      const rows = await sql('SELECT * FROM audit_events ORDER BY seq');
      expect(rows.every((r) => r.batch_id === batch!.batchId)).toBe(true);
      expect(batch!.count).toBe(rows.length);
      const onLedger = await ledger().getBatch(GATEWAY, batch!.batchId);
      expect(onLedger).toMatchObject({ kind: 'audit', region: 'control-plane', count: rows.length });
      expect(onLedger.merkleRoot).toBe(merkleRoot(rows.map((r) => r.hash)));
      expect(onLedger.merkleRoot).toBe(batch!.merkleRoot);

      for (const row of [rows[0]!, rows[Math.floor(rows.length / 2)]!, rows.at(-1)!]) {
        const proof = await auditInclusionProof(auditLog(), row.id);
        expect(proof).toMatchObject({ batchId: batch!.batchId, eventHash: row.hash });
        expect(verifyInclusion(row.hash, proof!.proof, onLedger.merkleRoot)).toBe(true);
        expect(verifyInclusion('0'.repeat(64), proof!.proof, onLedger.merkleRoot)).toBe(false);
      }
      expect(await anchorAuditBatch(auditLog(), ledger(), GATEWAY)).toBeNull();
    });

    it('anchors later events as the next batch, and an event is unanchored until then', async () => {
      const read = await t.graphql<SummaryData>(SUMMARY, { p: patient.globalId, purpose: 'TREAT' }, clinician);
      const id = read.data!.patientSummary.receipt.decisionId;
      expect(await auditInclusionProof(auditLog(), id)).toBeNull();
      const batch = await anchorAuditBatch(auditLog(), ledger(), GATEWAY);
      expect(batch).toMatchObject({ count: 1 });
      const proof = await auditInclusionProof(auditLog(), id);
      const onLedger = await ledger().getBatch(GATEWAY, batch!.batchId);
      expect(verifyInclusion(read.data!.patientSummary.receipt.auditHash, proof!.proof, onLedger.merkleRoot)).toBe(
        true,
      );
    });

    it('adopts a batch the ledger already holds (a run that died before recording it)', async () => {
      for (const p of t.demo.patients.slice(0, 3)) {
        await t.graphql(SUMMARY, { p: p.globalId, purpose: 'TREAT' }, clinician);
      }
      const pending = await auditLog().unanchored(100);
      expect(pending).toHaveLength(3);
      const root = merkleRoot(pending.map((e) => e.hash));
      const anchored = await ledger().anchorBatch(GATEWAY, {
        batchId: auditBatchId(pending[0]!),
        kind: 'audit',
        region: 'control-plane',
        merkleRoot: root,
        count: 3,
        fromTime: pending[0]!.at.toISOString(),
        toTime: pending[2]!.at.toISOString(),
      });
      await t.graphql(SUMMARY, { p: patient.globalId, purpose: 'TREAT' }, clinician);
      const batch = await anchorAuditBatch(auditLog(), ledger(), GATEWAY);
      expect(batch).toMatchObject({ batchId: auditBatchId(pending[0]!), count: 3, txId: anchored.txId });
      expect(await auditLog().unanchored(100)).toHaveLength(1);
      expect(await anchorAuditBatch(auditLog(), ledger(), GATEWAY)).toMatchObject({ count: 1 });
    });
  });
});

/** `work`, or a rejection naming `what` once `ms` have passed: a hang fails the test with a reason, not the test timeout. */
async function settled<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} was still pending after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the audit group commit', () => {
  let db: TestDatabase;
  let database: Database;
  let control: PrismaControlPlane;

  beforeAll(async () => {
    db = await createTestDatabase('audit_group');
    database = await openDatabase('control', { kind: 'postgres', url: db.url });
    await applyMigrations(database, 'control');
    control = new PrismaControlPlane(database);
  });
  afterAll(async () => {
    await control.close();
    await database.close();
    await db.drop();
  });

  // The second append arrives in the microtask the first one resolves in, while the group commit
  // that wrote the first is still unwinding; no third append ever comes to start another commit.
  it('writes an append made as the previous one resolves, with nothing after it', async () => {
    const log = control.auditLog;
    const first = log.append(newAuditEvent('then-1', 1));
    const second = first.then(() => log.append(newAuditEvent('then-2', 2)));
    const written = await settled("the append made in the first one's .then", 10_000, second);
    expect(written.prevHash).toBe((await first).hash);
  });

  // Two gateways on one control plane: each keeps the head it wrote as a guess, and the other's
  // appends make that guess wrong every time they alternate.
  it('chains the appends of two gateways on one audit database linearly, alternating and concurrent', async () => {
    const beside = await openDatabase('control', { kind: 'postgres', url: db.url });
    const other = new PrismaControlPlane(beside);
    try {
      const logs = [control.auditLog, other.auditLog];
      const alternating: AuditEvent[] = [];
      for (let i = 0; i < 6; i++) alternating.push(await logs[i % 2]!.append(newAuditEvent(`alternating-${i}`, i)));
      for (let i = 1; i < alternating.length; i++) {
        expect(alternating[i]!.prevHash).toBe(alternating[i - 1]!.hash);
        expect(alternating[i]!.seq).toBeGreaterThan(alternating[i - 1]!.seq);
      }
      const concurrent = await Promise.all(
        Array.from({ length: 24 }, (_, i) => logs[i % 2]!.append(newAuditEvent(`concurrent-${i}`, i))),
      );
      expect(new Set(concurrent.map((e) => e.prevHash)).size).toBe(24);
      const verified = await control.auditLog.verifyChain();
      expect(verified.ok).toBe(true);
      const { checkpoint, tail } = await control.auditLog.head();
      expect(checkpoint).toMatchObject({ seq: tail?.seq, hash: tail?.hash });
      const stored = await control.auditLog.event('concurrent-3');
      expect(stored).toEqual(concurrent[3]);
    } finally {
      await other.close();
      await beside.close();
    }
  });

  // The outbox: a notification is written by the statement that writes its event, on either path.
  it('writes each notification with its event, delivered to the channels that take its kind', async () => {
    const patientId = 'mp-00000000000a';
    const channel = (id: string, everyAccess: boolean) => ({
      id,
      patientId,
      url: 'https://app.example.org/hook',
      sealedSecret: 'sealed',
      everyAccess,
      createdAt: new Date(),
      removedAt: null,
    });
    await control.notifications.insertChannel(channel('chn-break-glass-only', false));
    await control.notifications.insertChannel(channel('chn-every-access', true));
    const ofPatient = (id: string, breakGlass = false): NewAuditEvent => ({
      ...newAuditEvent(id, 2),
      patientId,
      breakGlass,
      purpose: breakGlass ? 'ETREAT' : 'TREAT',
    });
    // A second writer that never takes the one statement: the locked transaction's path.
    const beside = await openDatabase('control', { kind: 'postgres', url: db.url });
    const locked = new PrismaControlPlane(beside, { oneStatement: false });
    try {
      await locked.auditLog.append(ofPatient('outbox-locked-bg', true));
      await locked.auditLog.append(ofPatient('outbox-locked-read'));
      await control.auditLog.append(newAuditEvent('outbox-head', 1));
      const [bg, read] = await Promise.all([
        control.auditLog.append(ofPatient('outbox-one-statement-bg', true)),
        control.auditLog.append(ofPatient('outbox-one-statement-read')),
      ]);
      expect([bg.id, read.id]).toEqual(['outbox-one-statement-bg', 'outbox-one-statement-read']);
      const written = await control.notifications.notifications(patientId, 10);
      const byEvent = new Map(written.map((n) => [n.auditEventId, n]));
      for (const prefix of ['outbox-locked', 'outbox-one-statement']) {
        expect(byEvent.get(`${prefix}-bg`)).toMatchObject({ kind: 'break_glass' });
        expect(byEvent.get(`${prefix}-bg`)?.deliveries.map((d) => d.channelId)).toEqual([
          'chn-break-glass-only',
          'chn-every-access',
        ]);
        expect(byEvent.get(`${prefix}-read`)).toMatchObject({ kind: 'access' });
        expect(byEvent.get(`${prefix}-read`)?.deliveries.map((d) => d.channelId)).toEqual(['chn-every-access']);
      }
      expect(written).toHaveLength(4);
      expect(await control.auditLog.verifyChain()).toMatchObject({ ok: true });
    } finally {
      await locked.close();
      await beside.close();
    }
  });

  it('records a batch larger than one slice whole: readers beside it see none of it or all of it', async () => {
    const log = control.auditLog;
    for (let i = 0; i < 2 * ASSIGN_SLICE + 10; i++) await log.append(newAuditEvent(`sliced-${i}`, i));
    const before = await log.unanchoredCount();
    const events = await log.unanchored(before);
    const ids = events.map((e) => e.id);
    const last = events.at(-1)!;
    const assignment = { done: false };
    const assigning = log
      .assignBatch('audit:sliced', ids, { toSeq: last.seq, txId: 'tx-sliced', blockNumber: 7n })
      .finally(() => (assignment.done = true));
    const beside = log.append(newAuditEvent('beside-assignment', 1));
    const seen = new Set<number>();
    while (!assignment.done) seen.add(await log.unanchoredCount());
    expect(await assigning).toBe(events.length);
    await beside;
    // Before the commit: the batch and perhaps the append beside it; after: the append alone.
    expect([...seen].filter((n) => ![before, before + 1, 0, 1].includes(n))).toEqual([]);
    expect(await log.unanchoredCount()).toBe(1);
    expect((await log.batch('audit:sliced')).map((e) => e.id)).toEqual(ids);
    expect((await log.head()).checkpoint?.anchoredSeq).toBe(last.seq);
    expect(await log.assignBatch('audit:sliced-again', ids)).toBe(0);
  });

  // PostgreSQL would plan the statement anew at every execution (it sizes the arrays it is given):
  // on its own connection it is planned once and that plan serves every append after.
  it('plans the one statement once on its connection, whatever the batch size, and keeps using that plan', async () => {
    const log = control.auditLog;
    for (let i = 0; i < 8; i++) await log.append(newAuditEvent(`planned-${i}`, i));
    await Promise.all(Array.from({ length: 5 }, (_, i) => log.append(newAuditEvent(`planned-together-${i}`, i))));
    // The pool has one connection: this runs on the one that prepared the statement.
    // (one statement text with notifications in it, one without)
    const { rows } = await database.planOncePool.query<{ statements: number; generic: number; custom: number }>(
      `SELECT count(*)::int AS statements, sum(generic_plans)::int AS generic, sum(custom_plans)::int AS custom
       FROM pg_prepared_statements WHERE statement LIKE '%INSERT INTO audit_events%'`,
    );
    expect(rows[0]!.statements).toBeGreaterThanOrEqual(1);
    expect(rows[0]!.generic).toBeGreaterThanOrEqual(9);
    expect(rows[0]!.custom).toBe(0);
    const settings = await database.pool.query<{ mode: string }>('SELECT current_setting($1) AS mode', [
      'plan_cache_mode',
    ]);
    expect(settings.rows[0]!.mode).toBe('auto');
  });

  it('writes appends awaited one after another', async () => {
    const log = control.auditLog;
    const written: AuditEvent[] = [];
    const appendThree = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) written.push(await log.append(newAuditEvent(`awaited-${i}`, i)));
    };
    await settled('three appends awaited in turn', 10_000, appendThree());
    expect(written.map((e) => e.id)).toEqual(['awaited-0', 'awaited-1', 'awaited-2']);
    expect(await log.verifyChain()).toMatchObject({ ok: true });
  });
});

describe('the audit log on embedded PostgreSQL (PGlite)', () => {
  it('chains concurrent appends linearly', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-audit-pglite-'));
    const db = await openDatabase('control', { kind: 'pglite', dir });
    const control = new PrismaControlPlane(db);
    try {
      await applyMigrations(db, 'control');
      const log = control.auditLog;
      const appended = await Promise.all(
        Array.from({ length: 12 }, (_, i) => log.append(newAuditEvent(`decision-${i}`, i))),
      );
      expect(new Set(appended.map((e) => e.prevHash)).size).toBe(12);
      expect(await log.verifyChain()).toEqual({ ok: true, events: 12 });
      const page = await log.forPatient('mp-0123456789ab', { first: 5 });
      expect(page.events.map((e) => e.seq)).toEqual([12n, 11n, 10n, 9n, 8n]);
      expect(page.hasNextPage).toBe(true);
      // What anchoring reads and records, on the embedded default as on PostgreSQL.
      const first = await log.unanchored(5);
      expect(first).toEqual(appended.slice(0, 5).map(({ id, seq, at, hash }) => ({ id, seq, at, hash })));
      const ids = first.map((e) => e.id);
      expect(await log.assignBatch('audit:first-five', ids)).toBe(5);
      expect(await log.assignBatch('audit:again', ids)).toBe(0);
      expect((await log.unanchored(100)).map((e) => e.seq)).toEqual(appended.slice(5).map((e) => e.seq));
      expect(await log.unanchoredCount()).toBe(7);
      expect((await log.batch('audit:first-five')).map((e) => e.id)).toEqual(ids);
    } finally {
      await control.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
