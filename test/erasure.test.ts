import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { createClient, RESP_TYPES } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedKey } from '../src/access/derived-key.js';
import { GATEWAY_ACTOR } from '../src/access/open-access.js';
import { patientLedgerRef } from '../src/access/patient-keys.js';
import { SealedBox } from '../src/cache/sealed-box.js';
import { GLOBAL_IDS, LedgerClient } from '../src/ledger/ledger-client.js';
import { EmbeddedLedger } from '../src/ledger/embedded-ledger.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { TestRedis } from './support/redis-server.js';

// Erasure (GDPR art. 17) end to end on PostgreSQL and Redis, with a real Synthea patient:
// afterwards no database or cache entry holds the patient's ids or names, the audit chain
// and the ledger still verify, and other patients' receipts and records still verify.

const SYNTHEA = path.resolve(import.meta.dirname, '../../shared/fhir-samples/synthea');
const HAVE_SAMPLES = existsSync(SYNTHEA);
if (!HAVE_SAMPLES) console.log(`erasure tests: SKIPPED, no ${SYNTHEA} (the shared folder beside the clone).`);

const IMPORT = /* GraphQL */ `
  mutation Import($bundle: JSONObject!) {
    importBundle(region: "us-ma", bundle: $bundle) {
      records
      patients {
        localId
        globalId
      }
    }
  }
`;
const SUMMARY = /* GraphQL */ `
  query Summary($p: ID!) {
    patientSummary(patientId: $p, purpose: TREAT) {
      problems {
        id
      }
      receipt {
        decisionId
        auditHash
      }
    }
  }
`;
const ERASE = /* GraphQL */ `
  mutation Erase($p: ID!, $ref: String) {
    erasePatient(patientId: $p, requestReference: $ref) {
      erasureId
      basis
      regions {
        region
        records
      }
      consents
      careRelationships
      accessCodes
      indexEntries
      auditEventsPseudonymised
      auditEventsUnchanged
      auditRetainedUntil
      ledgerTxId
    }
  }
`;
const VERIFY = /* GraphQL */ `
  query Verify($r: DisclosureReceiptInput!) {
    verifyDisclosure(receipt: $r) {
      valid
    }
  }
`;

interface SyntheaPatient {
  resourceType: 'Patient';
  id: string;
  name?: { family?: string; given?: string[] }[];
  identifier?: { value?: string }[];
}
interface Summary {
  problems: { id: string }[];
  receipt: { decisionId: string; auditHash: string };
}

/** Everything any table of a database holds, one text line per row. */
async function dump(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const lines: string[] = [];
    for (const { name } of tables.rows) {
      const rows = await client.query<{ line: string }>(`SELECT t::text AS line FROM "${name}" t`);
      lines.push(...rows.rows.map((r) => `${name}: ${r.line}`));
    }
    return lines.join('\n');
  } finally {
    await client.end();
  }
}

/** Every file of the embedded ledger's folder (log, world state, manifest), as text. */
async function ledgerFiles(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = names.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  return (await Promise.all(files.map((f) => readFile(f, 'latin1')))).join('\n');
}

describe.skipIf(!HAVE_SAMPLES)("erasing a patient's data", () => {
  let redis: TestRedis;
  let t: TestGateway;
  let cache: ReturnType<typeof createClient>;
  const prefix = `erasure-test-${randomBytes(4).toString('hex')}`;
  // Read only where they are: vitest calls a skipped suite's body too.
  const files = HAVE_SAMPLES
    ? readdirSync(SYNTHEA)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  let erased: { globalId: string; localId: string; records: number; traces: string[] };
  let other: { globalId: string };

  const bundleOf = (file: string): { entry: { resource: { resourceType: string } }[] } =>
    JSON.parse(readFileSync(path.join(SYNTHEA, file), 'utf8')) as { entry: { resource: { resourceType: string } }[] };
  const summary = async (globalId: string): Promise<{ data: Summary | null; code: unknown }> => {
    const res = await t.graphql<{ patientSummary: Summary }>(SUMMARY, { p: globalId }, await t.token('dr-johnson'));
    return { data: res.data?.patientSummary ?? null, code: res.errors[0]?.extensions.code };
  };
  const databases = (): Promise<string> =>
    Promise.all([...t.databases.values()].map((db) => dump(db.url))).then((all) => all.join('\n'));
  /** Every cache entry of this gateway: its key and its sealed bytes. */
  const cached = async (): Promise<{ key: string; value: Buffer }[]> => {
    const keys = await cache.keys(`${prefix}:*`);
    return Promise.all(
      keys.map(async (key) => ({
        key,
        value: (await cache.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(key)) as unknown as Buffer,
      })),
    );
  };
  /** The patient's secret, as an attacker reading the control database would find it; null once gone. */
  const secretOf = async (globalId: string): Promise<string | null> => {
    const client = new pg.Client({ connectionString: t.databases.get('control')!.url });
    await client.connect();
    const row = await client.query<{ secret: string }>('SELECT secret FROM patient_keys WHERE global_id = $1', [
      globalId,
    ]);
    await client.end();
    return row.rows[0]?.secret ?? null;
  };
  const patientBox = async (globalId: string): Promise<SealedBox | null> => {
    const secret = await secretOf(globalId);
    return secret === null ? null : new SealedBox(derivedKey(Buffer.from(secret, 'hex'), 'meridian patient cache'));
  };

  beforeAll(async () => {
    redis = await TestRedis.start();
    t = await startTestGateway({ patients: 6, env: { MERIDIAN_REDIS_URL: redis.url, MERIDIAN_CACHE_PREFIX: prefix } });
    cache = createClient({ url: redis.url });
    await cache.connect();
    const imported = [];
    for (const file of files.slice(0, 2)) {
      const bundle = bundleOf(file);
      const res = await t.graphql<{
        importBundle: { records: number; patients: { localId: string; globalId: string }[] };
      }>(IMPORT, { bundle }, await t.token('integration-mgh'));
      expect(res.errors, file).toEqual([]);
      const patient = bundle.entry
        .map((e) => e.resource)
        .find((r): r is SyntheaPatient => r.resourceType === 'Patient')!;
      const [linked] = res.data!.importBundle.patients;
      imported.push({ ...linked!, records: res.data!.importBundle.records, patient });
    }
    const [first, second] = imported;
    const names = (first!.patient.name ?? []).flatMap((n) => [n.family ?? '', ...(n.given ?? [])]);
    const identifiers = (first!.patient.identifier ?? []).flatMap((i) => i.value ?? []).filter((v) => v.length >= 6);
    erased = {
      globalId: first!.globalId,
      localId: first!.localId,
      records: first!.records,
      traces: [first!.globalId, first!.localId, ...names.filter((n) => n.length >= 4), ...identifiers],
    };
    other = { globalId: second!.globalId };
    for (const p of [erased, other]) await t.consentToTreatment(p.globalId);
  }, 240_000);

  afterAll(async () => {
    await cache.quit();
    await t.close();
    await redis.stop();
  });

  it('leaves no trace of the patient in any database or cache entry, keeps the audit chain and ledger whole', async () => {
    const before = await summary(erased.globalId);
    expect(before.data?.problems.length).toBeGreaterThan(0);
    await summary(erased.globalId); // from the cache
    const otherRead = await summary(other.globalId);
    expect(otherRead.data).not.toBeNull();

    // The scans can see what they look for: before the erasure both find the patient.
    const held = await databases();
    for (const trace of erased.traces) expect(held, trace).toContain(trace);
    const box = (await patientBox(erased.globalId))!;
    const opened = (await cached()).flatMap(({ key, value }) => box.open(value, key) ?? []);
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.some((plain) => plain.includes(erased.localId))).toBe(true);

    // The ledger never knew the patient by a name or an id of ours: only by an HMAC of the global id under their key.
    const ledgerDir = path.join(t.config.dataDir, 'ledger');
    const ref = patientLedgerRef((await secretOf(erased.globalId))!, erased.globalId);
    expect(await ledgerFiles(ledgerDir)).toContain(ref);
    for (const trace of erased.traces) expect(await ledgerFiles(ledgerDir), trace).not.toContain(trace);
    const patientToken = await t.patientToken(erased.globalId);
    const res = await t.graphql<{ erasePatient: Record<string, unknown> }>(ERASE, { p: erased.globalId }, patientToken);
    expect(res.errors).toEqual([]);
    const receipt = res.data!.erasePatient;
    expect(receipt).toMatchObject({
      basis: 'patient_request',
      regions: [{ region: 'us-ma', records: erased.records }],
      consents: 1,
      careRelationships: 3,
      indexEntries: 1,
      auditEventsUnchanged: 0,
    });
    expect(receipt.auditEventsPseudonymised).toBeGreaterThanOrEqual(2);
    // Massachusetts: HIPAA's six years from the US policy.
    expect(new Date(receipt.auditRetainedUntil as string).getUTCFullYear()).toBe(new Date().getUTCFullYear() + 6);
    expect(JSON.stringify(receipt)).not.toContain(erased.globalId);

    const left = await databases();
    for (const trace of erased.traces) expect(left, trace).not.toContain(trace);
    expect(await patientBox(erased.globalId)).toBeNull();
    const deployment = new SealedBox(
      Buffer.from((await readFile(path.join(t.config.dataDir, 'cache.key'), 'utf8')).trim(), 'base64'),
    );
    for (const { key, value } of await cached()) {
      for (const trace of erased.traces) {
        expect(key).not.toContain(trace);
        expect(value.includes(trace)).toBe(false);
      }
      // What was sealed for the patient opens under no key the gateway still has.
      const plain = deployment.open(value, key);
      if (plain !== null) for (const trace of erased.traces) expect(plain.includes(trace)).toBe(false);
    }

    // No export holds the patient either: their own copy of their data has nothing left to give.
    const exported = await fetch(
      `${t.gateway.url.replace('/graphql', '/fhir')}/Patient/${erased.globalId}/$everything`,
      {
        headers: { authorization: `Bearer ${patientToken}` },
      },
    );
    const body = await exported.text();
    expect(exported.status).toBeGreaterThanOrEqual(400);
    for (const trace of erased.traces.slice(1)) expect(body).not.toContain(trace);

    // Nothing is disclosed of the patient again; the other patient's receipt and records still verify.
    const after = await summary(erased.globalId);
    expect(after.data).toBeNull();
    expect(after.code).toBe('NOT_FOUND');
    const verified = await t.graphql<{ verifyDisclosure: { valid: boolean } }>(
      VERIFY,
      { r: otherRead.data!.receipt },
      await t.token('dr-johnson'),
    );
    expect(verified.data?.verifyDisclosure.valid).toBe(true);
    expect((await summary(other.globalId)).data?.problems.length).toBe(otherRead.data!.problems.length);
    const chain = await t.graphql<{ verifyAuditChain: { ok: boolean } }>(
      'query { verifyAuditChain { ok } }',
      {},
      await t.token('auditor-klein'),
    );
    expect(chain.data?.verifyAuditChain.ok).toBe(true);
    expect((await (t.gateway.ledger as EmbeddedLedger).verify()).ok).toBe(true);
    // What the ledger keeps under that id are hashes; the key that made the id is gone.
    for (const trace of erased.traces) expect(await ledgerFiles(ledgerDir), trace).not.toContain(trace);
    expect(await secretOf(erased.globalId)).toBeNull();
  });

  it('keeps the records anchored beside an erased one verifiable, and refuses to anchor anything for the erased patient', async () => {
    // Seeded patients of one region share anchor batches: erase one, read the others.
    const seeded = t.demo.patients.filter((p) => p.locations.some((l) => l.region === 'us-ma'));
    const [gone, ...rest] = seeded;
    await t.consentToTreatment(rest[0]!.globalId);
    const goneRef = patientLedgerRef((await secretOf(gone!.globalId))!, gone!.globalId);
    const res = await t.graphql(ERASE, { p: gone!.globalId, ref: 'DSR-2026-0042' }, await t.token('officer-miller'));
    expect(res.errors).toEqual([]);
    expect(res.data).toMatchObject({ erasePatient: { basis: 'verified_request:DSR-2026-0042' } });
    const read = await summary(rest[0]!.globalId);
    expect(read.data, JSON.stringify(read.code)).not.toBeNull();
    const { data } = await t.graphql<{ patientSummary: { receipt: unknown } }>(
      'query($p: ID!) { patientSummary(patientId: $p, purpose: TREAT) { receipt { decisionId } } }',
      { p: rest[0]!.globalId },
      await t.token('dr-johnson'),
    );
    expect(data).not.toBeNull();
    // The ledger refuses a consent for the erased patient, whatever a gateway asks (by the id it knew them by).
    const client = new LedgerClient(t.gateway.ledger, GLOBAL_IDS);
    await expect(
      client.recordConsent(GATEWAY_ACTOR, {
        consentId: 'after-erasure',
        patientRef: goneRef,
        hash: 'a'.repeat(64),
        version: '1',
      }),
    ).rejects.toThrow(/erased/);
  });

  it('lets an officer erase only with a verified request, and nobody else at all', async () => {
    const [target] = t.demo.patients.filter((p) => p.locations.some((l) => l.region === 'eu-de'));
    const id = target!.globalId;
    const noReference = await t.graphql(ERASE, { p: id }, await t.token('officer-schmidt'));
    expect(noReference.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
    const elsewhere = await t.graphql(ERASE, { p: id, ref: 'DSR-1' }, await t.token('officer-miller'));
    expect(elsewhere.errors[0]?.extensions.code).toBe('FORBIDDEN');
    const clinician = await t.graphql(ERASE, { p: id, ref: 'DSR-1' }, await t.token('dr-weber'));
    expect(clinician.errors[0]?.extensions.code).toBe('FORBIDDEN');
    const anotherPatient = await t.graphql(ERASE, { p: id }, await t.patientToken(other.globalId));
    expect(anotherPatient.errors[0]?.extensions.code).toBe('FORBIDDEN');
    // Refused: the patient's records are all still there.
    await t.consentToTreatment(id);
    const res = await t.graphql<{ patientSummary: Summary }>(
      'query($p: ID!) { patientSummary(patientId: $p, purpose: TREAT) { receipt { decisionId auditHash } } }',
      { p: id },
      await t.token('dr-weber'),
    );
    expect(res.data).not.toBeNull();
  });

  it("notices an audit event moved into another patient's log, though its hash still matches", async () => {
    const [a, b] = t.demo.patients.filter((p) => p.locations.some((l) => l.region === 'eu-de'));
    await t.consentToTreatment(a!.globalId);
    const read = await t.graphql<{ patientSummary: Summary }>(
      'query($p: ID!) { patientSummary(patientId: $p, purpose: TREAT) { receipt { decisionId auditHash } } }',
      { p: a!.globalId },
      await t.token('dr-weber'),
    );
    const decisionId = read.data!.patientSummary.receipt.decisionId;
    const control = new pg.Client({ connectionString: t.databases.get('control')!.url });
    await control.connect();
    const verify = async (): Promise<{ ok: boolean; problems: { detail: string }[] }> =>
      (
        await t.graphql<{ verifyAuditChain: { ok: boolean; problems: { detail: string }[] } }>(
          'query { verifyAuditChain { ok problems { detail } } }',
          {},
          await t.token('auditor-klein'),
        )
      ).data!.verifyAuditChain;
    try {
      expect((await verify()).ok).toBe(true);
      await control.query('UPDATE audit_events SET patient_id = $1 WHERE id = $2', [b!.globalId, decisionId]);
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.problems.map((p) => p.detail)).toContainEqual(
        expect.stringContaining(`(${decisionId}) names a patient it was not chained for`),
      );
      // The patient it was moved to sees it marked, not as theirs.
      const log = await t.graphql<{
        myAccessLog: { edges: { node: { decisionId: string; integrity: string } }[] };
      }>(
        'query { myAccessLog(first: 50) { edges { node { decisionId integrity } } } }',
        {},
        await t.patientToken(b!.globalId),
      );
      expect(log.data!.myAccessLog.edges.find((e) => e.node.decisionId === decisionId)?.node.integrity).toBe('ALTERED');
    } finally {
      await control.query('UPDATE audit_events SET patient_id = $1 WHERE id = $2', [a!.globalId, decisionId]);
      await control.end();
    }
    expect((await verify()).ok).toBe(true);
  });
});
