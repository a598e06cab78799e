import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway.js';

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

describe('what a requester learns, and break-glass, over HTTP on PostgreSQL', () => {
  let t: TestGateway;
  /** A patient of the Paris hospital with records in France and Germany. */
  let patient: { id: string; token: string; regions: string[] };

  beforeAll(async () => {
    t = await startTestGateway({ env: { MERIDIAN_CACHE_TTL_MS: '0' } });
    const fr = t.demo.patients.find(
      (p) =>
        p.homeRegion === 'eu-fr' &&
        p.locations.some((l) => l.region === 'eu-de') &&
        t.demo.personas.some((persona) => persona.patientId === p.globalId),
    )!;
    const persona = t.demo.personas.find((p) => p.patientId === fr.globalId)!;
    patient = { id: fr.globalId, token: await t.token(persona.name), regions: fr.locations.map((l) => l.region) };
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
        "Nothing may be disclosed to you for TREAT without the patient's consent; the patient can give it to your organisation or jurisdiction.",
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
      const permitted = await summary('dr-johnson', 'TREAT');
      expect(permitted.data!.patientSummary.receipt.consents.map((c) => c.id)).toContain(consentId);
      expect((await t.graphql(REVOKE, { id: consentId }, patient.token)).errors).toEqual([]);

      const res = await summary('dr-johnson', 'TREAT');
      expect(res.errors.map((e) => e.extensions.code)).toEqual(['CONSENT_REVOKED']);
      expect(res.errors[0]!.message).toMatch(/the patient has withdrawn their consent or objected/);
      expect(JSON.stringify(res)).not.toContain(consentId);

      // Beside data (a German clinician: the German records need no consent) the French region
      // is named, its revocation told, and again no consent id: not in the error, not in the receipt.
      const partial = await summary('dr-weber', 'TREAT');
      const eufr = partial.errors.find((e) => e.extensions.region === 'eu-fr');
      expect(eufr?.extensions.code).toBe('CONSENT_REVOKED');
      expect(eufr?.message).toMatch(/^Region eu-fr: .*the patient withdrew their consent/);
      expect(partial.data!.patientSummary.regions).toEqual(['eu-de']);
      expect(JSON.stringify(partial)).not.toContain(consentId);
    });
  });
});
