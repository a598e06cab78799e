import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Consent } from '../consent/consent.js';
import type { PurposeOfUse } from '../purpose.js';
import { decide } from './decide.js';
import type { Requester } from './decision-request.js';
import type { DenialCode } from './decision.js';
import { consentsToTell, denialNotice } from './denial-notice.js';
import { parsePolicyDocument } from './policy-document.js';
import { consent, MGH, PATIENT, treatedBy } from './decision-fixtures.test-support.js';

const POLICIES = ['eu', 'uk', 'us', 'de'].map((name) =>
  parsePolicyDocument(JSON.parse(readFileSync(new URL(`../../../policies/${name}.json`, import.meta.url), 'utf8'))),
);
const NOW = new Date('2025-06-01T10:00:00Z');
const FR_AND_DE = [
  { region: 'eu-fr', jurisdiction: 'FR' },
  { region: 'eu-de', jurisdiction: 'DE' },
];

const revoked = (c: Consent): Consent => ({ ...c, status: 'revoked', revokedAt: new Date(NOW.getTime() - 3_600_000) });

interface Row {
  readonly name: string;
  readonly requester: Requester;
  readonly purpose: PurposeOfUse;
  readonly consents: readonly Consent[];
  readonly code: DenialCode;
}

// Each row discloses nothing from regions in two places; the notice must name neither.
const ROWS: readonly Row[] = [
  {
    name: 'no consent for a cross-border read',
    requester: MGH,
    purpose: 'TREAT',
    consents: [],
    code: 'CONSENT_REQUIRED',
  },
  {
    name: 'the consent that would have carried it was revoked',
    requester: MGH,
    purpose: 'TREAT',
    consents: [revoked(consent('cns-0123456789abcdef-revoked', { destinationsAllowed: ['US'] }))],
    code: 'CONSENT_REVOKED',
  },
  {
    name: 'the patient objected',
    requester: MGH,
    purpose: 'TREAT',
    consents: [consent('cns-0123456789abcdef-objection', { kind: 'deny' })],
    code: 'CONSENT_REVOKED',
  },
  {
    name: 'a purpose no policy allows the requester',
    requester: MGH,
    purpose: 'PATRQT',
    consents: [],
    code: 'POLICY_DENIED',
  },
];

describe('denialNotice: what a requester who gets nothing learns', () => {
  it.each(ROWS)('$name: $code, and no region, data jurisdiction or consent named', (row) => {
    const decision = decide(
      { requester: row.requester, purpose: row.purpose, patientId: PATIENT, regions: FR_AND_DE, at: NOW },
      { policies: POLICIES, consents: row.consents, careRelationships: treatedBy(row.requester) },
    );
    expect(decision.outcome).toBe('deny');
    const notice = denialNotice(decision, row.purpose);
    expect(notice.code).toBe(row.code);
    expect(notice.message).toMatch(new RegExp(`^Nothing may be disclosed to you for ${row.purpose}`));
    expect(notice.message).not.toMatch(/eu-fr|eu-de|\bFR\b|\bDE\b|\bEU\b|cns-|consent [a-z0-9-]*\d/);
    // The per-region messages (told beside data that was disclosed) name no consent either.
    for (const region of decision.regions) expect(region.message).not.toMatch(/cns-/);
  });

  it('tells the three codes apart, each with what would help', () => {
    const say = (code: DenialCode): string =>
      denialNotice(
        {
          outcome: 'deny',
          regions: [
            {
              region: 'eu-fr',
              jurisdiction: 'FR',
              outcome: 'deny',
              categories: [],
              sensitive: [],
              code,
              message: '',
              reasons: [],
              crossBorder: false,
              breakGlass: false,
            },
          ],
          obligations: [],
          breakGlass: false,
          policiesUsed: [],
          consentsUsed: [],
          deidentify: false,
        },
        'TREAT',
      ).message;
    expect(say('CONSENT_REQUIRED')).toMatch(/the patient can give it to your organisation or jurisdiction/);
    expect(say('CONSENT_REVOKED')).toMatch(/withdrawn their consent or objected/);
    expect(say('POLICY_DENIED')).toMatch(/no consent of the patient changes that/);
  });

  it.each<[string, Consent, boolean]>([
    ['a revoked consent, cited as revoked', revoked(consent('cns-r', { destinationsAllowed: ['US'] })), false],
    [
      'an expired consent',
      consent('cns-e', { destinationsAllowed: ['US'], validUntil: new Date('2025-05-01T00:00:00Z') }),
      false,
    ],
    [
      'a consent not valid yet',
      consent('cns-n', { destinationsAllowed: ['US'], validFrom: new Date('2025-07-01T00:00:00Z') }),
      false,
    ],
    ['a permit the disclosure relied on', consent('cns-p', { destinationsAllowed: ['US'] }), true],
    ['an objection in force', consent('cns-o', { kind: 'deny' }), true],
  ])('a receipt names %s: %s', (_name, given, told) => {
    const decision = decide(
      { requester: MGH, purpose: 'TREAT', patientId: PATIENT, regions: FR_AND_DE, at: NOW },
      { policies: POLICIES, consents: [given], careRelationships: treatedBy(MGH) },
    );
    // The audit event keeps every consent a reason cites; the requester is told of those in force.
    expect(decision.consentsUsed.map((c) => c.id)).toEqual([given.id]);
    expect(consentsToTell(decision).has(given.id)).toBe(told);
  });
});
