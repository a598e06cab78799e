import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevKeys } from '../src/auth/dev-keys.js';
import { mintToken } from '../src/auth/token-minter.js';
import { LedgerClient } from '../src/ledger/ledger-client.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway.js';
import { PatientKeys } from '../src/access/patient-keys.js';

// Tamper evidence: a row deleted, remapped or relabelled behind the gateway's back is as loud as
// an altered one. Each case changes one thing in PostgreSQL, reads through the public API, and
// puts the row back. The cache is off so the very next read meets the change.

const SUMMARY = /* GraphQL */ `
  query Summary($patientId: ID!) {
    patientSummary(patientId: $patientId, purpose: TREAT) {
      regions
      problems {
        id
      }
      allergies {
        id
      }
      medications {
        id
      }
    }
  }
`;
const GRANT = 'mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id status } }';
const REVOKE = 'mutation($id: ID!) { revokeConsent(consentId: $id) { id status revokeTxId } }';

interface Summary {
  regions: string[];
  problems: { id: string }[];
  allergies: { id: string }[];
  medications: { id: string }[];
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

function codes(res: GraphQLResponse): string[] {
  return res.errors.map((e) => `${e.extensions.code as string}@${(e.extensions.region as string | undefined) ?? ''}`);
}

function ids(s: Summary): string[] {
  return [...s.problems, ...s.allergies, ...s.medications].map((r) => r.id);
}

/** Two patients with records in eu-de and eu-fr who consented to treatment; the first is a demo persona. */
async function crossBorderPair(
  t: TestGateway,
): Promise<{ a: { id: string; token: string; fr: string }; b: { id: string; fr: string } }> {
  const crossBorder = t.demo.patients.filter(
    (p) =>
      p.locations.some((l) => l.region === 'eu-de') &&
      p.locations.some((l) => l.region === 'eu-fr') &&
      t.demo.personas.some((persona) => persona.patientId === p.globalId),
  );
  const [first, second] = crossBorder;
  const frOf = (p: typeof first): string => p!.locations.find((l) => l.region === 'eu-fr')!.localId;
  const persona = t.demo.personas.find((p) => p.patientId === first!.globalId)!;
  const a = { id: first!.globalId, token: await t.token(persona.name), fr: frOf(first) };
  const b = { id: second!.globalId, fr: frOf(second) };
  await t.consentToTreatment(a.id);
  await t.consentToTreatment(b.id);
  return { a, b };
}

/** Swaps two patients' eu-fr local ids in the control plane (the unique index forbids a plain overwrite). */
async function swapFrenchRows(control: string, a: string, b: string, x: string, y: string): Promise<void> {
  await query(control, `UPDATE patient_locations SET local_id = 'swap' WHERE global_id = $1 AND region = 'eu-fr'`, [a]);
  await query(control, `UPDATE patient_locations SET local_id = $2 WHERE global_id = $1 AND region = 'eu-fr'`, [b, x]);
  await query(control, `UPDATE patient_locations SET local_id = $2 WHERE global_id = $1 AND region = 'eu-fr'`, [a, y]);
}

describe('tamper evidence: missing, remapped and relabelled rows', () => {
  let t: TestGateway;
  let clinician: string;
  let control: string;
  let a: { id: string; token: string; fr: string };
  let b: { id: string; fr: string };

  const alerts = (): Record<string, unknown>[] => t.logs.filter((l) => l.alert === 'integrity_violation');
  const summary = (patientId = a.id): Promise<GraphQLResponse<{ patientSummary: Summary }>> =>
    t.graphql<{ patientSummary: Summary }>(SUMMARY, { patientId }, clinician);

  beforeAll(async () => {
    t = await startTestGateway({ patients: 16, captureLogs: true, env: { MERIDIAN_CACHE_TTL_MS: '0' } });
    clinician = await t.token('dr-weber');
    control = t.databases.get('control')!.url;
    ({ a, b } = await crossBorderPair(t));
  });
  afterAll(async () => {
    await t.close();
  });

  it('a partner cannot act as a patient: only the patient identity provider of their jurisdiction vouches for them', async () => {
    const keys = await ensureDevKeys(t.config.dataDir, []);
    const patientToken = (issuer: string): Promise<string> =>
      mintToken(keys[issuer]!.privateJwk, {
        organisationId: issuer,
        subject: 'someone',
        roles: ['patient'],
        patientId: a.id,
        audience: t.config.tokenAudience,
      });
    const asPatient = [
      {
        query: 'query($p: ID!) { patientSummary(patientId: $p, purpose: PATRQT) { regions } }',
        variables: { p: a.id },
      },
      { query: '{ myConsents { id } }', variables: {} },
      {
        query: GRANT,
        variables: { input: { grantee: { kind: 'ORGANISATION', organisationId: 'mgh-boston' }, purposes: ['TREAT'] } },
      },
    ];
    // A hospital's own key, and the patient identity provider of a jurisdiction the patient is not held in.
    for (const issuer of ['mgh-boston', 'charite-berlin', 'patient-id-us-ma']) {
      const forged = await patientToken(issuer);
      for (const { query: q, variables } of asPatient) {
        const res = await t.graphql(q, variables, forged);
        expect(res.errors.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
      }
    }
    const [stored] = await query<{ n: string }>(control, `SELECT count(*) AS n FROM consents WHERE patient_id = $1`, [
      a.id,
    ]);
    // The genuine provider of the patient's jurisdiction is believed.
    const genuine = await t.graphql('{ myConsents { id } }', {}, a.token);
    expect(genuine.errors).toEqual([]);
    expect((genuine.data as { myConsents: unknown[] }).myConsents).toHaveLength(Number(stored!.n));
  });

  it('reads both regions cleanly before anything is touched', async () => {
    const res = await summary();
    expect(res.errors).toEqual([]);
    expect([...res.data!.patientSummary.regions].sort()).toEqual(['eu-de', 'eu-fr']);
    expect(alerts()).toEqual([]);
  });

  it("a patient-index row pointed at another patient's local id serves nothing of theirs and is an integrity violation", async () => {
    const bRecords = ids((await summary(b.id)).data!.patientSummary).filter((id) => id.startsWith('eu-fr/'));
    expect(bRecords.length).toBeGreaterThan(0);
    const swap = (x: string, y: string): Promise<void> => swapFrenchRows(control, a.id, b.id, x, y);
    await swap(a.fr, b.fr);
    try {
      const res = await summary();
      expect(codes(res)).toContain('INTEGRITY_VIOLATION@eu-fr');
      expect(res.data!.patientSummary.regions).toEqual(['eu-de']);
      expect(ids(res.data!.patientSummary).filter((id) => bRecords.includes(id))).toEqual([]);
      expect(alerts().length).toBeGreaterThan(0);
    } finally {
      await swap(b.fr, a.fr);
    }
    expect((await summary()).errors).toEqual([]);
  });

  it('a deleted patient-index row does not silently drop its region', async () => {
    await query(control, `DELETE FROM patient_locations WHERE global_id = $1 AND region = 'eu-fr'`, [a.id]);
    try {
      const res = await summary();
      expect(codes(res)).toEqual(['INTEGRITY_VIOLATION@eu-fr']);
      expect(res.errors[0]!.message).toMatch(/ledger lists region eu-fr/);
    } finally {
      await query(control, `INSERT INTO patient_locations (global_id, region, local_id) VALUES ($1, 'eu-fr', $2)`, [
        a.id,
        a.fr,
      ]);
    }
  });

  it('a deleted record row, or a relabelled one, withholds the region with INTEGRITY_VIOLATION instead of dropping the item', async () => {
    const de = t.databases.get('eu-de')!.url;
    const localId = t.demo.patients
      .find((p) => p.globalId === a.id)!
      .locations.find((l) => l.region === 'eu-de')!.localId;
    const [row] = await query<{ key: string; sensitivity: string[] }>(
      de,
      `SELECT key, sensitivity FROM records WHERE patient_id = $1 AND category = 'allergies' ORDER BY key LIMIT 1`,
      [localId],
    );
    expect(row).toBeDefined();
    await query(de, `CREATE TABLE saved AS SELECT * FROM records WHERE key = $1`.replace('$1', `'${row!.key}'`));
    await query(de, `DELETE FROM records WHERE key = $1`, [row!.key]);
    try {
      const deleted = await summary();
      expect(codes(deleted)).toEqual(['INTEGRITY_VIOLATION@eu-de']);
      expect(deleted.errors[0]!.message).toMatch(/missing, added or relabelled/);
      expect(deleted.data!.patientSummary.regions).toEqual(['eu-fr']);
    } finally {
      await query(de, `INSERT INTO records SELECT * FROM saved`);
      await query(de, `DROP TABLE saved`);
    }
    expect((await summary()).errors).toEqual([]);
    // A label the SQL filter would withhold: the item must not just vanish.
    await query(de, `UPDATE records SET sensitivity = array_append(sensitivity, 'PSY') WHERE key = $1`, [row!.key]);
    try {
      expect(codes(await summary())).toEqual(['INTEGRITY_VIOLATION@eu-de']);
    } finally {
      await query(de, `UPDATE records SET sensitivity = $2::text[] WHERE key = $1`, [row!.key, row!.sensitivity]);
    }
    expect((await summary()).errors).toEqual([]);
  });

  it('a policy active on the ledger whose rows were all deleted here is noticed, not skipped', async () => {
    await query(control, `CREATE TABLE saved_policies AS SELECT * FROM policy_versions WHERE jurisdiction = 'DE'`);
    await query(control, `DELETE FROM policy_versions WHERE jurisdiction = 'DE'`);
    try {
      const res = await summary();
      expect(res.errors.map((e) => e.extensions.code)).toEqual(['INTEGRITY_VIOLATION']);
      expect(alerts().some((l) => String(l.subject).includes('DE'))).toBe(true);
    } finally {
      await query(control, `INSERT INTO policy_versions SELECT * FROM saved_policies`);
      await query(control, `DROP TABLE saved_policies`);
    }
    expect((await summary()).errors).toEqual([]);
  });

  it('a deleted objection is an integrity violation, not a re-opened disclosure', async () => {
    const objection = await t.graphql<{ grantConsent: { id: string } }>(
      GRANT,
      { input: { kind: 'DENY', grantee: { kind: 'JURISDICTION', jurisdiction: 'EU' }, purposes: ['TREAT'] } },
      a.token,
    );
    expect(objection.errors).toEqual([]);
    const id = objection.data!.grantConsent.id;
    const objected = await summary();
    expect(objected.data?.patientSummary.regions ?? []).not.toContain('eu-fr');
    const [saved] = await query<Record<string, unknown>>(control, `SELECT * FROM consents WHERE id = $1`, [id]);
    await query(control, `DELETE FROM consents WHERE id = $1`, [id]);
    try {
      const res = await summary();
      expect(res.errors.map((e) => e.extensions.code)).toEqual(['INTEGRITY_VIOLATION']);
      expect(res.data?.patientSummary ?? null).toBeNull();
    } finally {
      await query(control, `INSERT INTO consents SELECT * FROM json_populate_record(NULL::consents, $1)`, [
        JSON.stringify(saved),
      ]);
    }
    await t.graphql(REVOKE, { id }, a.token);
  });

  it('a revocation anchored on the ledger whose row write failed is in force, told so, and repaired without an alarm', async () => {
    const grant = await t.graphql<{ grantConsent: { id: string } }>(
      GRANT,
      { input: { grantee: { kind: 'ORGANISATION', organisationId: 'aphp-paris' }, purposes: ['TREAT'] } },
      a.token,
    );
    const id = grant.data!.grantConsent.id;
    const before = alerts().length;
    // The database refuses the revocation's write; the ledger takes it.
    await query(
      control,
      `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
       CREATE TRIGGER refuse BEFORE UPDATE ON consents FOR EACH ROW EXECUTE FUNCTION refuse();`,
    );
    let revoked: GraphQLResponse<{ revokeConsent: { status: string; revokeTxId: string | null } }>;
    try {
      revoked = await t.graphql(REVOKE, { id }, a.token);
    } finally {
      await query(control, `DROP TRIGGER refuse ON consents; DROP FUNCTION refuse();`);
    }
    expect(revoked.errors).toEqual([]);
    expect(revoked.data!.revokeConsent.status).toBe('REVOKED');
    expect(revoked.data!.revokeConsent.revokeTxId).toBeTruthy();
    const [lagging] = await query<{ status: string }>(control, `SELECT status FROM consents WHERE id = $1`, [id]);
    expect(lagging!.status).toBe('active');

    expect((await summary()).errors).toEqual([]);
    const [repaired] = await query<{ status: string; revoke_tx_id: string }>(
      control,
      `SELECT status, revoke_tx_id FROM consents WHERE id = $1`,
      [id],
    );
    expect(repaired).toEqual({ status: 'revoked', revoke_tx_id: revoked.data!.revokeConsent.revokeTxId });
    expect(alerts().length).toBe(before);
    expect(t.logs.some((l) => l.repair === `consent ${id}`)).toBe(true);
  });

  it('a revocation written to the ledger alone (the database write lost) is decided by the ledger', async () => {
    const grant = await t.graphql<{ grantConsent: { id: string } }>(
      GRANT,
      { input: { grantee: { kind: 'JURISDICTION', jurisdiction: 'EU' }, purposes: ['TREAT'] } },
      a.token,
    );
    const id = grant.data!.grantConsent.id;
    const ledger = new LedgerClient(t.gateway.ledger, new PatientKeys(t.gateway.stores.control.patientKeys));
    await ledger.revokeConsent({ user: 'patient', role: 'patient', patient: a.id }, id, 'patient_request');
    const before = alerts().length;
    const res = await summary();
    expect(res.errors).toEqual([]);
    expect(alerts().length).toBe(before);
    const [row] = await query<{ status: string }>(control, `SELECT status FROM consents WHERE id = $1`, [id]);
    expect(row!.status).toBe('revoked');
  });

  it('50 grants and revocations of one patient beside 200 reads: nothing lost, no false alarm', async () => {
    const before = alerts().length;
    const granted: string[] = [];
    const writes = Array.from({ length: 25 }, async () => {
      const g = await t.graphql<{ grantConsent: { id: string } }>(
        GRANT,
        { input: { grantee: { kind: 'ORGANISATION', organisationId: 'aphp-paris' }, purposes: ['TREAT'] } },
        a.token,
      );
      expect(g.errors).toEqual([]);
      granted.push(g.data!.grantConsent.id);
      const r = await t.graphql<{ revokeConsent: { status: string } }>(
        REVOKE,
        { id: g.data!.grantConsent.id },
        a.token,
      );
      expect(r.errors).toEqual([]);
      expect(r.data!.revokeConsent.status).toBe('REVOKED');
    });
    const reads = Array.from({ length: 200 }, async () => {
      const res = await summary();
      expect(res.errors.filter((e) => e.extensions.code === 'INTEGRITY_VIOLATION')).toEqual([]);
    });
    await Promise.all([...writes, ...reads]);
    expect(alerts().slice(before)).toEqual([]);
    const rows = await query<{ status: string }>(control, `SELECT status FROM consents WHERE id = ANY($1)`, [granted]);
    expect(rows.map((r) => r.status)).toEqual(granted.map(() => 'revoked'));
  });
});

describe('with the cache on, index rows changed behind our back', () => {
  let t: TestGateway;
  let clinician: string;
  let control: string;
  let a: { id: string; token: string; fr: string };
  let b: { id: string; fr: string };

  const summary = (patientId = a.id): Promise<GraphQLResponse<{ patientSummary: Summary }>> =>
    t.graphql<{ patientSummary: Summary }>(SUMMARY, { patientId }, clinician);

  beforeAll(async () => {
    t = await startTestGateway({ patients: 16, captureLogs: true });
    clinician = await t.token('dr-weber');
    control = t.databases.get('control')!.url;
    ({ a, b } = await crossBorderPair(t));
  });
  afterAll(async () => {
    await t.close();
  });

  // The gateway keeps index rows that matched the ledger and checks them against it on every
  // read: a row remapped or deleted afterwards can neither redirect a region nor drop it.
  it("a row pointed at another patient's local id, or deleted, serves the patient's own records, never the other's", async () => {
    const bRecords = ids((await summary(b.id)).data!.patientSummary).filter((id) => id.startsWith('eu-fr/'));
    expect(bRecords.length).toBeGreaterThan(0);
    const warm = await summary();
    expect(warm.errors).toEqual([]);
    expect([...warm.data!.patientSummary.regions].sort()).toEqual(['eu-de', 'eu-fr']);

    await swapFrenchRows(control, a.id, b.id, a.fr, b.fr);
    try {
      const res = await summary();
      expect(res.errors).toEqual([]);
      expect(res.data).toEqual(warm.data);
      expect(ids(res.data!.patientSummary).filter((id) => bRecords.includes(id))).toEqual([]);
    } finally {
      await swapFrenchRows(control, a.id, b.id, b.fr, a.fr);
    }

    await query(control, `DELETE FROM patient_locations WHERE global_id = $1 AND region = 'eu-fr'`, [a.id]);
    try {
      const res = await summary();
      expect(res.errors).toEqual([]);
      expect(res.data).toEqual(warm.data);
    } finally {
      await query(control, `INSERT INTO patient_locations (global_id, region, local_id) VALUES ($1, 'eu-fr', $2)`, [
        a.id,
        a.fr,
      ]);
    }
  });
});
