import { postGraphQL, type GraphQLResponse } from '../test/support/gateway.js';

/** The summary a clinician's system asks for: every section with provenance, and the receipt. */
export const SUMMARY_QUERY = /* GraphQL */ `
  query Summary($patientId: ID!) {
    patientSummary(patientId: $patientId, purpose: TREAT) {
      patientId
      regions
      unavailableRegions
      demographics {
        name
        birthDate
        gender
        provenance {
          region
        }
      }
      problems {
        ...item
      }
      allergies {
        ...item
      }
      medications {
        ...item
      }
      immunizations {
        ...item
      }
      results {
        ...item
      }
      procedures {
        ...item
      }
      reports {
        ...item
      }
      receipt {
        decisionId
        outcome
      }
    }
  }
  fragment item on ClinicalItem {
    id
    resourceType
    category
    code {
      system
      code
    }
    display
    date
    value
    sensitivity
    provenance {
      region
      organisationName
      lastUpdated
      contentHash
    }
  }
`;

const SECTIONS = ['problems', 'allergies', 'medications', 'immunizations', 'results', 'procedures', 'reports'] as const;

interface Item {
  readonly id: string;
  readonly provenance: { readonly region: string };
}

export interface Summary extends Record<(typeof SECTIONS)[number], readonly Item[]> {
  readonly patientId: string;
  readonly regions: readonly string[];
  readonly unavailableRegions: readonly string[];
  readonly demographics: readonly { readonly provenance: { readonly region: string } }[];
  readonly receipt: { readonly decisionId: string; readonly outcome: string };
}

export type SummaryResponse = GraphQLResponse<{ patientSummary: Summary | null }>;

/** The request body of a summary read, exactly as the load generator sends it. */
export function summaryBody(patientId: string): string {
  return JSON.stringify({ query: SUMMARY_QUERY, variables: { patientId } });
}

export function readSummary(url: string, token: string, patientId: string): Promise<SummaryResponse> {
  return postGraphQL(url, summaryBody(patientId), token);
}

/**
 * What an answer discloses: each clinical item's id (`region/ResourceType/id`) and
 * `region/Patient` for each region's demographics.
 */
export function disclosedItems(summary: Summary | null): Set<string> {
  if (summary === null) return new Set();
  const items = new Set(summary.demographics.map((d) => `${d.provenance.region}/Patient`));
  for (const section of SECTIONS) for (const item of summary[section]) items.add(item.id);
  return items;
}

/**
 * The regions withheld for want of consent, with the code given: from the per-region errors
 * of a partial answer, or from the `regions` of a request denied as a whole.
 */
export function consentDenials(res: GraphQLResponse): Map<string, string> {
  const denied = new Map<string, string>();
  for (const error of res.errors) {
    const code = String(error.extensions.code);
    if (typeof error.extensions.region === 'string') denied.set(error.extensions.region, code);
    const regions = error.extensions.regions;
    if (Array.isArray(regions)) {
      for (const r of regions as { region?: unknown; code?: unknown }[]) {
        if (typeof r.region === 'string') denied.set(r.region, typeof r.code === 'string' ? r.code : code);
      }
    }
  }
  for (const [region, code] of denied) {
    if (code !== 'CONSENT_REQUIRED' && code !== 'CONSENT_REVOKED') denied.delete(region);
  }
  return denied;
}

/** What every benchmarked patient grants: treatment by any treating provider, sensitive items and exports included. */
export const TREATMENT_CONSENT = {
  grantee: { kind: 'ANY_TREATING_PROVIDER' },
  purposes: ['TREAT'],
  sensitiveAllowed: ['PSY', 'HIV', 'GDIS', 'ETH', 'SEX'],
  destinationsAllowed: ['US', 'EU', 'UK'],
} as const;

function failIfErrors(what: string, res: GraphQLResponse<unknown>): void {
  if (res.errors.length > 0 || res.status !== 200) {
    throw new Error(`${what} failed (HTTP ${res.status}): ${JSON.stringify(res.errors)}`);
  }
}

/**
 * Grants the treatment consent as the patient whose token this is, and lets it reach the
 * clinician whose token is given: a consent to any treating provider applies only where a care
 * relationship is open, so the patient issues an access code and the clinician opens one with
 * it. Resolves to the consent id.
 */
export async function grantTreatmentConsent(
  url: string,
  patient: { readonly token: string; readonly globalId: string },
  clinicianToken: string,
): Promise<string> {
  const res = await postGraphQL<{ grantConsent: { id: string } }>(
    url,
    {
      query: 'mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }',
      variables: { input: TREATMENT_CONSENT },
    },
    patient.token,
  );
  failIfErrors('grantConsent', res);
  const code = await postGraphQL<{ issueAccessCode: { code: string } }>(
    url,
    { query: 'mutation { issueAccessCode { code } }' },
    patient.token,
  );
  failIfErrors('issueAccessCode', code);
  const opened = await postGraphQL(
    url,
    {
      query: 'mutation($p: ID!, $c: String!) { openCareRelationship(patientId: $p, accessCode: $c) { id } }',
      variables: { p: patient.globalId, c: code.data!.issueAccessCode.code },
    },
    clinicianToken,
  );
  failIfErrors('openCareRelationship', opened);
  return res.data!.grantConsent.id;
}

export async function revokeConsent(url: string, patientToken: string, consentId: string): Promise<void> {
  const res = await postGraphQL<{ revokeConsent: { status: string } }>(
    url,
    { query: 'mutation($id: ID!) { revokeConsent(consentId: $id) { status } }', variables: { id: consentId } },
    patientToken,
  );
  failIfErrors('revokeConsent', res);
  if (res.data!.revokeConsent.status !== 'REVOKED') throw new Error(`consent ${consentId} is still active`);
}

/** The ids of the patient's consents that are in force. */
export async function activeConsents(url: string, patientToken: string): Promise<string[]> {
  const res = await postGraphQL<{ myConsents: { id: string; status: string }[] }>(
    url,
    { query: '{ myConsents { id status } }' },
    patientToken,
  );
  failIfErrors('myConsents', res);
  return res.data!.myConsents.filter((c) => c.status === 'ACTIVE').map((c) => c.id);
}

/** Runs `fn` over `items`, at most `limit` at a time, results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
