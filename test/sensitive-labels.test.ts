import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway.js';

/**
 * Hidden sensitive data and the patient's own label restrictions, through the public API on
 * real PostgreSQL: what a clinician's answer shows for a patient who has mental-health items
 * the policy hides, next to one who has none; what the patient's own access log shows; and
 * consents that keep labels (sensitivity or confidentiality) back.
 */

const KVNR = 'http://fhir.de/sid/gkv/kvid-10';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const SNOMED = 'http://snomed.info/sct';

type Json = Record<string, unknown>;

function condition(id: string, patient: string, code: string, display: string, security: Json[] = []): Json {
  return {
    resourceType: 'Condition',
    id,
    ...(security.length > 0 ? { meta: { security } } : {}),
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    code: { coding: [{ system: SNOMED, code, display }], text: display },
    subject: { reference: `Patient/${patient}` },
    recordedDate: '2024-03-01',
  };
}

/** A hospital's collection bundle: one patient, a hypertension, and whatever else is given. */
function bundle(patient: string, kvnr: string, family: string, extra: Json[]): Json {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      {
        resource: {
          resourceType: 'Patient',
          id: patient,
          identifier: [{ system: KVNR, value: kvnr }],
          name: [{ family, given: ['Alex'] }],
          birthDate: '1971-04-02',
        },
      },
      { resource: condition(`${patient}-htn`, patient, '38341003', 'Hypertension') },
      ...extra.map((resource) => ({ resource })),
    ],
  };
}

const IMPORT = `mutation($region: String!, $bundle: JSONObject!) {
  importBundle(region: $region, bundle: $bundle) { records patients { globalId } }
}`;
const ITEM =
  'id resourceType display sensitivityLabels code { system code display } provenance { region organisationId }';
const SUMMARY = `query($p: ID!) {
  patientSummary(patientId: $p, purpose: TREAT) {
    patientId purpose regions unavailableRegions
    demographics { name birthDate }
    problems { ${ITEM} } allergies { ${ITEM} } medications { ${ITEM} } immunizations { ${ITEM} }
    results { ${ITEM} } procedures { ${ITEM} } reports { ${ITEM} }
    receipt { decisionId at outcome breakGlass auditHash policies { jurisdiction version hash txId } consents { id version } }
  }
}`;
const MY_LOG = `{ myAccessLog(first: 5) { edges { node { decisionId outcome reasons withheldLabels } } } }`;
const GRANT = `mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id status labelsDenied sensitiveAllowed } }`;
const MY_CONSENTS = `{ myConsents { id labelsDenied } }`;

interface Summary {
  patientId: string;
  demographics: unknown[];
  receipt: { decisionId: string; at: string; auditHash: string; outcome: string };
  [section: string]: unknown;
}
type Item = { id: string; display: string; sensitivityLabels: string[] };

/**
 * An answer as a requester could compare two of them: the patient's own id, demographics,
 * item ids and what makes every receipt unique left out. Nothing else may differ.
 */
function comparable(res: GraphQLResponse<{ patientSummary: Summary }>): unknown {
  const s = res.data?.patientSummary;
  if (!s) return res;
  const sections = Object.fromEntries(
    ['problems', 'allergies', 'medications', 'immunizations', 'results', 'procedures', 'reports'].map((k) => [
      k,
      (s[k] as Item[]).map((item) => ({ ...item, id: null })),
    ]),
  );
  const receipt = { ...s.receipt, decisionId: null, at: null, auditHash: null };
  return {
    errors: res.errors,
    summary: { ...s, patientId: null, demographics: s.demographics.length, ...sections, receipt },
  };
}

describe('hidden sensitive data and label restrictions, end to end', () => {
  let t: TestGateway;
  let withPsy: string;
  let withoutPsy: string;

  const summary = async (patient: string): Promise<GraphQLResponse<{ patientSummary: Summary }>> =>
    t.graphql<{ patientSummary: Summary }>(SUMMARY, { p: patient }, await t.token('dr-weber'));
  const push = async (b: Json): Promise<string> => {
    const res = await t.graphql<{ importBundle: { patients: { globalId: string }[] } }>(
      IMPORT,
      { region: 'eu-de', bundle: b },
      await t.token('integration-charite'),
    );
    expect(res.errors).toEqual([]);
    return res.data!.importBundle.patients[0]!.globalId;
  };

  beforeAll(async () => {
    t = await startTestGateway({ patients: 2, env: { MERIDIAN_CACHE_TTL_MS: '0' } });
    withPsy = await push(
      bundle('pat-k', 'A000000011', 'Keller', [
        condition('pat-k-dep', 'pat-k', '35489007', 'Depressive disorder', [{ system: ACT_CODE, code: 'PSY' }]),
        condition('pat-k-hiv', 'pat-k', '86406008', 'HIV infection', [{ system: ACT_CODE, code: 'HIV' }]),
        condition('pat-k-r', 'pat-k', '73211009', 'Diabetes mellitus', [{ system: CONFIDENTIALITY, code: 'R' }]),
        condition('pat-k-v', 'pat-k', '191736004', 'Obsessive-compulsive disorder', [
          { system: CONFIDENTIALITY, code: 'V' },
        ]),
      ]),
    );
    withoutPsy = await push(bundle('pat-plain', 'A000000029', 'Brandt', []));
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers for a patient with hidden items exactly as for one without: no error, no PARTIAL, nothing named', async () => {
    const a = await summary(withPsy);
    const b = await summary(withoutPsy);
    // Was: outcome PARTIAL with "Region eu-de: ... Withheld sensitive items: PSY" beside the data.
    expect(a.errors).toEqual([]);
    expect(a.data!.patientSummary.receipt.outcome).toBe('PERMIT');
    const text = JSON.stringify(a);
    expect(text.match(/PSY|mental|Depressive|HIV|Diabetes|restricted/gi), text).toBeNull();
    expect(comparable(a)).toEqual(comparable(b));
    expect((a.data!.patientSummary.problems as Item[]).map((p) => p.display)).toEqual(['Hypertension']);
  });

  it('shows the patient, in their own access log, which of their labels were withheld', async () => {
    await summary(withPsy);
    await summary(withoutPsy);
    const own = async (patient: string) => {
      const res = await t.graphql<{
        myAccessLog: { edges: { node: { outcome: string; withheldLabels: string[] } }[] };
      }>(MY_LOG, {}, await t.patientToken(patient));
      expect(res.errors).toEqual([]);
      return res.data!.myAccessLog.edges[0]!.node;
    };
    expect(await own(withPsy)).toMatchObject({ outcome: 'PERMIT', withheldLabels: ['HIV', 'PSY', 'R', 'V'] });
    expect(await own(withoutPsy)).toMatchObject({ outcome: 'PERMIT', withheldLabels: [] });
  });

  it('a consent for everything but the psychiatric notes releases the rest and keeps PSY (and V) back', async () => {
    const patient = await t.patientToken(withPsy);
    const granted = await t.graphql<{ grantConsent: { id: string; labelsDenied: string[] } }>(
      GRANT,
      {
        input: {
          grantee: { kind: 'ANY_TREATING_PROVIDER' },
          purposes: ['TREAT'],
          sensitiveAllowed: ['HIV', 'R'],
          labelsDenied: ['PSY'],
        },
      },
      patient,
    );
    expect(granted.errors).toEqual([]);
    expect(granted.data!.grantConsent.labelsDenied).toEqual(['PSY']);
    await t.openCareRelationship(withPsy, 'dr-weber');
    const res = await summary(withPsy);
    expect(res.errors).toEqual([]);
    const problems = (res.data!.patientSummary.problems as Item[]).map((p) => [p.display, p.sensitivityLabels]);
    expect(problems.sort()).toEqual([
      ['Diabetes mellitus', ['R']],
      ['HIV infection', ['HIV']],
      ['Hypertension', []],
    ]);
  });

  it('refuses a label restriction on an objection, naming the field, and anchors nothing', async () => {
    const patient = await t.patientToken(withoutPsy);
    const before = await t.graphql<{ myConsents: unknown[] }>(MY_CONSENTS, {}, patient);
    const res = await t.graphql(
      GRANT,
      {
        input: { kind: 'DENY', grantee: { kind: 'ANY_TREATING_PROVIDER' }, purposes: ['TREAT'], labelsDenied: ['PSY'] },
      },
      patient,
    );
    expect(res.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'labelsDenied' });
    expect(res.errors[0]?.message).toMatch(/restrict labels with a permit/);
    expect((await t.graphql(MY_CONSENTS, {}, patient)).data).toEqual(before.data);
  });

  it('refuses a label given as a category (categoriesDenied: [MENTAL_HEALTH]), naming it', async () => {
    const res = await t.graphql(
      GRANT,
      {
        input: { grantee: { kind: 'ANY_TREATING_PROVIDER' }, purposes: ['TREAT'], categoriesDenied: ['MENTAL_HEALTH'] },
      },
      await t.patientToken(withoutPsy),
    );
    expect(res.errors[0]?.message).toMatch(/MENTAL_HEALTH/);
    expect(res.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('de-identifies a research answer (HRESCH): pseudonyms per study, years only, no local ids, sealed cursors', async () => {
    const patient = await t.patientToken(withoutPsy);
    const granted = await t.graphql(
      GRANT,
      { input: { grantee: { kind: 'ORGANISATION', organisationId: 'charite-berlin' }, purposes: ['HRESCH'] } },
      patient,
    );
    expect(granted.errors, JSON.stringify(granted.errors)).toEqual([]);
    const research = async (study: string) =>
      t.graphql<{ patientSummary: Summary }>(
        SUMMARY.replace('purpose: TREAT', 'purpose: HRESCH, study: $s').replace('($p: ID!)', '($p: ID!, $s: String)'),
        { p: withoutPsy, s: study },
        await t.token('dr-weber'),
      );
    const a = await research('cohort-7');
    // Research takes no demographics (minimum necessary): that much is said; nothing else is withheld.
    expect(a.errors.map((e) => [e.extensions.code, e.message])).toEqual([
      ['POLICY_DENIED', expect.stringMatching(/Withheld: patient: patient is not necessary for HRESCH/) as unknown],
    ]);
    const text = JSON.stringify(a.data);
    // Was: the hospital-local patient id and record ids, and the exact dates, in the answer.
    for (const leak of ['pat-plain', withoutPsy, 'A000000029', 'Brandt', '2024-03-01'])
      expect(text).not.toContain(leak);
    const summary = a.data!.patientSummary;
    expect(summary.patientId).toMatch(/^ps-/);
    const [problem] = summary.problems as (Item & { fhir?: unknown })[];
    expect(problem).toMatchObject({ display: 'Hypertension' });
    expect((await research('cohort-7')).data!.patientSummary.patientId).toBe(summary.patientId);
    expect((await research('cohort-8')).data!.patientSummary.patientId).not.toBe(summary.patientId);

    const page = await t.graphql<{ records: { pageInfo: { endCursor: string } } }>(
      `query($p: ID!) { records(patientId: $p, purpose: HRESCH, study: "cohort-7", first: 1) { pageInfo { endCursor } } }`,
      { p: withoutPsy },
      await t.token('dr-weber'),
    );
    expect(page.data?.records, JSON.stringify(page.errors)).toBeTruthy();
    const cursor = Buffer.from(page.data!.records.pageInfo.endCursor, 'base64url').toString('latin1');
    expect(cursor).not.toMatch(/pat-plain|Condition|2024/);
  });
});
