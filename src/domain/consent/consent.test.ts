import { describe, expect, it } from 'vitest';
import { MeridianError } from '../errors.js';
import { CATEGORIES } from '../fhir.js';
import { consentContentHash, parseConsent, type Consent } from './consent.js';
import { selectConsents, type ConsentQuery } from './consent-selection.js';

const VALID = {
  id: 'c-1',
  patientId: 'mp-0123456789ab',
  version: '1',
  status: 'active',
  kind: 'permit',
  grantee: { kind: 'any_treating_provider' },
  purposes: ['TREAT', 'HRESCH'],
  sensitiveAllowed: ['PSY'],
  destinationsAllowed: ['US'],
  validFrom: '2025-01-01T00:00:00Z',
  validUntil: '2026-01-01T00:00:00Z',
  grantedAt: '2025-01-01T00:00:00Z',
};

function errorsOf(json: unknown): string[] {
  try {
    parseConsent(json);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(MeridianError);
    expect((e as MeridianError).code).toBe('BAD_USER_INPUT');
    return (e as MeridianError).details.errors as string[];
  }
}

describe('parseConsent', () => {
  it('reads dates from ISO strings or Dates', () => {
    const consent = parseConsent(VALID);
    expect(consent.validFrom).toEqual(new Date('2025-01-01T00:00:00Z'));
    expect(parseConsent({ ...VALID, validFrom: new Date('2025-01-01T00:00:00Z') })).toEqual(consent);
  });

  it.each([
    [
      'a bad patient id',
      { patientId: 'Jane Doe' },
      "patientId: must be a global patient id: 'mp-' followed by 12-64 lowercase hex digits",
    ],
    ['no purpose', { purposes: [] }, 'purposes: must name at least one purpose'],
    ['an unknown purpose', { purposes: ['SHOPPING'] }, /^purposes\.0: Invalid option/],
    ['a repeated purpose', { purposes: ['TREAT', 'TREAT'] }, 'purposes: must not repeat an entry'],
    ['an unknown grantee kind', { grantee: { kind: 'anyone' } }, /^grantee\.kind: /],
    ['a grantee without its organisation', { grantee: { kind: 'organisation' } }, 'grantee.organisationId: required'],
    ['a date without offset', { validFrom: '2025-01-01' }, /^validFrom: must be an ISO 8601 date-time/],
    ['a missing grant time', { grantedAt: undefined }, 'grantedAt: required'],
    ['an end before the start', { validUntil: '2024-12-31T00:00:00Z' }, 'validUntil: must be after validFrom'],
    ['a revocation without time', { status: 'revoked' }, 'revokedAt: required when status is revoked'],
    [
      'a revocation time while active',
      { revokedAt: '2025-02-01T00:00:00Z' },
      'revokedAt: must be absent while status is active',
    ],
    [
      'a revocation before the grant',
      { status: 'revoked', revokedAt: '2024-02-01T00:00:00Z' },
      'revokedAt: must not be before grantedAt',
    ],
    [
      'a category both allowed and denied',
      { categoriesAllowed: ['results'], categoriesDenied: ['results'] },
      'categoriesDenied: also listed in categoriesAllowed: results',
    ],
    [
      'every category denied',
      {
        categoriesDenied: [...CATEGORIES],
      },
      'categoriesDenied: leaves no category in scope',
    ],
    [
      'an objection allowing labels',
      { kind: 'deny' },
      'sensitiveAllowed: only a permit consent can allow sensitive labels',
    ],
    [
      'an objection to own access',
      { kind: 'deny', sensitiveAllowed: undefined, destinationsAllowed: undefined, purposes: ['PATRQT'] },
      'purposes: a patient cannot object to their own access (PATRQT)',
    ],
    [
      'a label both allowed and denied',
      { sensitiveAllowed: ['PSY', 'HIV'], labelsDenied: ['PSY'] },
      'labelsDenied: also listed in sensitiveAllowed: PSY',
    ],
    [
      'an objection restricting labels',
      { kind: 'deny', sensitiveAllowed: undefined, destinationsAllowed: undefined, labelsDenied: ['PSY'] },
      /^labelsDenied: an objection withholds whole categories/,
    ],
    ['an unknown label', { labelsDenied: ['MENTAL_HEALTH'] }, /^labelsDenied\.0: Invalid option/],
    ['a bad destination', { destinationsAllowed: ['usa'] }, /^destinationsAllowed\.0: must be a jurisdiction code/],
    ['an unknown field', { scope: 'all' }, '(document): Unrecognized key: "scope"'],
  ])('refuses %s', (_name, change, expected) => {
    const errors = errorsOf({ ...VALID, ...change });
    const match = (e: string): boolean => (typeof expected === 'string' ? e === expected : expected.test(e));
    expect(errors.some(match), errors.join('\n')).toBe(true);
  });
});

describe('consentContentHash', () => {
  const consent = parseConsent(VALID);

  it('is a sha256 that ignores the order of set-like lists', () => {
    expect(consentContentHash(consent)).toMatch(/^[0-9a-f]{64}$/);
    expect(consentContentHash({ ...consent, purposes: ['HRESCH', 'TREAT'] })).toBe(consentContentHash(consent));
  });

  it('changes with what was granted', () => {
    const base = consentContentHash(consent);
    expect(consentContentHash({ ...consent, purposes: ['TREAT'] })).not.toBe(base);
    expect(consentContentHash({ ...consent, destinationsAllowed: undefined })).not.toBe(base);
    expect(consentContentHash({ ...consent, validUntil: new Date('2027-01-01T00:00:00Z') })).not.toBe(base);
    expect(consentContentHash({ ...consent, version: '2' })).not.toBe(base);
  });

  it('stays the same on revocation, which is anchored as its own event', () => {
    const revoked: Consent = { ...consent, status: 'revoked', revokedAt: new Date('2025-03-01T00:00:00Z') };
    expect(consentContentHash(revoked)).toBe(consentContentHash(consent));
  });
});

describe('selectConsents', () => {
  const at = new Date('2025-06-01T00:00:00Z');
  const query: ConsentQuery = {
    patientId: 'mp-0123456789ab',
    purpose: 'ETREAT',
    at,
    requester: {
      organisationId: 'charite-berlin',
      jurisdiction: 'DE',
      roles: ['clinician'],
      families: ['EU', 'DE'],
      treating: true,
    },
  };
  const base = parseConsent({ ...VALID, purposes: ['TREAT'] });
  const make = (id: string, change: Partial<Consent>): Consent => ({ ...base, id, ...change });

  it('sorts what speaks to the requester and purpose into buckets, by id', () => {
    const selection = selectConsents(
      [
        make('z-permit', {}),
        make('a-permit', { grantee: { kind: 'jurisdiction', jurisdiction: 'EU' } }),
        make('objection', { kind: 'deny', sensitiveAllowed: undefined, destinationsAllowed: undefined }),
        make('revoked', { status: 'revoked', revokedAt: at }),
        make('expired', { validUntil: new Date('2025-05-01T00:00:00Z') }),
        make('future', { validFrom: new Date('2025-07-01T00:00:00Z'), validUntil: undefined }),
        make('other-org', { grantee: { kind: 'organisation', organisationId: 'aphp-paris' } }),
        make('other-country', { grantee: { kind: 'jurisdiction', jurisdiction: 'FR' } }),
        make('other-purpose', { purposes: ['HRESCH'] }),
        make('other-patient', { patientId: 'mp-ffffffffffff' }),
      ],
      query,
    );
    expect(selection.permits.map((c) => c.id)).toEqual(['a-permit', 'z-permit']);
    expect(selection.objections.map((c) => c.id)).toEqual(['objection']);
    expect(selection.revoked.map((c) => c.id)).toEqual(['revoked']);
    expect(selection.expired.map((c) => c.id)).toEqual(['expired']);
    expect(selection.notYetValid.map((c) => c.id)).toEqual(['future']);
  });

  it('a consent to any treating provider speaks only to a clinician whose organisation is treating the patient', () => {
    const untreated = { ...query, requester: { ...query.requester, treating: false } };
    const toTreating = make('treating', { grantee: { kind: 'any_treating_provider' } });
    const toOrg = make('org', { grantee: { kind: 'organisation', organisationId: 'charite-berlin' } });
    expect(selectConsents([toTreating, toOrg], query).permits.map((c) => c.id)).toEqual(['org', 'treating']);
    const without = selectConsents([toTreating, toOrg], untreated);
    expect(without.permits.map((c) => c.id)).toEqual(['org']);
    expect(without.untreated.map((c) => c.id)).toEqual(['treating']);
    const nurse = { ...query, requester: { ...query.requester, roles: ['integration' as const] } };
    expect(selectConsents([toTreating], nurse).permits).toEqual([]);
    expect(
      selectConsents([toTreating], { ...untreated, requester: { ...nurse.requester, treating: false } }).untreated,
    ).toEqual([]);
  });

  it('a consent for treatment speaks of emergency treatment, not the other way round', () => {
    const etreat = make('etreat', { purposes: ['ETREAT'] });
    expect(selectConsents([etreat], { ...query, purpose: 'TREAT' }).permits).toEqual([]);
    expect(selectConsents([base], query).permits).toEqual([base]);
  });

  it('a consent to a policy family speaks to requesters of each of its countries, and only to them', () => {
    const eu = make('eu', { grantee: { kind: 'jurisdiction', jurisdiction: 'EU' } });
    expect(parseConsent({ ...VALID, grantee: { kind: 'jurisdiction', jurisdiction: 'EU' } }).grantee).toEqual(
      eu.grantee,
    );
    const from = (jurisdiction: string, families: string[]): ConsentQuery => ({
      ...query,
      requester: { ...query.requester, jurisdiction, families },
    });
    expect(selectConsents([eu], from('DE', ['EU', 'DE'])).permits).toEqual([eu]);
    expect(selectConsents([eu], from('FR', ['EU'])).permits).toEqual([eu]);
    expect(selectConsents([eu], from('US-MA', ['US'])).permits).toEqual([]);
    const fr = make('fr', { grantee: { kind: 'jurisdiction', jurisdiction: 'FR' } });
    expect(selectConsents([fr], from('DE', ['EU', 'DE'])).permits).toEqual([]);
  });

  it('any treating provider means a clinician', () => {
    const auditor = { ...query, requester: { ...query.requester, roles: ['auditor' as const] } };
    expect(selectConsents([base], auditor).permits).toEqual([]);
  });
});
