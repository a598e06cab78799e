import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Consent } from '../consent/consent.js';
import { CATEGORIES, SENSITIVITY_LABELS, type Category, type SensitivityLabel } from '../fhir.js';
import { breakGlassInputProblem } from './break-glass.js';
import { decide } from './decide.js';
import type { DecisionRequest, Requester } from './decision-request.js';
import type { Decision, RegionDecision } from './decision.js';
import { parsePolicyDocument } from './policy-document.js';
import { APHP, CHARITE, consent, MGH, NHS, PATIENT } from './decision-fixtures.test-support.js';

const POLICIES = ['eu', 'uk', 'us', 'de'].map((name) =>
  parsePolicyDocument(JSON.parse(readFileSync(new URL(`../../../policies/${name}.json`, import.meta.url), 'utf8'))),
);
const NOW = new Date('2025-06-01T10:00:00Z');
const REGIONS = { 'eu-de': 'DE', 'eu-fr': 'FR', 'us-ma': 'US-MA', 'uk-ldn': 'GB' } as const;
type RegionId = keyof typeof REGIONS;
const EMERGENCY: readonly Category[] = ['patient', 'problems', 'allergies', 'medications', 'immunizations'];
const GLASS = { justification: 'unconscious on arrival, no relatives reachable' };

interface Scenario {
  readonly name: string;
  readonly requester: Requester;
  readonly consents: readonly Consent[];
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'a German clinician, no consent', requester: CHARITE, consents: [] },
  { name: 'a French clinician, no consent', requester: APHP, consents: [] },
  {
    name: 'a German clinician, EU treatment consent',
    requester: CHARITE,
    consents: [consent('eu', { grantee: { kind: 'jurisdiction', jurisdiction: 'EU' } })],
  },
  {
    name: 'a German clinician, consent with sensitive labels',
    requester: CHARITE,
    consents: [consent('all', { sensitiveAllowed: [...SENSITIVITY_LABELS] })],
  },
  {
    name: 'a German clinician, the patient objected',
    requester: CHARITE,
    consents: [consent('obj', { kind: 'deny' })],
  },
  {
    name: 'a German clinician, results excluded',
    requester: CHARITE,
    consents: [consent('x', { categoriesDenied: ['results'] })],
  },
  { name: 'a Boston clinician, no consent', requester: MGH, consents: [] },
  {
    name: 'a Boston clinician, consent to the US with labels',
    requester: MGH,
    consents: [consent('us', { destinationsAllowed: ['US'], sensitiveAllowed: [...SENSITIVITY_LABELS] })],
  },
  { name: 'a London clinician, no consent', requester: NHS, consents: [] },
];

const ALL_REGIONS = Object.keys(REGIONS) as RegionId[];

function request(scenario: Scenario, purpose: 'TREAT' | 'ETREAT'): DecisionRequest {
  const present = Object.fromEntries(ALL_REGIONS.map((r) => [r, SENSITIVITY_LABELS]));
  return {
    requester: scenario.requester,
    purpose,
    patientId: PATIENT,
    regions: ALL_REGIONS.map((region) => ({ region, jurisdiction: REGIONS[region] })),
    sensitivityPresent: present,
    ...(purpose === 'ETREAT' ? { breakGlass: GLASS } : {}),
    at: NOW,
  };
}

/** Whether an item of this category (and label, if it has one) is disclosed: one of the region's parts permits both. */
function discloses(region: RegionDecision, category: Category, label?: SensitivityLabel): boolean {
  return (region.parts ?? [region]).some(
    (part) =>
      part.outcome !== 'deny' &&
      part.categories.some((c) => c.category === category && c.effect === 'permit') &&
      (label === undefined || !part.sensitive.some((s) => s.label === label && s.effect === 'deny')),
  );
}

/** Every kind of item a decision discloses, as `region/category[/label]`. */
function disclosed(decision: Decision): Set<string> {
  const items = new Set<string>();
  for (const region of decision.regions) {
    for (const category of CATEGORIES) {
      if (discloses(region, category)) items.add(`${region.region}/${category}`);
      for (const label of SENSITIVITY_LABELS) {
        if (discloses(region, category, label)) items.add(`${region.region}/${category}/${label}`);
      }
    }
  }
  return items;
}

describe('break-glass is never less than treatment', () => {
  it.each(SCENARIOS)('$name: ETREAT with a justification discloses all TREAT does at that instant, flagged', (s) => {
    const context = { policies: POLICIES, consents: s.consents };
    const treatment = disclosed(decide(request(s, 'TREAT'), context));
    const emergency = decide(request(s, 'ETREAT'), context);
    const glass = disclosed(emergency);
    expect([...treatment].filter((item) => !glass.has(item))).toEqual([]);
    expect(emergency.breakGlass).toBe(true);
    expect(emergency.obligations.map((o) => o.kind)).toContain('post_hoc_review');
  });

  it("keeps the requester's own region whole, and adds the emergency subset where treatment needs consent", () => {
    const emergency = decide(request(SCENARIOS[0]!, 'ETREAT'), { policies: POLICIES, consents: [] });
    const de = emergency.regions.find((r) => r.region === 'eu-de')!;
    const fr = emergency.regions.find((r) => r.region === 'eu-fr')!;
    // It used to shrink to the emergency subset although TREAT there is fully permitted.
    expect(CATEGORIES.filter((c) => discloses(de, c))).toEqual(CATEGORIES);
    expect(de).toMatchObject({ outcome: 'permit', breakGlass: true });
    // Across the member-state border treatment needs consent: break-glass gives the subset.
    expect(CATEGORIES.filter((c) => discloses(fr, c))).toEqual(EMERGENCY);
    expect(fr.breakGlass).toBe(true);
  });

  it('releases a sensitive label in the emergency subset only, never in every category treatment permits', () => {
    const emergency = decide(request(SCENARIOS[0]!, 'ETREAT'), { policies: POLICIES, consents: [] });
    const de = emergency.regions.find((r) => r.region === 'eu-de')!;
    // EU break-glass releases mental-health items; treatment needs explicit consent for them.
    expect(discloses(de, 'medications', 'PSY')).toBe(true);
    expect(discloses(de, 'reports', 'PSY')).toBe(false);
    expect(discloses(de, 'reports')).toBe(true);
  });
});

describe('an emergency claim is checked before anything is decided', () => {
  const long = 'x'.repeat(501);
  it.each<[string, 'TREAT' | 'ETREAT', string | undefined, boolean]>([
    ['ETREAT without a justification', 'ETREAT', undefined, false],
    ['ETREAT with an empty one', 'ETREAT', '', false],
    ['ETREAT with blanks only', 'ETREAT', '      ', false],
    ['ETREAT with too short a one', 'ETREAT', 'because', false],
    ['ETREAT with too long a one', 'ETREAT', long, false],
    ['ETREAT with a real one', 'ETREAT', GLASS.justification, true],
    ['TREAT without one', 'TREAT', undefined, true],
    ['TREAT with too short a one', 'TREAT', 'because', false],
  ])('%s', (_name, purpose, justification, ok) => {
    const problem = breakGlassInputProblem(purpose, justification);
    expect(problem === undefined).toBe(ok);
    if (purpose === 'ETREAT' && justification === undefined) expect(problem).toMatch(/ETREAT .*justification/);
  });
});
