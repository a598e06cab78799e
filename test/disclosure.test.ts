import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frenchPatient, startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway.js';

// Issue 11: what a denied requester learns (item 4) and break-glass (item 3), through the public API.

const SUMMARY = /* GraphQL */ `
  query Summary($patientId: ID!, $purpose: PurposeOfUse!, $justification: String) {
    patientSummary(patientId: $patientId, purpose: $purpose, justification: $justification) {
      regions
      demographics {
        provenance {
          region
        }
      }
      problems {
        id
      }
      allergies {
        id
      }
      medications {
        id
      }
      immunizations {
        id
      }
      results {
        id
      }
      procedures {
        id
      }
      reports {
        id
      }
      receipt {
        decisionId
        outcome
        breakGlass
        consents {
          id
        }
      }
    }
  }
`;
const GRANT = 'mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }';
const REVOKE = 'mutation($id: ID!) { revokeConsent(consentId: $id) { status } }';

interface Item {
  id: string;
}
interface Summary {
  regions: string[];
  demographics: { provenance: { region: string } }[];
  problems: Item[];
  allergies: Item[];
  medications: Item[];
  immunizations: Item[];
  results: Item[];
  procedures: Item[];
  reports: Item[];
  receipt: { decisionId: string; outcome: string; breakGlass: boolean; consents: Item[] };
}

const SECTIONS = ['problems', 'allergies', 'medications', 'immunizations', 'results', 'procedures', 'reports'] as const;

/** Every item id of an answer. */
function itemIds(s: Summary): string[] {
  const patients = s.demographics.map((d) => `${d.provenance.region}/Patient`);
  return [...patients, ...SECTIONS.flatMap((section) => s[section].map((i) => i.id))].sort();
}

describe('what a requester learns, and break-glass, over HTTP on PostgreSQL', () => {
  let t: TestGateway;
  /** A patient of the Paris hospital with records in France and Germany. */
  let patient: { id: string; token: string; regions: string[] };

  beforeAll(async () => {
    t = await startTestGateway({ env: { MERIDIAN_CACHE_TTL_MS: '0' } });
    const fr = frenchPatient(t);
    patient = { id: fr.globalId, token: await t.token(fr.persona), regions: fr.regions };
  });
  afterAll(async () => {
    await t.close();
  });

  async function summary(
    persona: string,
    purpose: string,
    justification?: string,
  ): Promise<GraphQLResponse<{ patientSummary: Summary }>> {
    return t.graphql<{ patientSummary: Summary }>(
      SUMMARY,
      { patientId: patient.id, purpose, ...(justification !== undefined ? { justification } : {}) },
      await t.token(persona),
    );
  }

  describe('a requester who gets nothing', () => {
    it('is told the code that would help, and neither the regions that hold records nor why each refused', async () => {
      // Boston without the patient's consent: neither EU region may send anything to the US.
      const res = await summary('dr-johnson', 'TREAT');
      expect(res.data).toBeNull();
      expect(res.errors).toHaveLength(1);
      const [error] = res.errors;
      expect(error!.extensions.code).toBe('CONSENT_REQUIRED');
      expect(error!.message).toBe(
        "Nothing may be disclosed to you for TREAT without the patient's consent; the patient can give it to your organisation or jurisdiction, or give you an access code at the point of care.",
      );
      expect(Object.keys(error!.extensions).sort()).toEqual(['code', 'decisionId', 'requestId']);
      // It used to list every region with its reason: where the patient was treated.
      const text = JSON.stringify(res);
      for (const region of patient.regions) expect(text).not.toContain(region);
      expect(text).not.toMatch(/\b(FR|DE)\b/);
    });

    it('learns that the patient withdrew, never which consent', async () => {
      const grant = await t.graphql<{ grantConsent: { id: string } }>(
        GRANT,
        { input: { grantee: { kind: 'ANY_TREATING_PROVIDER' }, purposes: ['TREAT'], destinationsAllowed: ['US'] } },
        patient.token,
      );
      expect(grant.errors).toEqual([]);
      const consentId = grant.data!.grantConsent.id;
      await t.openCareRelationship(patient.id, 'dr-johnson');
      const permitted = await summary('dr-johnson', 'TREAT');
      expect(permitted.data!.patientSummary.receipt.consents.map((c) => c.id)).toContain(consentId);
      expect((await t.graphql(REVOKE, { id: consentId }, patient.token)).errors).toEqual([]);

      const res = await summary('dr-johnson', 'TREAT');
      expect(res.errors.map((e) => e.extensions.code)).toEqual(['CONSENT_REVOKED']);
      expect(res.errors[0]!.message).toMatch(/the patient has withdrawn their consent or objected/);
      expect(JSON.stringify(res)).not.toContain(consentId);

      // Beside data (a German clinician: the German records need no consent) the French region
      // is named, its revocation told, and again no consent id: not in the error, not in the receipt.
      // The consent reached Berlin only through a care relationship, as it reached Boston.
      await t.openCareRelationship(patient.id, 'dr-weber');
      const partial = await summary('dr-weber', 'TREAT');
      const eufr = partial.errors.find((e) => e.extensions.region === 'eu-fr');
      expect(eufr?.extensions.code).toBe('CONSENT_REVOKED');
      expect(eufr?.message).toMatch(/^Region eu-fr: .*the patient withdrew their consent/);
      expect(partial.data!.patientSummary.regions).toEqual(['eu-de']);
      expect(JSON.stringify(partial)).not.toContain(consentId);
    });
  });
  describe('break-glass', () => {
    const JUSTIFICATION = 'Unconscious on arrival in the emergency department, no next of kin.';
    const LOG = 'query { myAccessLog(first: 5) { edges { node { decisionId purpose outcome breakGlass reasons } } } }';
    const QUEUE = 'query { breakGlassReviewQueue(first: 50) { edges { node { decisionId } } } }';

    it('ETREAT without a justification is bad input, audited as refused, and nothing is read', async () => {
      const res = await summary('dr-weber', 'ETREAT');
      // It used to be decided as an ordinary read, not flagged, with results the emergency subset lacks.
      expect(res.data).toBeNull();
      expect(res.errors).toHaveLength(1);
      expect(res.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'justification' });
      expect(res.errors[0]!.message).toMatch(/ETREAT .*justification/);
      const log = await t.graphql<{
        myAccessLog: {
          edges: { node: { purpose: string; outcome: string; breakGlass: boolean; reasons: string[] } }[];
        };
      }>(LOG, {}, patient.token);
      expect(log.data!.myAccessLog.edges[0]!.node).toEqual(
        expect.objectContaining({ purpose: 'ETREAT', outcome: 'DENY', breakGlass: false, reasons: ['BAD_USER_INPUT'] }),
      );
    });

    it('answers at least what TREAT does at that instant, plus the emergency subset, flagged and queued', async () => {
      // The patient withdrew their consent above: treatment gets the German records only.
      const treatment = await summary('dr-weber', 'TREAT');
      expect(treatment.data!.patientSummary.regions).toEqual(['eu-de']);
      const treated = itemIds(treatment.data!.patientSummary);
      expect(treatment.data!.patientSummary.results.some((r) => r.id.startsWith('eu-de/'))).toBe(true);

      const emergency = await summary('dr-weber', 'ETREAT', JUSTIFICATION);
      const s = emergency.data!.patientSummary;
      const items = itemIds(s);
      // It used to shrink the German region to the emergency subset (no results, procedures, reports).
      expect(treated.filter((id) => !items.includes(id))).toEqual([]);
      expect(s.results.filter((r) => r.id.startsWith('eu-de/'))).toEqual(
        treatment.data!.patientSummary.results.filter((r) => r.id.startsWith('eu-de/')),
      );
      // Across the border, without consent: the emergency subset only.
      expect([...s.regions].sort()).toEqual(['eu-de', 'eu-fr']);
      expect(s.problems.some((p) => p.id.startsWith('eu-fr/'))).toBe(true);
      for (const section of ['results', 'procedures', 'reports'] as const) {
        expect(s[section].filter((i) => i.id.startsWith('eu-fr/'))).toEqual([]);
      }
      expect(s.receipt.breakGlass).toBe(true);

      const queue = await t.graphql<{ breakGlassReviewQueue: { edges: { node: { decisionId: string } }[] } }>(
        QUEUE,
        {},
        await t.token('officer-schmidt'),
      );
      expect(queue.data!.breakGlassReviewQueue.edges.map((e) => e.node.decisionId)).toContain(s.receipt.decisionId);
    });
  });
});
