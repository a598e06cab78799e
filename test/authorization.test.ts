import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadShippedPolicies } from '../src/access/policy/shipped-policies.js';
import type { PolicyDocument } from '../src/domain/policy/index.js';
import { buildMeridianSchema } from '../src/graphql/schema.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway.js';

/**
 * The authorization matrix: every GraphQL operation, called by every role, allowed where
 * it should be and refused elsewhere with the code a client can rely on.
 */

/**
 * Who calls. The six roles of the matrix (`clinician`, `officer`, `patient`, `auditor`,
 * `integration`, `anonymous`), and the counterparts the cross-organisation, cross-patient and
 * cross-jurisdiction rows need.
 */
const STAFF = {
  clinician: 'dr-weber', // Charité Berlin, DE
  otherClinician: 'dr-johnson', // Massachusetts General Hospital, US-MA
  officer: 'officer-schmidt', // DE: acts on EU and DE policies
  officerFR: 'officer-dubois', // FR: acts on EU policies
  officerUS: 'officer-miller', // US-MA: acts on US policies
  auditor: 'auditor-klein', // Charité Berlin, DE
  integration: 'integration-charite', // Charité Berlin's interface engine, DE
} as const;
type Caller = keyof typeof STAFF | 'patient' | 'otherPatient' | 'anonymous';
const ROLES: readonly Caller[] = ['clinician', 'officer', 'patient', 'auditor', 'integration', 'anonymous'];

type Expected = 'ALLOWED' | 'FORBIDDEN' | 'NOT_FOUND' | 'UNAUTHENTICATED';

/** What the operations need to exist before they are called; built once in beforeAll. */
interface Fixtures {
  /** A demo patient with a persona and records in eu-de, and another one. */
  readonly patient: string;
  readonly otherPatient: string;
  /** The patient's consent: revoked by the patient in the revokeConsent row only. */
  readonly consentId: string;
  /** dr-weber's receipt for a TREAT read of the patient's summary. */
  readonly receipt: { readonly decisionId: string; readonly auditHash: string };
  /** Two break-glass (ETREAT) reads by dr-weber: one left queued, one reviewed in the reviewBreakGlass row. */
  readonly breakGlassQueued: string;
  readonly breakGlassToReview: string;
  /** Drafts: EU by officer-schmidt, DE by officer-schmidt, US by officer-miller. */
  readonly euDraft: string;
  readonly deDraft: string;
  readonly usDraft: string;
  /** An EU draft by officer-schmidt, approved in the approvePolicy row. */
  readonly euToApprove: string;
  /** An EU version drafted by officer-schmidt and approved by officer-dubois, activated in the activatePolicy row. */
  readonly euToActivate: string;
  /** An access code the patient issued, used by dr-weber in the openCareRelationship row. */
  readonly accessCode: string;
  /** A care relationship of the patient with Charité Berlin, ended by the patient in the endCareRelationship row. */
  readonly relationshipId: string;
  /** A webhook of the patient, removed by the patient in the removeWebhook row. */
  readonly channelId: string;
  /** A demo patient in us-ma none of the other rows use, erased by officer-miller in the erasePatient row. */
  readonly erasable: string;
}

interface Case {
  readonly as: Caller;
  readonly expect: Expected;
  /** How this call differs from the row's usual one. */
  readonly note?: string;
  variables?(f: Fixtures): Record<string, unknown>;
  /** More to check on an allowed answer: the operation's field. */
  check?(value: unknown, f: Fixtures): void | Promise<void>;
}

interface Row {
  /** The root field: a query or a mutation. */
  readonly operation: string;
  readonly query: string;
  variables?(f: Fixtures): Record<string, unknown>;
  /** A read whose decision may withhold regions: an allowed answer may carry those errors beside its data. */
  readonly withholding?: boolean;
  /**
   * What a refused call must leave unchanged, read as an allowed caller. For mutations the
   * refusals come first, then the calls that succeed.
   */
  state?(f: Fixtures): Promise<unknown>;
  readonly cases: readonly Case[];
}

const WITHHOLDING = new Set(['CONSENT_REQUIRED', 'CONSENT_REVOKED', 'POLICY_DENIED', 'REGION_UNAVAILABLE']);

const SUMMARY = /* GraphQL */ `
  query Summary($p: ID!, $purpose: PurposeOfUse!, $justification: String) {
    patientSummary(patientId: $p, purpose: $purpose, justification: $justification) {
      patientId
      regions
      receipt {
        decisionId
        auditHash
        outcome
        breakGlass
      }
    }
  }
`;
const RECORDS = /* GraphQL */ `
  query Records($p: ID!, $purpose: PurposeOfUse!) {
    records(patientId: $p, purpose: $purpose, first: 5) {
      edges {
        node {
          id
        }
      }
      regions
      receipt {
        decisionId
      }
    }
  }
`;
const ME = 'query Me { me { subject organisationId jurisdiction roles patientId } }';
const CONSENT_FIELDS = 'id patientId status revokedAt revokeTxId';
const GRANT = `mutation Grant($input: GrantConsentInput!) { grantConsent(input: $input) { ${CONSENT_FIELDS} } }`;
const MY_CONSENTS = `query MyConsents { myConsents { ${CONSENT_FIELDS} } }`;
const REVOKE = `mutation Revoke($id: ID!) { revokeConsent(consentId: $id) { ${CONSENT_FIELDS} } }`;
const LOG_FIELDS = 'edges { node { decisionId organisationId jurisdiction breakGlass } }';
const MY_LOG = `query MyLog { myAccessLog(first: 100) { ${LOG_FIELDS} } }`;
const ACCESS_LOG = `query AccessLog { accessLog(first: 100) { ${LOG_FIELDS} } }`;
const QUEUE = `query Queue { breakGlassReviewQueue(first: 100) { ${LOG_FIELDS} } }`;
const REVIEW = 'mutation Review($id: ID!) { reviewBreakGlass(decisionId: $id) { decisionId reviewedBy } }';
const VERIFY = /* GraphQL */ `
  query Verify($receipt: DisclosureReceiptInput!) {
    verifyDisclosure(receipt: $receipt) {
      valid
      decisionId
    }
  }
`;
const VERIFY_AUDIT_CHAIN = 'query VerifyAuditChain { verifyAuditChain { ok events problems { kind detail } } }';
const VERSION_FIELDS = 'jurisdiction version status author approver';
const DIFF =
  'query Diff($j: String!, $v: String!) { policyDiff(jurisdiction: $j, version: $v) { jurisdiction version } }';
const HISTORY = `query History($j: String!) { policyHistory(jurisdiction: $j) { ${VERSION_FIELDS} } }`;
const ACTIVE = 'query Active { activePolicies { policies { jurisdiction version } } }';
const SIMULATE = /* GraphQL */ `
  query Simulate($j: String!, $v: String!) {
    simulatePolicy(jurisdiction: $j, version: $v, recent: 50) {
      replayed
    }
  }
`;
const DRAFT = `mutation Draft($d: JSONObject!) { draftPolicy(document: $d) { ${VERSION_FIELDS} } }`;
const APPROVE = `mutation Approve($j: String!, $v: String!) { approvePolicy(jurisdiction: $j, version: $v) { ${VERSION_FIELDS} } }`;
const ACTIVATE = `mutation Activate($j: String!, $v: String!) { activatePolicy(jurisdiction: $j, version: $v) { ${VERSION_FIELDS} } }`;

const IMPORT = /* GraphQL */ `
  mutation Import($region: String!, $bundle: JSONObject!) {
    importBundle(region: $region, bundle: $bundle) {
      region
      organisationId
      records
      inserted
    }
  }
`;
const REVIEWS = 'query Reviews { patientMatchReviews { id globalId candidateId } }';

const RELATIONSHIP_FIELDS = 'id patientId organisationId status';
const ISSUE_CODE = 'mutation Issue { issueAccessCode(validMinutes: 15) { id code state } }';
const OPEN_CARE = `mutation Open($p: ID!, $c: String!) { openCareRelationship(patientId: $p, accessCode: $c) { ${RELATIONSHIP_FIELDS} } }`;
const END_CARE = `mutation End($id: ID!) { endCareRelationship(relationshipId: $id) { ${RELATIONSHIP_FIELDS} } }`;
const ERASE = 'mutation Erase($p: ID!, $ref: String) { erasePatient(patientId: $p, requestReference: $ref) { basis } }';
const MY_CARE = `query MyCare { myCareRelationships { ${RELATIONSHIP_FIELDS} } }`;
const MY_CODES = 'query MyCodes { myAccessCodes { id code state } }';
const CHANNEL_FIELDS = 'id url everyAccess';
const REGISTER_WEBHOOK = `mutation Register($url: String!) { registerWebhook(url: $url) { channel { ${CHANNEL_FIELDS} } secret } }`;
const REMOVE_WEBHOOK = `mutation Remove($id: ID!) { removeWebhook(channelId: $id) { ${CHANNEL_FIELDS} } }`;
const MY_WEBHOOKS = `query MyWebhooks { myWebhooks { ${CHANNEL_FIELDS} } }`;
const MY_NOTIFICATIONS = 'query MyNotifications { myNotifications(first: 50) { id kind decisionId } }';
/** Where the matrix's webhooks point: nothing listens there; a delivery attempt only fails. */
const WEBHOOK_URL = 'https://receiver.invalid/meridian';
interface RelationshipData {
  id: string;
  patientId: string;
  organisationId: string;
  status: string;
}

/** A bundle of one new Patient, under an id no other call used. */
function importable(): Record<string, unknown> {
  const resource = { resourceType: 'Patient', id: `auth-${randomUUID()}`, gender: 'other', birthDate: '1990-01-01' };
  return { resourceType: 'Bundle', type: 'collection', entry: [{ resource }] };
}

interface ConsentData {
  id: string;
  patientId: string;
  status: string;
}
interface LogData {
  edges: { node: { decisionId: string; organisationId: string; jurisdiction: string; breakGlass: boolean } }[];
}
interface VersionData {
  jurisdiction: string;
  version: string;
  status: string;
  author: string;
  approver: string | null;
}

const JUSTIFICATION = 'Unconscious on arrival in the emergency department, no next of kin.';
const GRANT_INPUT = { grantee: { kind: 'JURISDICTION', jurisdiction: 'DE' }, purposes: ['TREAT'] };

let shipped: PolicyDocument[] = [];
let nextVersion = 0;

/** A shipped policy under a version no other call used: a valid draft for its jurisdiction. */
function policy(jurisdiction: string, changes: Record<string, unknown> = {}): Record<string, unknown> {
  const doc = shipped.find((d) => d.jurisdiction === jurisdiction)!;
  nextVersion += 1;
  return { ...structuredClone(doc), version: `2030.${nextVersion}`, ...changes };
}

function decisionIds(log: unknown): string[] {
  return (log as LogData).edges.map((e) => e.node.decisionId);
}

/** The callers refused by every policy operation, whatever the jurisdiction. */
const NOT_OFFICERS: readonly Case[] = [
  { as: 'clinician', expect: 'FORBIDDEN' },
  { as: 'patient', expect: 'FORBIDDEN' },
  { as: 'auditor', expect: 'FORBIDDEN' },
  { as: 'integration', expect: 'FORBIDDEN' },
  { as: 'anonymous', expect: 'UNAUTHENTICATED' },
];

const ROWS: readonly Row[] = [
  {
    operation: 'patientSummary',
    query: SUMMARY,
    withholding: true,
    variables: (f) => ({ p: f.patient, purpose: 'TREAT' }),
    cases: [
      { as: 'clinician', expect: 'ALLOWED', note: 'TREAT' },
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own, PATRQT',
        variables: (f) => ({ p: f.patient, purpose: 'PATRQT' }),
        check: (s, f) => {
          expect((s as { patientId: string }).patientId).toBe(f.patient);
        },
      },
      { as: 'patient', expect: 'FORBIDDEN', note: 'own, TREAT' },
      {
        as: 'patient',
        expect: 'FORBIDDEN',
        note: "another patient's, PATRQT",
        variables: (f) => ({ p: f.otherPatient, purpose: 'PATRQT' }),
      },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'records',
    query: RECORDS,
    withholding: true,
    variables: (f) => ({ p: f.patient, purpose: 'TREAT' }),
    cases: [
      { as: 'clinician', expect: 'ALLOWED', note: 'TREAT' },
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own, PATRQT',
        variables: (f) => ({ p: f.patient, purpose: 'PATRQT' }),
      },
      { as: 'patient', expect: 'FORBIDDEN', note: 'own, TREAT' },
      {
        as: 'patient',
        expect: 'FORBIDDEN',
        note: "another patient's, PATRQT",
        variables: (f) => ({ p: f.otherPatient, purpose: 'PATRQT' }),
      },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'me',
    query: ME,
    cases: [
      {
        as: 'clinician',
        expect: 'ALLOWED',
        check: (me) => {
          expect(me).toMatchObject({ organisationId: 'charite-berlin', roles: ['clinician'] });
        },
      },
      {
        as: 'officer',
        expect: 'ALLOWED',
        check: (me) => {
          expect(me).toMatchObject({ jurisdiction: 'DE', roles: ['compliance_officer'] });
        },
      },
      {
        as: 'patient',
        expect: 'ALLOWED',
        check: (me, f) => {
          expect(me).toMatchObject({ roles: ['patient'], patientId: f.patient });
        },
      },
      {
        as: 'auditor',
        expect: 'ALLOWED',
        check: (me) => {
          expect(me).toMatchObject({ roles: ['auditor'] });
        },
      },
      {
        as: 'integration',
        expect: 'ALLOWED',
        check: (me) => {
          expect(me).toMatchObject({ organisationId: 'charite-berlin', roles: ['integration'] });
        },
      },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'grantConsent',
    query: GRANT,
    variables: () => ({ input: GRANT_INPUT }),
    state: async () => [await consentsOf('patient'), await consentsOf('otherPatient')],
    cases: [
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
      {
        as: 'patient',
        expect: 'FORBIDDEN',
        note: 'for another patient',
        variables: (f) => ({ input: { ...GRANT_INPUT, patientId: f.otherPatient } }),
      },
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own',
        check: (c, f) => {
          expect(c).toMatchObject({ patientId: f.patient, status: 'ACTIVE' });
        },
      },
    ],
  },
  {
    operation: 'myConsents',
    query: MY_CONSENTS,
    cases: [
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own only',
        check: (list, f) => {
          const consents = list as ConsentData[];
          expect(consents.map((c) => c.id)).toContain(f.consentId);
          expect(consents.every((c) => c.patientId === f.patient)).toBe(true);
        },
      },
      {
        as: 'otherPatient',
        expect: 'ALLOWED',
        note: "never the patient's",
        check: (list, f) => {
          expect((list as ConsentData[]).every((c) => c.patientId === f.otherPatient)).toBe(true);
        },
      },
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'revokeConsent',
    query: REVOKE,
    variables: (f) => ({ id: f.consentId }),
    state: async (f) => (await consentsOf('patient')).find((c) => c.id === f.consentId)?.status,
    cases: [
      { as: 'otherPatient', expect: 'FORBIDDEN', note: "the patient's consent" },
      {
        as: 'otherPatient',
        expect: 'FORBIDDEN',
        note: 'an id that does not exist: same answer',
        variables: () => ({ id: `cns-${randomUUID()}` }),
      },
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own',
        check: (c, f) => {
          expect(c).toMatchObject({ id: f.consentId, patientId: f.patient, status: 'REVOKED' });
        },
      },
    ],
  },
  {
    operation: 'issueAccessCode',
    query: ISSUE_CODE,
    state: async () => [await codesOf('patient'), await codesOf('otherPatient')],
    cases: [
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own: the code is in this answer only',
        check: async (issued) => {
          const { id, code, state } = issued as { id: string; code: string; state: string };
          expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
          expect(state).toBe('ACTIVE');
          const listed = (await codesOf('patient')).find((c) => c.id === id);
          expect(listed).toEqual({ id, code: null, state: 'ACTIVE' });
        },
      },
    ],
  },
  {
    operation: 'myAccessCodes',
    query: MY_CODES,
    cases: [
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own, never the codes',
        check: (list) => {
          const codes = list as { code: string | null }[];
          expect(codes.length).toBeGreaterThan(0);
          expect(codes.every((c) => c.code === null)).toBe(true);
        },
      },
      {
        as: 'otherPatient',
        expect: 'ALLOWED',
        note: "never the patient's",
        check: async (list) => {
          const mine = new Set((await codesOf('patient')).map((c) => c.id));
          expect((list as { id: string }[]).some((c) => mine.has(c.id))).toBe(false);
        },
      },
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'openCareRelationship',
    query: OPEN_CARE,
    variables: (f) => ({ p: f.patient, c: f.accessCode }),
    state: async () => (await careOf('patient')).length,
    cases: [
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'patient', expect: 'FORBIDDEN', note: 'with their own code' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
      {
        as: 'clinician',
        expect: 'FORBIDDEN',
        note: "the patient's code for another patient",
        variables: (f) => ({ p: f.otherPatient, c: f.accessCode }),
      },
      {
        as: 'clinician',
        expect: 'ALLOWED',
        note: "the patient's code, for their own organisation",
        check: (r, f) => {
          expect(r).toMatchObject({ patientId: f.patient, organisationId: 'charite-berlin', status: 'OPEN' });
        },
      },
    ],
  },
  {
    operation: 'myCareRelationships',
    query: MY_CARE,
    cases: [
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own',
        check: (list, f) => {
          const relationships = list as RelationshipData[];
          expect(relationships.map((r) => r.id)).toContain(f.relationshipId);
          expect(relationships.every((r) => r.patientId === f.patient)).toBe(true);
        },
      },
      {
        as: 'otherPatient',
        expect: 'ALLOWED',
        note: "never the patient's",
        check: (list, f) => {
          expect((list as RelationshipData[]).every((r) => r.patientId === f.otherPatient)).toBe(true);
        },
      },
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'erasePatient',
    query: ERASE,
    variables: (f) => ({ p: f.patient, ref: 'DSR-7' }),
    state: async () => [await consentsOf('patient'), await careOf('patient')],
    cases: [
      { as: 'otherPatient', expect: 'FORBIDDEN', note: "the patient's data" },
      {
        as: 'patient',
        expect: 'FORBIDDEN',
        note: "another patient's data",
        variables: (f) => ({ p: f.otherPatient }),
      },
      { as: 'clinician', expect: 'FORBIDDEN' },
      {
        as: 'officer',
        expect: 'FORBIDDEN',
        note: 'the patient is in no region of the DE officer',
        variables: (f) => ({ p: f.erasable, ref: 'DSR-7' }),
      },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
      {
        as: 'officerUS',
        expect: 'ALLOWED',
        note: 'a US-MA patient, on a verified request',
        variables: (f) => ({ p: f.erasable, ref: 'DSR-7' }),
        check: (value) => {
          expect(value).toMatchObject({ basis: 'verified_request:DSR-7' });
        },
      },
    ],
  },
  {
    operation: 'endCareRelationship',
    query: END_CARE,
    variables: (f) => ({ id: f.relationshipId }),
    state: async (f) => (await careOf('patient')).find((r) => r.id === f.relationshipId)?.status,
    cases: [
      { as: 'otherPatient', expect: 'FORBIDDEN', note: "the patient's relationship" },
      {
        as: 'otherPatient',
        expect: 'FORBIDDEN',
        note: 'an id that does not exist: same answer',
        variables: () => ({ id: `care-${randomUUID().replaceAll('-', '')}` }),
      },
      { as: 'clinician', expect: 'FORBIDDEN', note: 'the organisation it is with' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own',
        check: (r, f) => {
          expect(r).toMatchObject({ id: f.relationshipId, patientId: f.patient, status: 'ENDED' });
        },
      },
    ],
  },
  {
    operation: 'registerWebhook',
    query: REGISTER_WEBHOOK,
    variables: () => ({ url: WEBHOOK_URL }),
    state: async () => [await webhooksOf('patient'), await webhooksOf('otherPatient')],
    cases: [
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own: the secret is in this answer only',
        check: (r) => {
          expect(r).toMatchObject({
            channel: { url: WEBHOOK_URL, everyAccess: false },
            secret: expect.stringMatching(/^whsec_/) as string,
          });
        },
      },
    ],
  },
  {
    operation: 'myWebhooks',
    query: MY_WEBHOOKS,
    cases: [
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own',
        check: (list, f) => {
          expect((list as { id: string }[]).map((c) => c.id)).toContain(f.channelId);
        },
      },
      {
        as: 'otherPatient',
        expect: 'ALLOWED',
        note: "never the patient's",
        check: (list, f) => {
          expect((list as { id: string }[]).map((c) => c.id)).not.toContain(f.channelId);
        },
      },
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'myNotifications',
    query: MY_NOTIFICATIONS,
    cases: [
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: "own: dr-weber's break-glass reads",
        check: (list, f) => {
          const ids = (list as { decisionId: string; kind: string }[]).map((n) => n.decisionId);
          expect(ids).toEqual(expect.arrayContaining([f.breakGlassQueued, f.breakGlassToReview]));
        },
      },
      {
        as: 'otherPatient',
        expect: 'ALLOWED',
        note: "never the patient's",
        check: (list, f) => {
          expect((list as { decisionId: string }[]).map((n) => n.decisionId)).not.toContain(f.breakGlassQueued);
        },
      },
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'removeWebhook',
    query: REMOVE_WEBHOOK,
    variables: (f) => ({ id: f.channelId }),
    state: async () => webhooksOf('patient'),
    cases: [
      { as: 'otherPatient', expect: 'FORBIDDEN', note: "the patient's webhook" },
      {
        as: 'otherPatient',
        expect: 'FORBIDDEN',
        note: 'an id that does not exist: same answer',
        variables: () => ({ id: `chn-${randomUUID().replaceAll('-', '')}` }),
      },
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own',
        check: async (c, f) => {
          expect(c).toMatchObject({ id: f.channelId });
          expect((await webhooksOf('patient')).map((w) => w.id)).not.toContain(f.channelId);
        },
      },
    ],
  },
  {
    operation: 'exportMyData',
    query: 'query ExportMyData { exportMyData }',
    cases: [
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own: their consent in it',
        check: (bundle, f) => {
          const text = JSON.stringify(bundle);
          expect(text).toContain(f.consentId);
          expect(text).toContain(`Patient/${f.patient}`);
        },
      },
      {
        as: 'otherPatient',
        expect: 'ALLOWED',
        note: "never the patient's",
        check: (bundle, f) => {
          expect(JSON.stringify(bundle)).not.toContain(f.patient);
        },
      },
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'myAccessLog',
    query: MY_LOG,
    cases: [
      {
        as: 'patient',
        expect: 'ALLOWED',
        note: 'own: lists the clinician read',
        check: (log, f) => {
          expect(decisionIds(log)).toContain(f.receipt.decisionId);
        },
      },
      {
        as: 'otherPatient',
        expect: 'ALLOWED',
        note: "own only: never the patient's",
        check: (log, f) => {
          expect(decisionIds(log)).not.toContain(f.receipt.decisionId);
        },
      },
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'accessLog',
    query: ACCESS_LOG,
    cases: [
      {
        as: 'officer',
        expect: 'ALLOWED',
        note: 'DE requests',
        check: (log, f) => {
          expect(decisionIds(log)).toContain(f.receipt.decisionId);
        },
      },
      {
        as: 'auditor',
        expect: 'ALLOWED',
        note: 'DE requests',
        check: (log, f) => {
          expect(decisionIds(log)).toContain(f.receipt.decisionId);
        },
      },
      {
        as: 'officerUS',
        expect: 'ALLOWED',
        note: 'US-MA requests only',
        check: (log, f) => {
          expect(decisionIds(log)).not.toContain(f.receipt.decisionId);
          expect((log as LogData).edges.every((e) => e.node.jurisdiction === 'US-MA')).toBe(true);
        },
      },
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'patient', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'breakGlassReviewQueue',
    query: QUEUE,
    cases: [
      {
        as: 'officer',
        expect: 'ALLOWED',
        note: 'DE break-glass',
        check: (log, f) => {
          expect(decisionIds(log)).toContain(f.breakGlassQueued);
        },
      },
      {
        as: 'officerUS',
        expect: 'ALLOWED',
        note: 'US-MA only',
        check: (log, f) => {
          expect(decisionIds(log)).not.toContain(f.breakGlassQueued);
        },
      },
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'patient', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'reviewBreakGlass',
    query: REVIEW,
    variables: (f) => ({ id: f.breakGlassToReview }),
    state: async (f) =>
      decisionIds((await as<{ breakGlassReviewQueue: LogData }>('officer', QUEUE)).breakGlassReviewQueue).includes(
        f.breakGlassToReview,
      ),
    cases: [
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'patient', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
      { as: 'officerUS', expect: 'NOT_FOUND', note: 'a DE break-glass, from US-MA' },
      { as: 'officerFR', expect: 'NOT_FOUND', note: 'a DE break-glass, from FR' },
      {
        as: 'officer',
        expect: 'NOT_FOUND',
        note: 'a decision that was no break-glass',
        variables: (f) => ({ id: f.receipt.decisionId }),
      },
      {
        as: 'officer',
        expect: 'ALLOWED',
        note: 'DE break-glass',
        check: (entry, f) => {
          expect(entry).toEqual({ decisionId: f.breakGlassToReview, reviewedBy: 'officer-schmidt' });
        },
      },
    ],
  },
  {
    operation: 'verifyDisclosure',
    query: VERIFY,
    variables: (f) => ({ receipt: f.receipt }),
    cases: [
      {
        as: 'clinician',
        expect: 'ALLOWED',
        note: 'the requesting organisation',
        check: (v, f) => {
          expect(v).toEqual({ valid: true, decisionId: f.receipt.decisionId });
        },
      },
      { as: 'otherClinician', expect: 'NOT_FOUND', note: 'another organisation' },
      {
        as: 'clinician',
        expect: 'NOT_FOUND',
        note: 'a decision that does not exist: same answer',
        variables: () => ({ receipt: { decisionId: randomUUID(), auditHash: '0'.repeat(64) } }),
      },
      { as: 'patient', expect: 'ALLOWED', note: 'the patient concerned' },
      { as: 'otherPatient', expect: 'NOT_FOUND', note: 'another patient' },
      { as: 'officer', expect: 'ALLOWED' },
      { as: 'officerUS', expect: 'NOT_FOUND', note: "a DE requester's decision: not their jurisdiction" },
      { as: 'auditor', expect: 'ALLOWED' },
      { as: 'integration', expect: 'NOT_FOUND', note: 'the requesting organisation, but not a clinician: same answer' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'verifyAuditChain',
    query: VERIFY_AUDIT_CHAIN,
    cases: [
      {
        as: 'officer',
        expect: 'ALLOWED',
        note: 'the whole chain',
        check: (v) => {
          expect(v).toMatchObject({ ok: true, problems: [] });
        },
      },
      { as: 'officerUS', expect: 'ALLOWED', note: 'the whole chain: it names no patient' },
      { as: 'auditor', expect: 'ALLOWED' },
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'patient', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
  {
    operation: 'policyDiff',
    query: DIFF,
    variables: (f) => ({ j: 'EU', v: f.euDraft }),
    cases: [
      { as: 'officer', expect: 'ALLOWED', note: 'EU' },
      { as: 'officerFR', expect: 'ALLOWED', note: 'EU' },
      { as: 'officerUS', expect: 'FORBIDDEN', note: 'EU' },
      { as: 'officer', expect: 'ALLOWED', note: 'DE', variables: (f) => ({ j: 'DE', v: f.deDraft }) },
      { as: 'officerFR', expect: 'FORBIDDEN', note: 'DE', variables: (f) => ({ j: 'DE', v: f.deDraft }) },
      { as: 'officerUS', expect: 'ALLOWED', note: 'US', variables: (f) => ({ j: 'US', v: f.usDraft }) },
      { as: 'officer', expect: 'FORBIDDEN', note: 'US', variables: (f) => ({ j: 'US', v: f.usDraft }) },
      ...NOT_OFFICERS,
    ],
  },
  {
    operation: 'policyHistory',
    query: HISTORY,
    variables: () => ({ j: 'EU' }),
    cases: [
      { as: 'officer', expect: 'ALLOWED', note: 'EU' },
      { as: 'officerFR', expect: 'ALLOWED', note: 'EU' },
      { as: 'officerUS', expect: 'FORBIDDEN', note: 'EU' },
      { as: 'officer', expect: 'ALLOWED', note: 'DE', variables: () => ({ j: 'DE' }) },
      { as: 'officerFR', expect: 'FORBIDDEN', note: 'DE', variables: () => ({ j: 'DE' }) },
      { as: 'officerUS', expect: 'ALLOWED', note: 'US', variables: () => ({ j: 'US' }) },
      { as: 'officer', expect: 'FORBIDDEN', note: 'US', variables: () => ({ j: 'US' }) },
      ...NOT_OFFICERS,
    ],
  },
  {
    operation: 'activePolicies',
    query: ACTIVE,
    cases: [
      { as: 'officer', expect: 'ALLOWED' },
      { as: 'officerFR', expect: 'ALLOWED' },
      { as: 'officerUS', expect: 'ALLOWED' },
      ...NOT_OFFICERS,
    ],
  },
  {
    operation: 'simulatePolicy',
    query: SIMULATE,
    variables: (f) => ({ j: 'EU', v: f.euDraft }),
    cases: [
      { as: 'officer', expect: 'ALLOWED', note: 'EU' },
      { as: 'officerFR', expect: 'ALLOWED', note: 'EU' },
      { as: 'officerUS', expect: 'FORBIDDEN', note: 'EU' },
      { as: 'officerFR', expect: 'FORBIDDEN', note: 'DE', variables: (f) => ({ j: 'DE', v: f.deDraft }) },
      { as: 'officerUS', expect: 'ALLOWED', note: 'US', variables: (f) => ({ j: 'US', v: f.usDraft }) },
      { as: 'officer', expect: 'FORBIDDEN', note: 'US', variables: (f) => ({ j: 'US', v: f.usDraft }) },
      ...NOT_OFFICERS,
    ],
  },
  {
    operation: 'draftPolicy',
    query: DRAFT,
    variables: () => ({ d: policy('EU') }),
    state: () => Promise.all(['EU', 'DE', 'US'].map((j) => versionsOf(j))),
    cases: [
      { as: 'officerUS', expect: 'FORBIDDEN', note: 'EU' },
      { as: 'officer', expect: 'FORBIDDEN', note: 'US', variables: () => ({ d: policy('US') }) },
      { as: 'officerFR', expect: 'FORBIDDEN', note: 'DE', variables: () => ({ d: policy('DE') }) },
      { as: 'officerUS', expect: 'FORBIDDEN', note: 'DE', variables: () => ({ d: policy('DE') }) },
      {
        as: 'officerUS',
        expect: 'FORBIDDEN',
        note: 'EU, its covers widened to US',
        variables: () => {
          const eu = policy('EU');
          return { d: { ...eu, covers: [...(eu.covers as string[]), 'US'] } };
        },
      },
      ...NOT_OFFICERS,
      {
        as: 'officer',
        expect: 'ALLOWED',
        note: 'EU',
        check: (v) => {
          expect(v).toMatchObject({ jurisdiction: 'EU', status: 'DRAFT', author: 'officer-schmidt' });
        },
      },
      { as: 'officer', expect: 'ALLOWED', note: 'DE', variables: () => ({ d: policy('DE') }) },
      { as: 'officerFR', expect: 'ALLOWED', note: 'EU' },
      { as: 'officerUS', expect: 'ALLOWED', note: 'US', variables: () => ({ d: policy('US') }) },
    ],
  },
  {
    operation: 'approvePolicy',
    query: APPROVE,
    variables: (f) => ({ j: 'EU', v: f.euToApprove }),
    state: () => Promise.all(['EU', 'DE', 'US'].map((j) => versionsOf(j))),
    cases: [
      { as: 'officerUS', expect: 'FORBIDDEN', note: 'EU' },
      { as: 'officer', expect: 'FORBIDDEN', note: 'EU, own draft (four eyes)' },
      { as: 'officerFR', expect: 'FORBIDDEN', note: 'DE', variables: (f) => ({ j: 'DE', v: f.deDraft }) },
      { as: 'officer', expect: 'FORBIDDEN', note: 'US', variables: (f) => ({ j: 'US', v: f.usDraft }) },
      {
        as: 'officerUS',
        expect: 'FORBIDDEN',
        note: 'US, own draft (four eyes)',
        variables: (f) => ({ j: 'US', v: f.usDraft }),
      },
      ...NOT_OFFICERS,
      {
        as: 'officerFR',
        expect: 'ALLOWED',
        note: 'EU',
        check: (v, f) => {
          expect(v).toMatchObject({ version: f.euToApprove, status: 'APPROVED', approver: 'officer-dubois' });
        },
      },
    ],
  },
  {
    operation: 'activatePolicy',
    query: ACTIVATE,
    variables: (f) => ({ j: 'EU', v: f.euToActivate }),
    state: () => Promise.all(['EU', 'DE', 'US'].map((j) => versionsOf(j))),
    cases: [
      { as: 'officerUS', expect: 'FORBIDDEN', note: 'EU' },
      ...NOT_OFFICERS,
      {
        as: 'officer',
        expect: 'ALLOWED',
        note: 'EU',
        check: (v, f) => {
          expect(v).toMatchObject({ version: f.euToActivate, status: 'ACTIVE' });
        },
      },
    ],
  },
  {
    operation: 'importBundle',
    query: IMPORT,
    variables: () => ({ region: 'eu-de', bundle: importable() }),
    cases: [
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'officer', expect: 'FORBIDDEN' },
      { as: 'patient', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
      {
        as: 'integration',
        expect: 'FORBIDDEN',
        note: 'into a region of another jurisdiction',
        variables: () => ({ region: 'us-ma', bundle: importable() }),
      },
      {
        as: 'integration',
        expect: 'ALLOWED',
        note: 'own jurisdiction',
        check: (r) => {
          expect(r).toMatchObject({ region: 'eu-de', organisationId: 'charite-berlin', records: 1, inserted: 1 });
        },
      },
    ],
  },
  {
    operation: 'patientMatchReviews',
    query: REVIEWS,
    cases: [
      { as: 'officer', expect: 'ALLOWED' },
      { as: 'clinician', expect: 'FORBIDDEN' },
      { as: 'patient', expect: 'FORBIDDEN' },
      { as: 'auditor', expect: 'FORBIDDEN' },
      { as: 'integration', expect: 'FORBIDDEN' },
      { as: 'anonymous', expect: 'UNAUTHENTICATED' },
    ],
  },
];

let t: TestGateway;
let fixtures: Fixtures;
const tokens = new Map<Caller, string>();

function codes(res: GraphQLResponse): string[] {
  return res.errors.map((e) => String(e.extensions.code));
}

/** A call as `caller`; `anonymous` sends no token. */
function call<T = Record<string, unknown>>(
  caller: Caller,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<T>> {
  return t.graphql<T>(query, variables, tokens.get(caller));
}

/** The data of a call that must succeed. */
async function as<T>(caller: Caller, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await call<T>(caller, query, variables);
  expect(res.errors, `${caller}: ${query}`).toEqual([]);
  return res.data!;
}

async function consentsOf(caller: 'patient' | 'otherPatient'): Promise<ConsentData[]> {
  return (await as<{ myConsents: ConsentData[] }>(caller, MY_CONSENTS)).myConsents;
}

async function codesOf(caller: 'patient' | 'otherPatient'): Promise<{ id: string; code: null; state: string }[]> {
  return (await as<{ myAccessCodes: { id: string; code: null; state: string }[] }>(caller, MY_CODES)).myAccessCodes;
}

async function careOf(caller: 'patient' | 'otherPatient'): Promise<RelationshipData[]> {
  return (await as<{ myCareRelationships: RelationshipData[] }>(caller, MY_CARE)).myCareRelationships;
}

async function webhooksOf(caller: 'patient' | 'otherPatient'): Promise<{ id: string }[]> {
  return (await as<{ myWebhooks: { id: string }[] }>(caller, MY_WEBHOOKS)).myWebhooks;
}

async function issueCode(): Promise<string> {
  return (await as<{ issueAccessCode: { code: string } }>('patient', ISSUE_CODE)).issueAccessCode.code;
}

async function versionsOf(jurisdiction: string): Promise<string[]> {
  const officer = jurisdiction === 'US' ? 'officerUS' : 'officer';
  const { policyHistory } = await as<{ policyHistory: VersionData[] }>(officer, HISTORY, { j: jurisdiction });
  return policyHistory.map((v) => `${v.version}:${v.status}:${v.approver ?? ''}`);
}

async function draft(caller: Caller, document: Record<string, unknown>): Promise<string> {
  return (await as<{ draftPolicy: VersionData }>(caller, DRAFT, { d: document })).draftPolicy.version;
}

async function read(purpose: string, justification?: string): Promise<{ decisionId: string; auditHash: string }> {
  const res = await call<{
    patientSummary: { receipt: { decisionId: string; auditHash: string; breakGlass: boolean } };
  }>('clinician', SUMMARY, { p: fixtures.patient, purpose, ...(justification !== undefined ? { justification } : {}) });
  expect(codes(res).filter((c) => !WITHHOLDING.has(c))).toEqual([]);
  const { decisionId, auditHash, breakGlass } = res.data!.patientSummary.receipt;
  expect(breakGlass).toBe(justification !== undefined);
  return { decisionId, auditHash };
}

async function expectCall(row: Row, c: Case): Promise<void> {
  const label = `${row.operation} as ${c.as}${c.note !== undefined ? ` (${c.note})` : ''}`;
  const variables = (c.variables ?? row.variables)?.(fixtures) ?? {};
  const res = await call(c.as, row.query, variables);
  if (c.expect === 'ALLOWED') {
    const refusals = res.errors.filter(
      (e) => !(row.withholding === true && WITHHOLDING.has(String(e.extensions.code))),
    );
    expect(refusals, label).toEqual([]);
    const value = res.data?.[row.operation];
    expect(value, label).toBeTruthy();
    await c.check?.(value, fixtures);
  } else {
    expect({ codes: codes(res), data: res.data }, label).toEqual({ codes: [c.expect], data: null });
  }
}

describe('authorization matrix: every operation × every role', () => {
  beforeAll(async () => {
    t = await startTestGateway({ patients: 6 });
    shipped = await loadShippedPolicies();
    for (const [caller, persona] of Object.entries(STAFF)) tokens.set(caller as Caller, await t.token(persona));
    const personas = t.demo.personas.filter((p) => p.role === 'patient');
    const withGermanRecords = t.demo.patients.find(
      (p) =>
        p.locations.some((l) => l.region === 'eu-de') && personas.some((persona) => persona.patientId === p.globalId),
    )!;
    const patient = personas.find((p) => p.patientId === withGermanRecords.globalId)!;
    const other = personas.find((p) => p.patientId !== patient.patientId)!;
    tokens.set('patient', await t.token(patient.name));
    tokens.set('otherPatient', await t.token(other.name));

    const erasable = t.demo.patients.find(
      (p) =>
        p.locations.every((l) => l.region === 'us-ma') && ![patient.patientId, other.patientId].includes(p.globalId),
    )!.globalId;
    const partial = { patient: patient.patientId!, otherPatient: other.patientId!, erasable } as Fixtures;
    fixtures = partial;
    const consentId = (await as<{ grantConsent: ConsentData }>('patient', GRANT, { input: GRANT_INPUT })).grantConsent
      .id;
    const channelId = (
      await as<{ registerWebhook: { channel: { id: string } } }>('patient', REGISTER_WEBHOOK, { url: WEBHOOK_URL })
    ).registerWebhook.channel.id;
    const receipt = await read('TREAT');
    const breakGlassQueued = (await read('ETREAT', JUSTIFICATION)).decisionId;
    const breakGlassToReview = (await read('ETREAT', JUSTIFICATION)).decisionId;
    const euDraft = await draft('officer', policy('EU'));
    const deDraft = await draft('officer', policy('DE'));
    const usDraft = await draft('officerUS', policy('US'));
    const euToApprove = await draft('officer', policy('EU'));
    const euToActivate = await draft('officer', policy('EU'));
    await as('officerFR', APPROVE, { j: 'EU', v: euToActivate });
    const accessCode = await issueCode();
    const relationshipId = (
      await as<{ openCareRelationship: RelationshipData }>('clinician', OPEN_CARE, {
        p: partial.patient,
        c: await issueCode(),
      })
    ).openCareRelationship.id;
    fixtures = {
      ...partial,
      consentId,
      receipt,
      breakGlassQueued,
      breakGlassToReview,
      euDraft,
      deDraft,
      usDraft,
      euToApprove,
      euToActivate,
      accessCode,
      relationshipId,
      channelId,
    };
  });
  afterAll(async () => {
    await t.close();
  });

  it('has a row for every query and mutation of the schema, each called by every role', async () => {
    const schema = await buildMeridianSchema();
    const operations = [
      ...Object.keys(schema.getQueryType()?.getFields() ?? {}),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}),
    ];
    expect(ROWS.map((r) => r.operation).sort()).toEqual(operations.sort());
    for (const row of ROWS) {
      expect(
        ROLES.filter((role) => !row.cases.some((c) => c.as === role)),
        row.operation,
      ).toEqual([]);
    }
  });

  it.each(ROWS)('$operation', async (row) => {
    const before = await row.state?.(fixtures);
    for (const c of row.cases) {
      await expectCall(row, c);
      // A refused call changes nothing an allowed caller can see.
      if (row.state && c.expect !== 'ALLOWED')
        expect(await row.state(fixtures), `${row.operation} as ${c.as}`).toEqual(before);
    }
  });

  /*
   * A draft may not claim jurisdictions its policy does not cover yet, beyond the officer's
   * own: else two DE/FR officers could put US-MA under two policies (nothing of it disclosed)
   * or let its author simulate over US-only decisions, without any US officer taking part.
   */
  it('a DE officer may not widen the EU policy to cover US', async () => {
    const eu = policy('EU');
    const res = await call('officer', DRAFT, { d: { ...eu, covers: [...(eu.covers as string[]), 'US'] } });
    expect({ codes: codes(res), data: res.data }).toEqual({ codes: ['FORBIDDEN'], data: null });
  });

  it('a DE officer may not create a new policy that covers US', async () => {
    const res = await call('officer', DRAFT, { d: { ...policy('US'), jurisdiction: 'XA', covers: ['DE', 'US'] } });
    expect({ codes: codes(res), data: res.data }).toEqual({ codes: ['FORBIDDEN'], data: null });
  });
});
