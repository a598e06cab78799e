import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadShippedPolicies } from '../src/access/policy/shipped-policies.js';
import { contentHash } from '../src/domain/canonical-json.js';
import { frenchPatient, startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway.js';

const SUMMARY = /* GraphQL */ `
  query Summary($patientId: ID!, $purpose: PurposeOfUse!, $justification: String) {
    patientSummary(patientId: $patientId, purpose: $purpose, justification: $justification) {
      regions
      problems {
        id
      }
      results {
        id
      }
      procedures {
        id
      }
      medications {
        id
        sensitivity
      }
      receipt {
        decisionId
        auditHash
        outcome
        breakGlass
        policies {
          jurisdiction
          version
          hash
          txId
        }
        consents {
          id
          version
          hash
          txId
        }
      }
    }
  }
`;

const GRANT = /* GraphQL */ `
  mutation Grant($input: GrantConsentInput!) {
    grantConsent(input: $input) {
      id
    }
  }
`;
const REVOKE = 'mutation Revoke($id: ID!) { revokeConsent(consentId: $id) { id status } }';
const ACCESS_LOG_FIELDS = 'decisionId organisationId purpose outcome breakGlass justification reasons';
const MY_LOG = `query { myAccessLog(first: 50) { edges { node { ${ACCESS_LOG_FIELDS} } } } }`;
const QUEUE = `query { breakGlassReviewQueue(first: 50) { edges { node { ${ACCESS_LOG_FIELDS} reviewedAt } } } }`;
const REVIEW = 'mutation($id: ID!) { reviewBreakGlass(decisionId: $id) { decisionId reviewedAt reviewedBy } }';
const VERIFY = /* GraphQL */ `
  query Verify($receipt: DisclosureReceiptInput!) {
    verifyDisclosure(receipt: $receipt) {
      valid
      batchId
      checks {
        subject
        ok
        detail
      }
    }
  }
`;

interface Summary {
  regions: string[];
  problems: { id: string }[];
  results: { id: string }[];
  procedures: { id: string }[];
  medications: { id: string; sensitivity: string | null }[];
  receipt: {
    decisionId: string;
    auditHash: string;
    outcome: string;
    breakGlass: boolean;
    policies: { jurisdiction: string; version: string; hash: string; txId: string }[];
    consents: { id: string; version: string; hash: string; txId: string }[];
  };
}

interface LogEntry {
  decisionId: string;
  organisationId: string;
  purpose: string;
  outcome: string;
  breakGlass: boolean;
  justification: string | null;
  reasons: string[];
  reviewedAt?: string | null;
}

const SIMULATE = /* GraphQL */ `
  query Simulate($j: String!, $v: String!) {
    simulatePolicy(jurisdiction: $j, version: $v) {
      replayed
      changed {
        decisionId
        before {
          outcome
          regions {
            region
            outcome
          }
        }
        after {
          outcome
          regions {
            region
            outcome
            code
          }
        }
      }
    }
  }
`;

async function sql(url: string, text: string, params: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

function codes(res: GraphQLResponse): string[] {
  return res.errors.map((e) => String(e.extensions.code));
}

describe('every disclosure decided under consent and policy, audited and receipted', () => {
  let t: TestGateway;
  let clinician: string;
  let patient: { id: string; token: string; regions: string[] };

  beforeAll(async () => {
    // Without the cache: the tampering cases below must meet the altered rows on the very next
    // read (with it, an entry verified before the tampering is served until it expires).
    t = await startTestGateway({ env: { MERIDIAN_CACHE_TTL_MS: '0' } });
    clinician = await t.token('dr-weber'); // Charité Berlin, DE
    // A patient of the Paris hospital (FR) with records in France and Germany.
    const fr = frenchPatient(t);
    patient = { id: fr.globalId, token: await t.token(fr.persona), regions: fr.regions };
  });
  afterAll(async () => {
    await t.close();
  });

  function summary(purpose = 'TREAT', justification?: string): Promise<GraphQLResponse<{ patientSummary: Summary }>> {
    return t.graphql<{ patientSummary: Summary }>(
      SUMMARY,
      { patientId: patient.id, purpose, ...(justification ? { justification } : {}) },
      clinician,
    );
  }

  async function myLog(): Promise<LogEntry[]> {
    const res = await t.graphql<{ myAccessLog: { edges: { node: LogEntry }[] } }>(MY_LOG, {}, patient.token);
    expect(res.errors).toEqual([]);
    return res.data!.myAccessLog.edges.map((e) => e.node);
  }

  it('denies without consent, permits once granted, denies once revoked; the log shows all three', async () => {
    const before = await myLog();

    const denied = await summary();
    // The German clinician may see the German records; the French ones need the patient's consent.
    expect(codes(denied)).toEqual(['CONSENT_REQUIRED']);
    expect(denied.errors[0]!.message).toMatch(/eu-fr.*consent/i);
    expect(denied.data!.patientSummary.regions).toEqual(['eu-de']);
    expect(denied.data!.patientSummary.receipt.outcome).toBe('PARTIAL');

    const grant = await t.graphql<{ grantConsent: { id: string } }>(
      GRANT,
      { input: { grantee: { kind: 'JURISDICTION', jurisdiction: 'EU' }, purposes: ['TREAT'] } },
      patient.token,
    );
    expect(grant.errors).toEqual([]);
    const consentId = grant.data!.grantConsent.id;

    const permitted = await summary();
    expect(permitted.errors).toEqual([]);
    const s = permitted.data!.patientSummary;
    expect([...s.regions].sort()).toEqual([...patient.regions].sort());
    expect(s.problems.some((p) => p.id.startsWith('eu-fr/'))).toBe(true);
    expect(s.receipt.outcome).toBe('PERMIT');
    expect(s.receipt.consents.map((c) => c.id)).toEqual([consentId]);
    expect(s.receipt.policies.map((p) => p.jurisdiction)).toContain('EU');

    const revoked = await t.graphql(REVOKE, { id: consentId }, patient.token);
    expect(revoked.errors).toEqual([]);
    const after = await summary();
    expect(codes(after)).toEqual(['CONSENT_REVOKED']);
    // Told that the patient withdrew, not which consent: that used to be named by its id.
    expect(after.errors[0]!.message).toMatch(/eu-fr.*the patient withdrew their consent/);
    expect(JSON.stringify(after)).not.toContain(consentId);
    expect(after.data!.patientSummary.regions).toEqual(['eu-de']);

    const log = (await myLog()).slice(0, (await myLog()).length - before.length);
    expect(log.map((e) => e.outcome)).toEqual(['PARTIAL', 'PERMIT', 'PARTIAL']);
    expect(log.every((e) => e.organisationId === 'charite-berlin' && e.purpose === 'TREAT')).toBe(true);
    expect(log[0]!.reasons).toContain('CONSENT_REVOKED');
    expect(log[2]!.reasons).toContain('CONSENT_REQUIRED');

    // The permitted answer's receipt proves against the ledger.
    const proof = await t.graphql<{
      verifyDisclosure: { valid: boolean; batchId: string; checks: { subject: string; ok: boolean }[] };
    }>(VERIFY, { receipt: { decisionId: s.receipt.decisionId, auditHash: s.receipt.auditHash } }, clinician);
    expect(proof.errors).toEqual([]);
    const v = proof.data!.verifyDisclosure;
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v.valid).toBe(true);
    expect(v.batchId).toMatch(/^audit:/);
    expect(v.checks.map((c) => c.subject)).toEqual(
      expect.arrayContaining([
        'audit_event',
        'ledger_anchor',
        `consent ${consentId}`,
        expect.stringMatching(/^policy EU@/),
      ]),
    );

    // A receipt whose hash was changed does not verify; another hospital may not verify it at all.
    const forged = await t.graphql<{ verifyDisclosure: { valid: boolean } }>(
      VERIFY,
      { receipt: { decisionId: s.receipt.decisionId, auditHash: '0'.repeat(64) } },
      clinician,
    );
    expect(forged.data!.verifyDisclosure.valid).toBe(false);
    const foreign = await t.graphql(
      VERIFY,
      { receipt: { decisionId: s.receipt.decisionId, auditHash: s.receipt.auditHash } },
      await t.token('dr-johnson'),
    );
    expect(codes(foreign)).toEqual(['NOT_FOUND']);
  });

  it('break-glass yields the emergency subset, flagged for the patient and queued for review', async () => {
    const emergency = await summary('ETREAT', 'Unconscious on arrival in the emergency department, no next of kin.');
    // France withholds what is outside the emergency subset, for the reason treatment would: the
    // patient withdrew their consent above.
    expect(emergency.errors.map((e) => [e.extensions.region, e.extensions.code])).toEqual([
      ['eu-fr', 'CONSENT_REVOKED'],
    ]);
    const s = emergency.data!.patientSummary;
    expect(s.receipt.breakGlass).toBe(true);
    expect([...s.regions].sort()).toEqual([...patient.regions].sort());
    expect(s.problems.length).toBeGreaterThan(0);
    // Results and procedures are outside the EU emergency subset: none from France, which treatment
    // could not read without consent; the German ones, as treatment reads them, stay.
    expect(s.results.filter((r) => r.id.startsWith('eu-fr/'))).toEqual([]);
    expect(s.procedures.filter((r) => r.id.startsWith('eu-fr/'))).toEqual([]);
    expect(s.results.some((r) => r.id.startsWith('eu-de/'))).toBe(true);

    const flagged = (await myLog()).find((e) => e.decisionId === s.receipt.decisionId)!;
    expect(flagged.breakGlass).toBe(true);
    expect(flagged.justification).toMatch(/Unconscious/);

    const officer = await t.token('officer-schmidt');
    const queue = await t.graphql<{ breakGlassReviewQueue: { edges: { node: LogEntry }[] } }>(QUEUE, {}, officer);
    expect(queue.errors).toEqual([]);
    expect(queue.data!.breakGlassReviewQueue.edges.map((e) => e.node.decisionId)).toContain(s.receipt.decisionId);

    // Only an officer of the requester's jurisdiction reviews it, once.
    const elsewhere = await t.graphql(REVIEW, { id: s.receipt.decisionId }, await t.token('officer-miller'));
    expect(codes(elsewhere)).toEqual(['NOT_FOUND']);
    const reviewed = await t.graphql<{ reviewBreakGlass: { reviewedBy: string } }>(
      REVIEW,
      { id: s.receipt.decisionId },
      officer,
    );
    expect(reviewed.errors).toEqual([]);
    expect(reviewed.data!.reviewBreakGlass.reviewedBy).toBe('officer-schmidt');
    const again = await t.graphql<{ breakGlassReviewQueue: { edges: { node: LogEntry }[] } }>(QUEUE, {}, officer);
    expect(again.data!.breakGlassReviewQueue.edges.map((e) => e.node.decisionId)).not.toContain(s.receipt.decisionId);
  });

  it("filters the officer's access log in the database: outcome, purpose, break-glass, patient", async () => {
    const officer = await t.token('officer-schmidt');
    type Entry = { decisionId: string; outcome: string; purpose: string; breakGlass: boolean; patientId: string };
    const log = async (filter: Record<string, unknown>): Promise<Entry[]> => {
      const res = await t.graphql<{ accessLog: { edges: { node: Entry }[] } }>(
        'query($f: AccessLogFilter) { accessLog(first: 100, filter: $f) { edges { node { decisionId outcome purpose breakGlass patientId } } } }',
        { f: filter },
        officer,
      );
      expect(res.errors).toEqual([]);
      return res.data!.accessLog.edges.map((e) => e.node);
    };
    const all = await log({});
    const breakGlass = await log({ breakGlass: true });
    expect(breakGlass.length).toBeGreaterThan(0);
    expect(breakGlass.map((e) => e.decisionId)).toEqual(all.filter((e) => e.breakGlass).map((e) => e.decisionId));
    const deniedTreatment = await log({ outcome: 'DENY', purpose: 'TREAT' });
    expect(deniedTreatment.map((e) => e.decisionId)).toEqual(
      all.filter((e) => e.outcome === 'DENY' && e.purpose === 'TREAT').map((e) => e.decisionId),
    );
    const aboutPatient = await log({ patientId: patient.id, breakGlass: false });
    expect(aboutPatient.length).toBeGreaterThan(0);
    expect(aboutPatient.every((e) => e.patientId === patient.id && !e.breakGlass)).toBe(true);
    expect(await log({ patientId: 'mp-nobody' })).toEqual([]);
  });

  it('a break-glass claim without a real justification is refused as bad input', async () => {
    const res = await summary('ETREAT', 'because');
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('a draft that tightens cross-border rules is simulated, approved by a second officer, activated, and decides the next request', async () => {
    const justification = 'Unconscious on arrival in the emergency department, no next of kin.';
    const before = await summary('ETREAT', justification);
    expect(before.data!.patientSummary.regions).toContain('eu-fr');
    const eu = (await loadShippedPolicies()).find((p) => p.jurisdiction === 'EU')!;
    const draft = {
      ...eu,
      version: '2026.1',
      rules: { ...eu.rules, crossBorder: { ...eu.rules.crossBorder, breakGlassDerogation: false } },
    };
    const schmidt = await t.token('officer-schmidt');
    const dubois = await t.token('officer-dubois');
    const drafted = await t.graphql(
      'mutation($d: JSONObject!) { draftPolicy(document: $d) { status } }',
      { d: draft },
      schmidt,
    );
    expect(drafted.errors).toEqual([]);

    const simulated = await t.graphql<{
      simulatePolicy: {
        replayed: number;
        changed: {
          decisionId: string;
          after: { regions: { region: string; outcome: string; code: string | null }[] };
        }[];
      };
    }>(SIMULATE, { j: 'EU', v: '2026.1' }, schmidt);
    expect(simulated.errors).toEqual([]);
    const report = simulated.data!.simulatePolicy;
    expect(report.replayed).toBeGreaterThan(0);
    const change = report.changed.find((c) => c.decisionId === before.data!.patientSummary.receipt.decisionId);
    expect(change?.after.regions.find((r) => r.region === 'eu-fr')).toMatchObject({ outcome: 'deny' });

    const APPROVE = 'mutation($v: String!) { approvePolicy(jurisdiction: "EU", version: $v) { status approver } }';
    const own = await t.graphql(APPROVE, { v: '2026.1' }, schmidt);
    expect(codes(own)).toEqual(['FORBIDDEN']);
    const approved = await t.graphql(APPROVE, { v: '2026.1' }, dubois);
    expect(approved.errors).toEqual([]);
    const activated = await t.graphql(
      'mutation { activatePolicy(jurisdiction: "EU", version: "2026.1") { status } }',
      {},
      dubois,
    );
    expect(activated.errors).toEqual([]);

    const after = await summary('ETREAT', justification);
    expect(after.data!.patientSummary.regions).toEqual(['eu-de']);
    // Without the derogation the French records need the patient's consent, which they withdrew earlier.
    const eufr = after.errors.find((e) => e.extensions.region === 'eu-fr');
    expect(eufr?.extensions.code).toMatch(/^CONSENT_(REQUIRED|REVOKED)$/);
    expect(after.data!.patientSummary.receipt.policies).toContainEqual(
      expect.objectContaining({ jurisdiction: 'EU', version: '2026.1' }),
    );
  });

  it('a policy row altered in PostgreSQL is detected and nothing is disclosed under it', async () => {
    const url = t.databases.get('control')!.url;
    await sql(
      url,
      `UPDATE policy_versions SET document = jsonb_set(document, '{rules,consentDefault}', '"opt_out"') WHERE jurisdiction = 'EU' AND status = 'active'`,
    );
    try {
      const res = await summary();
      expect(codes(res)).toEqual(['INTEGRITY_VIOLATION']);
      expect(res.data).toBeNull();
    } finally {
      await sql(
        url,
        `UPDATE policy_versions SET document = jsonb_set(document, '{rules,consentDefault}', '"opt_in"') WHERE jurisdiction = 'EU' AND status = 'active'`,
      );
    }
    expect(codes(await summary())).not.toContain('INTEGRITY_VIOLATION');
  });

  it('a record altered in PostgreSQL, its hash column too, is withheld with INTEGRITY_VIOLATION', async () => {
    const before = (await summary()).data!.patientSummary;
    const target = before.problems.find((p) => p.id.startsWith('eu-de/'))!;
    const key = target.id.slice('eu-de/'.length);
    const client = new pg.Client({ connectionString: t.databases.get('eu-de')!.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ resource: Record<string, unknown> }>(
        'SELECT resource FROM records WHERE key = $1',
        [key],
      );
      const altered = { ...rows[0]!.resource, note: [{ text: 'edited outside Meridian' }] };
      await client.query('UPDATE records SET resource = $2, content_hash = $3 WHERE key = $1', [
        key,
        altered,
        contentHash(altered),
      ]);
    } finally {
      await client.end();
    }
    const after = await summary();
    const s = after.data!.patientSummary;
    expect(s.problems.map((p) => p.id)).not.toContain(target.id);
    expect(s.problems.length).toBe(before.problems.length - 1);
    expect(after.errors.find((e) => e.extensions.code === 'INTEGRITY_VIOLATION')?.extensions.region).toBe('eu-de');
  });

  it('a consent row altered in PostgreSQL stops every disclosure for the patient with INTEGRITY_VIOLATION', async () => {
    const grant = await t.graphql<{ grantConsent: { id: string } }>(
      GRANT,
      { input: { grantee: { kind: 'ANY_TREATING_PROVIDER' }, purposes: ['TREAT'] } },
      patient.token,
    );
    expect(grant.errors).toEqual([]);
    await t.openCareRelationship(patient.id, 'dr-weber');
    expect((await summary()).data!.patientSummary.regions.length).toBeGreaterThan(0);
    await sql(
      t.databases.get('control')!.url,
      `UPDATE consents SET document = jsonb_set(document, '{sensitiveAllowed}', '["HIV","PSY"]') WHERE id = $1`,
      [grant.data!.grantConsent.id],
    );
    const res = await summary();
    expect(codes(res)).toEqual(['INTEGRITY_VIOLATION']);
    expect(res.data).toBeNull();
    const last = (await myLog())[0]!;
    expect(last.outcome).toBe('DENY');
    expect(last.reasons).toEqual(['INTEGRITY_VIOLATION']);
  });
});
