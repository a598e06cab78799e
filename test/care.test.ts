import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frenchPatient, startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway.js';

const SUMMARY = /* GraphQL */ `
  query Summary($patientId: ID!) {
    patientSummary(patientId: $patientId, purpose: TREAT) {
      regions
      problems {
        id
      }
    }
  }
`;
const GRANT = 'mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }';
const ISSUE = /* GraphQL */ `
  mutation Issue($org: String, $minutes: Int) {
    issueAccessCode(organisationId: $org, validMinutes: $minutes) {
      id
      code
      organisationId
      expiresAt
      state
    }
  }
`;
const OPEN = /* GraphQL */ `
  mutation Open($patientId: ID!, $code: String!) {
    openCareRelationship(patientId: $patientId, accessCode: $code) {
      id
      organisationId
      status
      expiresAt
      openTxId
    }
  }
`;
const RELATIONSHIP_FIELDS =
  'id organisationId organisationName status openedAt expiresAt endedAt contentHash openTxId endTxId';
const MINE = `query { myCareRelationships { ${RELATIONSHIP_FIELDS} } }`;
const END = `mutation($id: ID!) { endCareRelationship(relationshipId: $id) { ${RELATIONSHIP_FIELDS} } }`;
const CODES = 'query { myAccessCodes { id code state failedAttempts organisationId } }';
const MY_LOG = 'query { myAccessLog(first: 100) { edges { node { organisationId operation outcome reasons } } } }';

interface Relationship {
  id: string;
  organisationId: string;
  organisationName: string | null;
  status: string;
  openedAt: string;
  expiresAt: string;
  endedAt: string | null;
  contentHash: string;
  openTxId: string;
  endTxId: string | null;
}
interface LogEntry {
  organisationId: string;
  operation: string;
  outcome: string;
  reasons: string[];
}

const DAY_MS = 24 * 3600 * 1000;

function codes(res: GraphQLResponse): string[] {
  return res.errors.map((e) => String(e.extensions.code));
}

describe('care relationships: "any treating provider" means an organisation the patient identified at the point of care', () => {
  let t: TestGateway;
  let patient: { id: string; token: string };
  let weber: string; // Charité Berlin, DE
  let martin: string; // AP-HP Paris, FR

  beforeAll(async () => {
    t = await startTestGateway();
    const fr = frenchPatient(t);
    patient = { id: fr.globalId, token: await t.patientToken(fr.globalId) };
    weber = await t.token('dr-weber');
    martin = await t.token('dr-martin');
    const grant = await t.graphql(
      GRANT,
      { input: { grantee: { kind: 'ANY_TREATING_PROVIDER' }, purposes: ['TREAT'] } },
      patient.token,
    );
    expect(grant.errors).toEqual([]);
  });
  afterAll(async () => {
    await t.close();
  });

  const summary = (token: string) =>
    t.graphql<{ patientSummary: { regions: string[]; problems: { id: string }[] } }>(
      SUMMARY,
      { patientId: patient.id },
      token,
    );
  const issue = async (variables: Record<string, unknown> = {}): Promise<string> => {
    const res = await t.graphql<{ issueAccessCode: { code: string; state: string } }>(ISSUE, variables, patient.token);
    expect(res.errors).toEqual([]);
    expect(res.data!.issueAccessCode.state).toBe('ACTIVE');
    return res.data!.issueAccessCode.code;
  };
  const open = (token: string, code: string, patientId = patient.id) =>
    t.graphql<{ openCareRelationship: Relationship }>(OPEN, { patientId, code }, token);
  const myLog = async (): Promise<LogEntry[]> => {
    const res = await t.graphql<{ myAccessLog: { edges: { node: LogEntry }[] } }>(MY_LOG, {}, patient.token);
    expect(res.errors).toEqual([]);
    return res.data!.myAccessLog.edges.map((e) => e.node);
  };

  it('without a relationship the consent does not reach the German clinician; with the code it does; ending it ends access on the next read', async () => {
    const before = await summary(weber);
    expect(before.data!.patientSummary.regions).toEqual(['eu-de']);
    expect(codes(before)).toEqual(['CONSENT_REQUIRED']);
    expect(before.errors[0]!.message).toMatch(/eu-fr.*care relationship/);

    const code = await issue({ org: 'charite-berlin', minutes: 10 });
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    // A code bound to Charité is no good to Paris.
    const elsewhere = await open(martin, code);
    expect(codes(elsewhere)).toEqual(['FORBIDDEN']);
    // Typed by hand at the desk: lower case, without the dash.
    const opened = await open(weber, code.replace('-', '').toLowerCase());
    expect(opened.errors).toEqual([]);
    const relationship = opened.data!.openCareRelationship;
    expect(relationship).toMatchObject({ organisationId: 'charite-berlin', status: 'OPEN' });
    // The episode the policy sets (30 days where it states none).
    const days = (Date.parse(relationship.expiresAt) - Date.now()) / DAY_MS;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    const treated = await summary(weber);
    expect(treated.errors).toEqual([]);
    expect([...treated.data!.patientSummary.regions].sort()).toEqual(['eu-de', 'eu-fr']);
    expect(treated.data!.patientSummary.problems.some((p) => p.id.startsWith('eu-fr/'))).toBe(true);
    // Single use: the same code does not open a second relationship.
    expect(codes(await open(weber, code))).toEqual(['FORBIDDEN']);

    const mine = await t.graphql<{ myCareRelationships: Relationship[] }>(MINE, {}, patient.token);
    expect(mine.data!.myCareRelationships).toHaveLength(1);
    expect(mine.data!.myCareRelationships[0]).toMatchObject({
      id: relationship.id,
      organisationName: 'Charité – Universitätsmedizin Berlin',
      status: 'OPEN',
      endTxId: null,
    });
    // Nobody but the patient sees or ends them.
    expect(codes(await t.graphql(MINE, {}, weber))).toEqual(['FORBIDDEN']);
    expect(codes(await t.graphql(END, { id: relationship.id }, weber))).toEqual(['FORBIDDEN']);

    const ended = await t.graphql<{ endCareRelationship: Relationship }>(END, { id: relationship.id }, patient.token);
    expect(ended.errors).toEqual([]);
    expect(ended.data!.endCareRelationship.status).toBe('ENDED');
    expect(ended.data!.endCareRelationship.endTxId).toEqual(expect.any(String));
    const after = await summary(weber);
    expect(after.data!.patientSummary.regions).toEqual(['eu-de']);
    expect(codes(after)).toEqual(['CONSENT_REQUIRED']);

    // The patient sees each attempt in their access log: the refused one and the opening.
    const opens = (await myLog()).filter((e) => e.operation === 'openCareRelationship');
    expect(opens.map((e) => [e.organisationId, e.outcome])).toEqual([
      ['charite-berlin', 'DENY'],
      ['charite-berlin', 'PERMIT'],
      ['aphp-paris', 'DENY'],
    ]);
  });

  it('a wrong code five times locks the code: the right one then opens nothing, and every try is audited', async () => {
    const logBefore = (await myLog()).length;
    const code = await issue();
    for (let i = 0; i < 5; i++) {
      const wrong = await open(weber, 'AAAAA-AAAAA');
      expect(codes(wrong)).toEqual(['FORBIDDEN']);
      expect(wrong.errors[0]!.message).toMatch(/not valid for this patient/);
    }
    expect(codes(await open(weber, code))).toEqual(['FORBIDDEN']);
    const listed = await t.graphql<{ myAccessCodes: { code: string | null; state: string; failedAttempts: number }[] }>(
      CODES,
      {},
      patient.token,
    );
    expect(listed.data!.myAccessCodes[0]).toMatchObject({ code: null, state: 'LOCKED', failedAttempts: 5 });
    const tries = (await myLog()).slice(0, -logBefore || undefined);
    expect(tries.filter((e) => e.operation === 'openCareRelationship' && e.outcome === 'DENY')).toHaveLength(6);
    expect((await summary(weber)).data!.patientSummary.regions).toEqual(['eu-de']);
    // A fresh code works: the lock is the code's, not the patient's.
    expect((await open(weber, await issue())).errors).toEqual([]);
  });

  it('refuses a guess against an unknown patient with the same answer, and anyone but a clinician', async () => {
    const unknown = await open(weber, 'AAAAA-AAAAA', 'mp-000000000000');
    const known = await open(weber, 'AAAAA-AAAAA');
    expect(codes(unknown)).toEqual(['FORBIDDEN']);
    expect(unknown.errors[0]!.message).toBe(known.errors[0]!.message);
    expect(codes(await open(patient.token, await issue()))).toEqual(['FORBIDDEN']);
    expect(codes(await t.graphql(ISSUE, {}, weber))).toEqual(['FORBIDDEN']);
    const bad = await t.graphql(ISSUE, { minutes: 0 }, patient.token);
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(codes(await t.graphql(ISSUE, { org: 'no-such-hospital' }, patient.token))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('care relationships: a row edited behind our back is never a disclosure', () => {
  let t: TestGateway;
  let db: pg.Client;
  let patientId: string;

  beforeAll(async () => {
    // Uncached: the altered rows must be met on the very next read.
    t = await startTestGateway({ env: { MERIDIAN_CACHE_TTL_MS: '0' } });
    db = new pg.Client({ connectionString: t.databases.get('control')!.url });
    await db.connect();
    patientId = frenchPatient(t).globalId;
    const grant = await t.graphql(
      GRANT,
      { input: { grantee: { kind: 'ANY_TREATING_PROVIDER' }, purposes: ['TREAT'] } },
      await t.patientToken(patientId),
    );
    expect(grant.errors).toEqual([]);
    await t.openCareRelationship(patientId, 'dr-weber');
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const regionsFor = async (persona: string): Promise<{ regions: string[] | undefined; codes: string[] }> => {
    const res = await t.graphql<{ patientSummary: { regions: string[] } }>(
      SUMMARY,
      { patientId },
      await t.token(persona),
    );
    return { regions: res.data?.patientSummary.regions, codes: codes(res) };
  };

  it('a relationship redirected to another organisation, or forged, fails the decision; a deleted one only narrows', async () => {
    expect((await regionsFor('dr-weber')).regions?.sort()).toEqual(['eu-de', 'eu-fr']);
    // Redirected to Paris's hospital: Paris gets nothing, not the French records.
    await db.query("UPDATE care_relationships SET organisation_id = 'aphp-paris'");
    expect((await regionsFor('dr-martin')).codes).toEqual(['INTEGRITY_VIOLATION']);
    await db.query("UPDATE care_relationships SET organisation_id = 'charite-berlin'");
    expect((await regionsFor('dr-weber')).regions?.sort()).toEqual(['eu-de', 'eu-fr']);

    // A row inserted for Boston, with the hash of a document that was never anchored.
    await db.query(
      `INSERT INTO care_relationships
         SELECT 'care-' || md5(id), patient_id, 'mgh-boston', opened_by, opened_at, expires_at,
                access_code_id, content_hash, open_tx_id, status, ended_at, end_tx_id
         FROM care_relationships`,
    );
    expect((await regionsFor('dr-johnson')).codes).toEqual(['INTEGRITY_VIOLATION']);
    await db.query("DELETE FROM care_relationships WHERE organisation_id = 'mgh-boston'");

    // A relationship pushed past its episode no longer matches its anchor.
    await db.query("UPDATE care_relationships SET expires_at = expires_at + interval '300 days'");
    expect((await regionsFor('dr-weber')).codes).toEqual(['INTEGRITY_VIOLATION']);
    await db.query("UPDATE care_relationships SET expires_at = expires_at - interval '300 days'");

    // Deleted: the ledger still lists it, but a missing relationship can only narrow.
    await db.query('DELETE FROM care_relationships');
    const deleted = await regionsFor('dr-weber');
    expect(deleted.regions).toEqual(['eu-de']);
    expect(deleted.codes).toEqual(['CONSENT_REQUIRED']);
  });

  it('a relationship ended on the ledger but stored as open discloses nothing; ending it again finishes the stored half', async () => {
    await t.openCareRelationship(patientId, 'dr-weber');
    const token = await t.patientToken(patientId);
    const [open] = (await t.graphql<{ myCareRelationships: Relationship[] }>(MINE, {}, token)).data!
      .myCareRelationships;
    const ended = await t.graphql<{ endCareRelationship: Relationship }>(END, { id: open!.id }, token);
    const endTxId = ended.data!.endCareRelationship.endTxId;
    expect(endTxId).toEqual(expect.any(String));
    // As if the gateway had died between the ledger and its own row: the row still says open.
    await db.query("UPDATE care_relationships SET status = 'open', ended_at = NULL, end_tx_id = NULL WHERE id = $1", [
      open!.id,
    ]);
    const read = await regionsFor('dr-weber');
    expect(read.regions).toEqual(['eu-de']);
    const again = await t.graphql<{ endCareRelationship: Relationship }>(END, { id: open!.id }, token);
    expect(again.errors).toEqual([]);
    expect(again.data!.endCareRelationship).toMatchObject({ status: 'ENDED', endTxId });
  });
});
