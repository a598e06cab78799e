import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Consent } from '../consent/consent.js';
import { CATEGORIES, SENSITIVITY_DESCRIPTIONS, SENSITIVITY_LABELS } from '../fhir.js';
import { ROLES } from '../principal.js';
import { PURPOSES_OF_USE } from '../purpose.js';
import { decide } from './decide.js';
import type { DecisionContext, DecisionRequest } from './decision-request.js';
import type { Decision } from './decision.js';
import { parsePolicyDocument } from './policy-document.js';

const POLICIES = ['eu', 'uk', 'us', 'de'].map((name) =>
  parsePolicyDocument(JSON.parse(readFileSync(new URL(`../../../policies/${name}.json`, import.meta.url), 'utf8'))),
);
const PATIENT = 'mp-0123456789ab';
const NOW = new Date('2025-06-01T10:00:00Z');
const JURISDICTIONS = ['DE', 'FR', 'US-MA', 'GB', 'JP', 'DE-BY'] as const;
const REGIONS = [
  { region: 'eu-de', jurisdiction: 'DE' },
  { region: 'eu-fr', jurisdiction: 'FR' },
  { region: 'us-ma', jurisdiction: 'US-MA' },
  { region: 'uk-ldn', jurisdiction: 'GB' },
  { region: 'ch-zh', jurisdiction: 'CH' },
];
const hours = (h: number): Date => new Date(NOW.getTime() + h * 3_600_000);

const subset = <T>(items: readonly T[]): fc.Arbitrary<T[]> => fc.subarray([...items]);

const requestArb: fc.Arbitrary<DecisionRequest> = fc.record({
  requester: fc.record({
    organisationId: fc.constantFrom('charite-berlin', 'aphp-paris', 'mgh-boston'),
    jurisdiction: fc.constantFrom(...JURISDICTIONS),
    roles: subset(ROLES),
    patientId: fc.constantFrom(PATIENT, 'mp-ffffffffffff'),
  }),
  purpose: fc.constantFrom(...PURPOSES_OF_USE),
  patientId: fc.constant(PATIENT),
  regions: fc.subarray(REGIONS, { minLength: 1 }),
  categories: fc.option(subset(CATEGORIES), { nil: undefined }),
  sensitivityPresent: fc.option(
    fc.record({ 'eu-de': subset(SENSITIVITY_LABELS), 'us-ma': subset(SENSITIVITY_LABELS) }),
    {
      nil: undefined,
    },
  ),
  breakGlass: fc.option(
    fc.record({
      justification: fc.constantFrom('', 'unconscious'),
      startedAt: fc.constantFrom(hours(-6), hours(-1), NOW),
    }),
    { nil: undefined },
  ),
  at: fc.constant(NOW),
});

const consentArb: fc.Arbitrary<Consent> = fc
  .record({
    id: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5'),
    kind: fc.constantFrom('permit' as const, 'deny' as const),
    revoked: fc.boolean(),
    grantee: fc.constantFrom(
      { kind: 'any_treating_provider' as const },
      { kind: 'organisation' as const, organisationId: 'mgh-boston' },
      { kind: 'jurisdiction' as const, jurisdiction: 'EU' },
    ),
    purposes: fc.subarray(['TREAT', 'HRESCH', 'HPAYMT', 'HOPERAT', 'PUBHLTH'] as const, { minLength: 1 }),
    categoriesAllowed: fc.option(
      subset(CATEGORIES).filter((c) => c.length > 0),
      { nil: undefined },
    ),
    sensitiveAllowed: subset(SENSITIVITY_LABELS),
    destinationsAllowed: fc.option(subset(['US', 'UK', 'EU']), { nil: undefined }),
    validFrom: fc.constantFrom(hours(-1000), hours(5)),
    validUntil: fc.constantFrom(undefined, hours(-2), hours(1000)),
  })
  .map(({ revoked, ...c }) => ({
    ...c,
    patientId: PATIENT,
    version: '1',
    status: revoked ? ('revoked' as const) : ('active' as const),
    grantedAt: hours(-1000),
    ...(revoked && { revokedAt: hours(-1) }),
    ...(c.kind === 'deny' && { sensitiveAllowed: undefined, destinationsAllowed: undefined }),
  }));

const careArb = fc.subarray(
  ['charite-berlin', 'aphp-paris', 'mgh-boston'].map((organisationId) => ({
    patientId: PATIENT,
    organisationId,
    openedAt: hours(-2),
    expiresAt: hours(48),
  })),
);

const contextArb: fc.Arbitrary<DecisionContext> = fc.record({
  policies: fc.constant(POLICIES),
  consents: fc.uniqueArray(consentArb, { selector: (c) => c.id, maxLength: 4 }),
  careRelationships: careArb,
});

function permitted(decision: Decision): Set<string> {
  return new Set(
    decision.regions.flatMap((r) =>
      r.categories.filter((c) => c.effect === 'permit').map((c) => `${r.region}/${c.category}`),
    ),
  );
}

describe('decide: properties over random requests', () => {
  it('is total and deterministic: never throws, ignores input order', () => {
    fc.assert(
      fc.property(requestArb, contextArb, (request, context) => {
        const decision = decide(request, context);
        const shuffled = decide(request, {
          policies: [...context.policies].reverse(),
          consents: [...context.consents].reverse(),
          careRelationships: [...(context.careRelationships ?? [])].reverse(),
        });
        expect(shuffled).toEqual(decision);
      }),
      { numRuns: 300 },
    );
  });

  it('an objection never widens what is disclosed', () => {
    fc.assert(
      fc.property(requestArb, contextArb, (request, context) => {
        const before = permitted(decide(request, context));
        const objection: Consent = {
          id: 'objection',
          patientId: PATIENT,
          version: '1',
          status: 'active',
          kind: 'deny',
          grantee: { kind: 'any_treating_provider' },
          purposes: ['TREAT', 'HPAYMT', 'HOPERAT', 'HRESCH', 'PUBHLTH'],
          validFrom: hours(-1),
          grantedAt: hours(-1),
        };
        const after = permitted(decide(request, { ...context, consents: [...context.consents, objection] }));
        for (const key of after) expect(before.has(key)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('ending a care relationship never widens what is disclosed', () => {
    fc.assert(
      fc.property(requestArb, contextArb, (request, context) => {
        const before = permitted(decide(request, context));
        const after = permitted(decide(request, { ...context, careRelationships: [] }));
        for (const key of after) expect(before.has(key)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('revoking a permit never widens what is disclosed', () => {
    fc.assert(
      fc.property(requestArb, contextArb, (request, context) => {
        const before = permitted(decide(request, context));
        const consents = context.consents.map((c): Consent =>
          c.kind === 'permit' ? { ...c, status: 'revoked', revokedAt: hours(-1) } : c,
        );
        const after = permitted(decide(request, { ...context, consents }));
        for (const key of after) expect(before.has(key)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('codes, outcomes and messages agree, and no message names a hidden label', () => {
    fc.assert(
      fc.property(requestArb, contextArb, (request, context) => {
        const decision = decide(request, context);
        for (const region of decision.regions) {
          expect(region.code !== undefined).toBe(region.outcome === 'deny');
          for (const s of region.sensitive.filter((v) => v.hidden)) {
            expect(region.message).not.toMatch(new RegExp(`\\b${s.label}\\b`));
            expect(region.message).not.toContain(SENSITIVITY_DESCRIPTIONS[s.label]);
          }
        }
        expect(decision.breakGlass).toBe(decision.obligations.some((o) => o.kind === 'expires'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('decide: receipts', () => {
  const request: DecisionRequest = {
    requester: { organisationId: 'charite-berlin', jurisdiction: 'DE', roles: ['clinician'] },
    purpose: 'TREAT',
    patientId: PATIENT,
    regions: [REGIONS[1]!, REGIONS[2]!],
    at: NOW,
  };

  it('names every policy version of both sides of every region', () => {
    const decision = decide(request, { policies: POLICIES, consents: [] });
    expect(decision.policiesUsed).toEqual([
      { jurisdiction: 'DE', version: '2025.1' },
      { jurisdiction: 'EU', version: '2025.3' },
      { jurisdiction: 'US', version: '2025.2' },
    ]);
  });

  it('names only the consents that decided something, with their versions', () => {
    const base: Consent = {
      id: 'psy',
      patientId: PATIENT,
      version: '3',
      status: 'active',
      kind: 'permit',
      grantee: { kind: 'any_treating_provider' },
      purposes: ['TREAT'],
      sensitiveAllowed: ['PSY'],
      validFrom: hours(-10),
      grantedAt: hours(-10),
    };
    const unrelated: Consent = { ...base, id: 'research', purposes: ['HRESCH'] };
    const decision = decide(
      { ...request, sensitivityPresent: { 'eu-fr': ['PSY'] } },
      {
        policies: POLICIES,
        consents: [unrelated, base],
        careRelationships: [
          { patientId: PATIENT, organisationId: 'charite-berlin', openedAt: hours(-10), expiresAt: hours(10) },
        ],
      },
    );
    expect(decision.consentsUsed).toEqual([{ id: 'psy', version: '3' }]);
  });

  it('an empty list of regions discloses nothing', () => {
    expect(decide({ ...request, regions: [] }, { policies: POLICIES, consents: [] })).toMatchObject({
      outcome: 'deny',
      regions: [],
      obligations: [],
    });
  });

  it('explains a region in words', () => {
    const decision = decide(
      { ...request, requester: { ...request.requester, jurisdiction: 'US-MA', organisationId: 'mgh-boston' } },
      { policies: POLICIES, consents: [] },
    );
    expect(decision.regions[0]?.message).toBe(
      "Nothing may be disclosed: US-MA has no adequacy decision for data from FR: the patient's explicit consent is needed.",
    );
  });
});
