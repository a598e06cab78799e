import { describe, expect, it } from 'vitest';
import type { Consent } from './consent.js';
import { grantProblems, type GrantContext } from './grant-check.js';

const AT = new Date('2026-06-01T12:00:00Z');

const GRANT: Consent = {
  id: 'cns-1',
  patientId: 'mp-0123456789ab',
  version: '1',
  status: 'active',
  kind: 'permit',
  grantee: { kind: 'any_treating_provider' },
  purposes: ['TREAT'],
  validFrom: AT,
  grantedAt: AT,
};

const CONTEXT: GrantContext = {
  at: AT,
  knowsOrganisation: (id) => ['charite-berlin', 'aphp-paris'].includes(id),
  policies: [
    { jurisdiction: 'EU', covers: ['DE', 'FR'] },
    { jurisdiction: 'DE', covers: ['DE'] },
    { jurisdiction: 'US', covers: ['US'] },
  ],
};

const hours = (n: number): Date => new Date(AT.getTime() + n * 3_600_000);

describe('grantProblems', () => {
  it.each<[string, Partial<Consent>, string[]]>([
    ['a grant with no end', {}, []],
    ['an end in the future', { validUntil: hours(1) }, []],
    ['a start in the future, its end after it', { validFrom: hours(24), validUntil: hours(48) }, []],
    ['a start in the past, its end still ahead', { validFrom: hours(-48), validUntil: hours(1) }, []],
    ['an end already passed', { validFrom: hours(-48), validUntil: hours(-1) }, ['validUntil']],
    ['an end at the grant instant itself', { validFrom: hours(-48), validUntil: AT }, ['validUntil']],
    ['a known organisation', { grantee: { kind: 'organisation', organisationId: 'aphp-paris' } }, []],
    [
      'an unknown organisation',
      { grantee: { kind: 'organisation', organisationId: 'no-such-hospital' } },
      ['grantee.organisationId'],
    ],
    ['a policy family', { grantee: { kind: 'jurisdiction', jurisdiction: 'EU' } }, []],
    ['a covered country', { grantee: { kind: 'jurisdiction', jurisdiction: 'FR' } }, []],
    ['a subdivision of a covered country', { grantee: { kind: 'jurisdiction', jurisdiction: 'US-MA' } }, []],
    [
      'a jurisdiction no policy governs',
      { grantee: { kind: 'jurisdiction', jurisdiction: 'JP' } },
      ['grantee.jurisdiction'],
    ],
    ['governed destinations', { destinationsAllowed: ['US', 'EU'] }, []],
    ['an ungoverned destination', { destinationsAllowed: ['US', 'ZZ'] }, ['destinationsAllowed.1']],
    [
      'every problem at once',
      { validUntil: hours(-1), grantee: { kind: 'jurisdiction', jurisdiction: 'XX' }, destinationsAllowed: ['YY'] },
      ['validUntil', 'grantee.jurisdiction', 'destinationsAllowed.0'],
    ],
  ])('%s', (_name, change, fields) => {
    expect(grantProblems({ ...GRANT, ...change }, CONTEXT).map(([field]) => field)).toEqual(fields);
  });

  it('names what is wrong, and checks only what it is given', () => {
    const unknown: Consent = { ...GRANT, grantee: { kind: 'organisation', organisationId: 'no-such-hospital' } };
    expect(grantProblems(unknown, CONTEXT)).toEqual([
      ['grantee.organisationId', 'no-such-hospital is not an organisation this gateway knows'],
    ]);
    const ungoverned: Consent = { ...GRANT, grantee: { kind: 'jurisdiction', jurisdiction: 'JP' } };
    expect(grantProblems(unknown, { at: AT })).toEqual([]);
    expect(grantProblems(ungoverned, { at: AT })).toEqual([]);
    expect(grantProblems({ ...GRANT, validUntil: hours(-1) }, { at: AT })).toHaveLength(1);
  });
});
