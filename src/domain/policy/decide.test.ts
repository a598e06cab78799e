import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Consent } from '../consent/consent.js';
import { CATEGORIES, type Category, type SensitivityLabel } from '../fhir.js';
import type { PurposeOfUse } from '../purpose.js';
import { decide } from './decide.js';
import type { BreakGlassClaim, DecisionRequest, Requester } from './decision-request.js';
import type { DenialCode, Outcome, RegionDecision } from './decision.js';
import { parsePolicyDocument } from './policy-document.js';
import { isDenial, type ReasonCode } from './reason.js';
import { APHP, CHARITE, clinician, consent, MGH, NHS, PATIENT, treatedBy } from './decision-fixtures.test-support.js';

// ---- fixtures: the shipped policies, regions, requesters, consents --------------------------

const POLICIES = ['eu', 'uk', 'us', 'de'].map((name) =>
  parsePolicyDocument(JSON.parse(readFileSync(new URL(`../../../policies/${name}.json`, import.meta.url), 'utf8'))),
);

const REGIONS = {
  'eu-de': 'DE',
  'eu-fr': 'FR',
  'us-ma': 'US-MA',
  'uk-ldn': 'GB',
  'ch-zh': 'CH',
} as const;
type RegionId = keyof typeof REGIONS;

const NOW = new Date('2025-06-01T10:00:00Z');
const hoursAgo = (h: number): Date => new Date(NOW.getTime() - h * 3_600_000);

const MUNICH = clinician('lmu-munich', 'DE-BY');
const TOKYO = clinician('tokyo-uh', 'JP');
const AUDITOR: Requester = { organisationId: 'charite-berlin', jurisdiction: 'DE', roles: ['auditor'] };
const THE_PATIENT: Requester = {
  organisationId: 'charite-berlin',
  jurisdiction: 'DE',
  roles: ['patient'],
  patientId: PATIENT,
};
const OTHER_PATIENT: Requester = { ...THE_PATIENT, patientId: 'mp-ffffffffffff' };

const ALL: readonly Category[] = CATEGORIES;
const EMERGENCY: readonly Category[] = ['patient', 'problems', 'allergies', 'medications', 'immunizations'];
const ETREAT_CATEGORIES: readonly Category[] = [...EMERGENCY, 'results'];
const RESEARCH: readonly Category[] = ALL.filter((c) => c !== 'patient');

/** A consent with sensible defaults: an active permit for any treating provider, for treatment. */
const objection = (id: string, change: Partial<Consent> = {}): Consent => consent(id, { kind: 'deny', ...change });
const revoked = (c: Consent): Consent => ({ ...c, status: 'revoked', revokedAt: hoursAgo(1) });
const expired = (c: Consent): Consent => ({ ...c, validUntil: hoursAgo(24) });
const GLASS: BreakGlassClaim = { justification: 'unconscious on arrival, no relatives reachable' };
/** "Treating providers in the EU": the consent a patient summary needs to cross a member-state border. */
const EU_TREAT = (id: string, change: Partial<Consent> = {}): Consent =>
  consent(id, { grantee: { kind: 'jurisdiction', jurisdiction: 'EU' }, ...change });
const NEEDS_EU_CONSENT = /cross-border exchange from FR to DE within the EU needs the patient's consent/;

// ---- the table ----------------------------------------------------------------------------

type LabelState = 'permit' | 'reported' | 'hidden';

interface RegionExpectation {
  readonly outcome: Outcome;
  readonly code?: DenialCode;
  /** Exactly the permitted categories. */
  readonly permit?: readonly Category[];
  /** Codes that must appear among the denial reasons of the denied categories. */
  readonly reasons?: readonly ReasonCode[];
  /** Codes that must appear among the region-wide reasons. */
  readonly regionReasons?: readonly ReasonCode[];
  readonly labels?: Partial<Record<SensitivityLabel, LabelState>>;
  readonly breakGlass?: boolean;
  /** A pattern the message for the requester must match. */
  readonly message?: RegExp;
}

interface Row {
  readonly name: string;
  readonly requester: Requester;
  readonly purpose: PurposeOfUse;
  readonly regions: readonly RegionId[];
  readonly categories?: readonly Category[];
  readonly consents?: readonly Consent[];
  readonly labels?: Partial<Record<RegionId, readonly SensitivityLabel[]>>;
  readonly breakGlass?: BreakGlassClaim;
  readonly outcome?: Outcome;
  readonly expect: Partial<Record<RegionId, RegionExpectation>>;
  readonly obligations?: readonly string[];
  readonly consentsUsed?: readonly string[];
  /** The requester's organisation has no care relationship with the patient (default: it has one). */
  readonly untreated?: true;
}

const ROWS: readonly Row[] = [
  // Treatment inside one policy family: opt-out, no consent needed.
  {
    name: 'DE→DE treatment, no consent: opt-out permits',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    outcome: 'permit',
    expect: { 'eu-de': { outcome: 'permit', permit: ALL } },
  },
  {
    name: 'a subdivision is its country: DE-BY→DE treatment is no transfer',
    requester: MUNICH,
    purpose: 'TREAT',
    regions: ['eu-de'],
    expect: { 'eu-de': { outcome: 'permit', permit: ALL } },
  },
  {
    name: 'a subset of categories is answered for that subset only',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    categories: ['medications', 'allergies'],
    expect: { 'eu-de': { outcome: 'permit', permit: ['allergies', 'medications'] } },
  },
  {
    name: 'an objection to treatment denies with CONSENT_REVOKED',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [objection('obj')],
    outcome: 'deny',
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REVOKED', reasons: ['PATIENT_OBJECTION'] } },
    consentsUsed: ['obj'],
  },
  {
    name: 'an objection to results only withholds results',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [objection('obj', { categoriesAllowed: ['results'] })],
    expect: {
      'eu-de': { outcome: 'partial', permit: ALL.filter((c) => c !== 'results'), reasons: ['PATIENT_OBJECTION'] },
    },
  },
  {
    name: 'an expired objection no longer applies',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [expired(objection('obj'))],
    expect: { 'eu-de': { outcome: 'permit' } },
    consentsUsed: [],
  },
  {
    name: 'a revoked objection no longer applies',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [revoked(objection('obj'))],
    expect: { 'eu-de': { outcome: 'permit' } },
  },
  {
    name: 'an objection towards another organisation does not apply (DE→FR, with the member-state consent)',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr'],
    consents: [EU_TREAT('c'), objection('obj', { grantee: { kind: 'organisation', organisationId: 'aphp-paris' } })],
    expect: { 'eu-fr': { outcome: 'permit' } },
    consentsUsed: ['c'],
  },
  {
    name: 'an objection towards French requesters applies to a French hospital',
    requester: APHP,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [objection('obj', { grantee: { kind: 'jurisdiction', jurisdiction: 'FR' } })],
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REVOKED' } },
  },
  {
    name: 'deny overrides permit: objection beside a permit',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [
      consent('permit', { grantee: { kind: 'organisation', organisationId: 'charite-berlin' } }),
      objection('obj'),
    ],
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REVOKED', reasons: ['PATIENT_OBJECTION'] } },
  },
  {
    name: 'a permit excluding results binds even where no consent is needed',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [consent('c', { categoriesDenied: ['results'] })],
    expect: {
      'eu-de': {
        outcome: 'partial',
        permit: ALL.filter((c) => c !== 'results'),
        reasons: ['CONSENT_EXCLUDES_CATEGORY'],
      },
    },
  },
  {
    name: 'revoking a permit does not deny an opt-out purpose',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [revoked(consent('c'))],
    expect: { 'eu-de': { outcome: 'permit' } },
  },
  {
    name: 'treatment by an auditor is refused by policy',
    requester: AUDITOR,
    purpose: 'TREAT',
    regions: ['eu-de'],
    expect: { 'eu-de': { outcome: 'deny', code: 'POLICY_DENIED', reasons: ['ROLE_NOT_ALLOWED'] } },
  },

  // Exchange between member states (MyHealth@EU): a patient summary crosses a border with consent.
  {
    name: "DE clinician, FR and DE data, no consent: FR needs the patient's consent (was intra-EU, no transfer); DE stays permitted",
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr', 'eu-de'],
    outcome: 'partial',
    expect: {
      'eu-fr': {
        outcome: 'deny',
        code: 'CONSENT_REQUIRED',
        reasons: ['CROSS_BORDER_NEEDS_CONSENT'],
        message: NEEDS_EU_CONSENT,
        breakGlass: false,
      },
      'eu-de': { outcome: 'permit', permit: ALL },
    },
    consentsUsed: [],
  },
  {
    name: 'FR→DE treatment without consent: the DE overlay inherits the member-state rule (was permitted)',
    requester: APHP,
    purpose: 'TREAT',
    regions: ['eu-de'],
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['CROSS_BORDER_NEEDS_CONSENT'] } },
  },
  // Care relationships: "any treating provider" means an organisation the patient identified at the point of care.
  {
    name: 'a consent to any treating provider does not reach a clinician whose organisation is not treating the patient',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr', 'eu-de'],
    consents: [consent('p')],
    untreated: true,
    outcome: 'partial',
    expect: {
      'eu-fr': {
        outcome: 'deny',
        code: 'CONSENT_REQUIRED',
        reasons: ['CARE_RELATIONSHIP_REQUIRED'],
      },
      'eu-de': { outcome: 'permit', permit: ALL },
    },
  },
  {
    name: 'the same consent reaches the clinician once their organisation has a care relationship',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr'],
    consents: [consent('p')],
    expect: { 'eu-fr': { outcome: 'permit', permit: ALL } },
    consentsUsed: ['p'],
  },
  {
    name: 'a consent naming the organisation needs no care relationship',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr'],
    consents: [consent('p', { grantee: { kind: 'organisation', organisationId: 'charite-berlin' } })],
    untreated: true,
    expect: { 'eu-fr': { outcome: 'permit', permit: ALL } },
  },
  {
    name: 'an objection to any treating provider binds a clinician without a care relationship too',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [objection('obj')],
    untreated: true,
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REVOKED', reasons: ['PATIENT_OBJECTION'] } },
  },
  {
    name: 'break-glass needs no care relationship',
    requester: CHARITE,
    purpose: 'ETREAT',
    regions: ['eu-fr'],
    categories: EMERGENCY,
    breakGlass: GLASS,
    untreated: true,
    outcome: 'permit',
    expect: { 'eu-fr': { outcome: 'permit', permit: EMERGENCY, breakGlass: true } },
  },
  {
    name: 'DE→FR with consent to treating providers in the EU: both regions permitted',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr', 'eu-de'],
    consents: [EU_TREAT('c')],
    outcome: 'permit',
    expect: { 'eu-fr': { outcome: 'permit', permit: ALL }, 'eu-de': { outcome: 'permit', permit: ALL } },
    consentsUsed: ['c'],
  },
  {
    name: 'FR→DE with consent to treating providers in the EU: a French requester is in the EU too',
    requester: APHP,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [EU_TREAT('c')],
    expect: { 'eu-de': { outcome: 'permit', permit: ALL } },
  },
  {
    name: 'DE→FR with consent to any treating provider: both regions permitted',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr', 'eu-de'],
    consents: [consent('c')],
    outcome: 'permit',
    expect: { 'eu-fr': { outcome: 'permit', permit: ALL }, 'eu-de': { outcome: 'permit' } },
    consentsUsed: ['c'],
  },
  {
    name: 'DE→FR after the patient revoked the EU consent: CONSENT_REVOKED',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr', 'eu-de'],
    consents: [revoked(EU_TREAT('c'))],
    outcome: 'partial',
    expect: {
      'eu-fr': { outcome: 'deny', code: 'CONSENT_REVOKED', reasons: ['CROSS_BORDER_NEEDS_CONSENT', 'CONSENT_REVOKED'] },
      'eu-de': { outcome: 'permit', permit: ALL },
    },
    consentsUsed: ['c'],
  },
  {
    name: 'DE→FR with an expired EU consent',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr'],
    consents: [expired(EU_TREAT('c'))],
    expect: { 'eu-fr': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['CONSENT_EXPIRED'] } },
  },
  {
    name: 'DE→FR with an EU consent leaving results out',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr'],
    consents: [EU_TREAT('c', { categoriesDenied: ['results'] })],
    expect: { 'eu-fr': { outcome: 'partial', permit: ALL.filter((c) => c !== 'results') } },
  },
  {
    name: 'DE→FR: a consent to French requesters does not speak to a German clinician',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr'],
    consents: [consent('c', { grantee: { kind: 'jurisdiction', jurisdiction: 'FR' } })],
    expect: { 'eu-fr': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['CROSS_BORDER_NEEDS_CONSENT'] } },
    consentsUsed: [],
  },
  {
    name: 'DE→FR: a consent naming the requesting organisation permits',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr'],
    consents: [consent('c', { grantee: { kind: 'organisation', organisationId: 'charite-berlin' } })],
    expect: { 'eu-fr': { outcome: 'permit', permit: ALL } },
  },
  {
    name: 'DE→FR: a consent naming another organisation does not',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr'],
    consents: [consent('c', { grantee: { kind: 'organisation', organisationId: 'aphp-paris' } })],
    expect: { 'eu-fr': { outcome: 'deny', code: 'CONSENT_REQUIRED' } },
    consentsUsed: [],
  },
  {
    name: 'DE→FR: an objection beside the EU consent still denies',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-fr', 'eu-de'],
    consents: [EU_TREAT('c'), objection('obj')],
    outcome: 'deny',
    expect: {
      'eu-fr': { outcome: 'deny', code: 'CONSENT_REVOKED', reasons: ['PATIENT_OBJECTION'] },
      'eu-de': { outcome: 'deny', code: 'CONSENT_REVOKED', reasons: ['PATIENT_OBJECTION'] },
    },
    consentsUsed: ['obj'],
  },
  {
    // The French region needs consent for treatment: the emergency subset, and its other
    // categories are told as what a consent would release. The German one answers what treatment would.
    name: 'DE→FR break-glass without consent: the emergency subset and its obligations (vital interests)',
    requester: CHARITE,
    purpose: 'ETREAT',
    regions: ['eu-fr', 'eu-de'],
    breakGlass: GLASS,
    outcome: 'partial',
    expect: {
      'eu-fr': {
        outcome: 'partial',
        permit: EMERGENCY,
        reasons: ['CROSS_BORDER_NEEDS_CONSENT'],
        regionReasons: ['BREAK_GLASS', 'CROSS_BORDER_BREAK_GLASS'],
        breakGlass: true,
      },
      'eu-de': { outcome: 'permit', permit: ALL, breakGlass: true },
    },
    obligations: ['notify_patient', 'post_hoc_review', 'expires@2025-06-01T14:00:00.000Z'],
  },
  {
    name: 'DE→FR emergency treatment without break-glass needs consent like treatment',
    requester: CHARITE,
    purpose: 'ETREAT',
    regions: ['eu-fr'],
    expect: { 'eu-fr': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['CROSS_BORDER_NEEDS_CONSENT'] } },
    obligations: [],
  },
  {
    name: 'PATRQT: the patient in DE reads their FR record without a consent (not a transfer to a third party)',
    requester: THE_PATIENT,
    purpose: 'PATRQT',
    regions: ['eu-fr', 'eu-de'],
    outcome: 'permit',
    expect: {
      'eu-fr': { outcome: 'permit', permit: ALL, regionReasons: ['CROSS_BORDER_EXEMPT'] },
      'eu-de': { outcome: 'permit', permit: ALL },
    },
  },
  {
    name: 'EU→US: a consent to treating providers in the EU does not speak to a US clinician (unchanged)',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-fr'],
    consents: [EU_TREAT('c', { destinationsAllowed: ['US'] })],
    expect: { 'eu-fr': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['CROSS_BORDER_NOT_ADEQUATE'] } },
    consentsUsed: [],
  },
  {
    name: 'US→EU: US data to a French clinician needs no consent (HIPAA; unchanged)',
    requester: APHP,
    purpose: 'TREAT',
    regions: ['us-ma'],
    expect: { 'us-ma': { outcome: 'permit', permit: ALL, regionReasons: ['CROSS_BORDER_ALLOWED'] } },
  },

  // Transfers out of the EU.
  {
    name: 'EU→US treatment without consent: not adequate',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-de'],
    outcome: 'deny',
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['CROSS_BORDER_NOT_ADEQUATE'] } },
  },
  {
    name: 'EU→US with consent naming US as destination',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [consent('c', { destinationsAllowed: ['US'] })],
    expect: { 'eu-de': { outcome: 'permit', permit: ALL } },
    consentsUsed: ['c'],
  },
  {
    name: 'EU→US with consent naming the state US-MA',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-fr'],
    consents: [consent('c', { destinationsAllowed: ['US-MA'] })],
    expect: { 'eu-fr': { outcome: 'permit' } },
  },
  {
    name: 'EU→US with consent naming another state',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-fr'],
    consents: [consent('c', { destinationsAllowed: ['US-CA'] })],
    expect: { 'eu-fr': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['CROSS_BORDER_NOT_ADEQUATE'] } },
  },
  {
    name: 'EU→US with consent but no destinations',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [consent('c')],
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['CROSS_BORDER_NOT_ADEQUATE'] } },
  },
  {
    name: 'EU→US after the patient revoked: CONSENT_REVOKED, not CONSENT_REQUIRED',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [revoked(consent('c', { destinationsAllowed: ['US'] }))],
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REVOKED', reasons: ['CONSENT_REVOKED'] } },
    consentsUsed: ['c'],
  },
  {
    name: 'EU→US revoked, then granted again: the new consent counts',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [revoked(consent('c1', { destinationsAllowed: ['US'] })), consent('c2', { destinationsAllowed: ['US'] })],
    expect: { 'eu-de': { outcome: 'permit' } },
    consentsUsed: ['c2'],
  },
  {
    name: 'EU→US with an expired consent',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [expired(consent('c', { destinationsAllowed: ['US'] }))],
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['CONSENT_EXPIRED'] } },
  },
  {
    name: 'EU→US with a consent not valid yet',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [consent('c', { destinationsAllowed: ['US'], validFrom: new Date('2025-07-01T00:00:00Z') })],
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['CONSENT_NOT_YET_VALID'] } },
  },
  {
    name: 'EU→US with a consent for another organisation',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [
      consent('c', {
        grantee: { kind: 'organisation', organisationId: 'charite-berlin' },
        destinationsAllowed: ['US'],
      }),
    ],
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REQUIRED' } },
    consentsUsed: [],
  },
  {
    name: 'EU→US with a consent for the requesting organisation',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [
      consent('c', { grantee: { kind: 'organisation', organisationId: 'mgh-boston' }, destinationsAllowed: ['US'] }),
    ],
    expect: { 'eu-de': { outcome: 'permit' } },
  },
  {
    name: 'EU→US consent leaving results out',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-de'],
    consents: [consent('c', { destinationsAllowed: ['US'], categoriesAllowed: ['patient', 'allergies'] })],
    expect: { 'eu-de': { outcome: 'partial', permit: ['patient', 'allergies'], code: undefined } },
  },
  {
    name: 'US→EU treatment: HIPAA allows, EU requester side allows',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['us-ma'],
    expect: { 'us-ma': { outcome: 'permit', permit: ALL, regionReasons: ['CROSS_BORDER_ALLOWED'] } },
  },
  {
    name: 'EU→UK treatment: UK is adequate',
    requester: NHS,
    purpose: 'TREAT',
    regions: ['eu-fr', 'eu-de'],
    outcome: 'permit',
    expect: {
      'eu-fr': { outcome: 'permit', regionReasons: ['CROSS_BORDER_ADEQUATE'] },
      'eu-de': { outcome: 'permit' },
    },
  },
  {
    name: 'UK→EU treatment: the EU is adequate for the UK',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['uk-ldn'],
    expect: { 'uk-ldn': { outcome: 'permit', regionReasons: ['CROSS_BORDER_ADEQUATE'] } },
  },
  {
    name: 'UK→US treatment needs explicit consent',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['uk-ldn'],
    expect: { 'uk-ldn': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['CROSS_BORDER_NOT_ADEQUATE'] } },
  },
  {
    name: 'a requester under no policy gets nothing',
    requester: TOKYO,
    purpose: 'TREAT',
    regions: ['eu-de', 'us-ma'],
    outcome: 'deny',
    expect: {
      'eu-de': { outcome: 'deny', code: 'POLICY_DENIED', reasons: ['NO_POLICY'] },
      'us-ma': { outcome: 'deny', code: 'POLICY_DENIED' },
    },
  },
  {
    name: 'a region under no policy is denied, the others answer (eu-de: same country, no consent needed)',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['ch-zh', 'eu-de'],
    outcome: 'partial',
    expect: {
      'ch-zh': { outcome: 'deny', code: 'POLICY_DENIED', reasons: ['NO_POLICY'] },
      'eu-de': { outcome: 'permit' },
    },
  },
  {
    name: 'US clinician over three regions without consent: only US data',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-de', 'eu-fr', 'us-ma'],
    outcome: 'partial',
    expect: {
      'eu-de': { outcome: 'deny', code: 'CONSENT_REQUIRED' },
      'eu-fr': { outcome: 'deny', code: 'CONSENT_REQUIRED' },
      'us-ma': { outcome: 'permit' },
    },
  },
  {
    name: 'US clinician over three regions with a US-destination consent',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-de', 'eu-fr', 'us-ma'],
    consents: [consent('c', { destinationsAllowed: ['US'] })],
    outcome: 'permit',
    expect: { 'eu-de': { outcome: 'permit' }, 'eu-fr': { outcome: 'permit' }, 'us-ma': { outcome: 'permit' } },
  },

  // Other purposes.
  {
    name: 'HPAYMT in the EU needs explicit consent',
    requester: CHARITE,
    purpose: 'HPAYMT',
    regions: ['eu-de'],
    expect: {
      'eu-de': {
        outcome: 'deny',
        code: 'CONSENT_REQUIRED',
        reasons: ['NO_CONSENT', 'CATEGORY_NOT_ALLOWED_FOR_PURPOSE'],
      },
    },
  },
  {
    name: 'HPAYMT in the EU with consent: minimum necessary',
    requester: CHARITE,
    purpose: 'HPAYMT',
    regions: ['eu-de'],
    consents: [
      consent('c', { purposes: ['HPAYMT'], grantee: { kind: 'organisation', organisationId: 'charite-berlin' } }),
    ],
    expect: {
      'eu-de': {
        outcome: 'partial',
        permit: ['patient', 'problems', 'procedures'],
        reasons: ['CATEGORY_NOT_ALLOWED_FOR_PURPOSE'],
      },
    },
  },
  {
    name: 'HPAYMT in the US: TPO without consent, minimum necessary',
    requester: MGH,
    purpose: 'HPAYMT',
    regions: ['us-ma'],
    expect: { 'us-ma': { outcome: 'partial', permit: ['patient', 'problems', 'procedures'] } },
  },
  {
    name: 'HPAYMT in the US asking only what is necessary',
    requester: MGH,
    purpose: 'HPAYMT',
    regions: ['us-ma'],
    categories: ['patient', 'procedures'],
    expect: { 'us-ma': { outcome: 'permit', permit: ['patient', 'procedures'] } },
  },
  {
    name: 'HPAYMT in the US asking only results',
    requester: MGH,
    purpose: 'HPAYMT',
    regions: ['us-ma'],
    categories: ['results'],
    expect: { 'us-ma': { outcome: 'deny', code: 'POLICY_DENIED', reasons: ['CATEGORY_NOT_ALLOWED_FOR_PURPOSE'] } },
  },
  {
    name: 'HOPERAT in the EU is consent-based under opt-in',
    requester: CHARITE,
    purpose: 'HOPERAT',
    regions: ['eu-de'],
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['NO_CONSENT'] } },
  },
  {
    name: 'HOPERAT in the EU with a permit',
    requester: CHARITE,
    purpose: 'HOPERAT',
    regions: ['eu-de'],
    consents: [consent('c', { purposes: ['HOPERAT'], grantee: { kind: 'jurisdiction', jurisdiction: 'DE' } })],
    expect: { 'eu-de': { outcome: 'partial', permit: ['patient', 'procedures', 'reports'] } },
  },
  {
    name: 'HOPERAT in the US: TPO',
    requester: MGH,
    purpose: 'HOPERAT',
    regions: ['us-ma'],
    expect: { 'us-ma': { outcome: 'partial', permit: ['patient', 'problems', 'procedures', 'reports'] } },
  },
  {
    name: 'HRESCH FR→DE without consent',
    requester: APHP,
    purpose: 'HRESCH',
    regions: ['eu-de'],
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['NO_CONSENT'] } },
  },
  {
    name: 'HRESCH with consent to EU researchers: no demographics',
    requester: APHP,
    purpose: 'HRESCH',
    regions: ['eu-de'],
    consents: [consent('r', { purposes: ['HRESCH'], grantee: { kind: 'jurisdiction', jurisdiction: 'EU' } })],
    expect: { 'eu-de': { outcome: 'partial', permit: RESEARCH, reasons: ['CATEGORY_NOT_ALLOWED_FOR_PURPOSE'] } },
  },
  {
    name: 'HRESCH with consent to results only',
    requester: APHP,
    purpose: 'HRESCH',
    regions: ['eu-de'],
    consents: [consent('r', { purposes: ['HRESCH'], categoriesAllowed: ['results'] })],
    expect: { 'eu-de': { outcome: 'partial', permit: ['results'], reasons: ['CATEGORY_NOT_IN_CONSENT'] } },
  },
  {
    name: 'HRESCH in the US needs authorization',
    requester: MGH,
    purpose: 'HRESCH',
    regions: ['us-ma'],
    expect: { 'us-ma': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['NO_CONSENT'] } },
  },
  {
    name: 'HRESCH EU→US with authorization but no destination',
    requester: MGH,
    purpose: 'HRESCH',
    regions: ['eu-fr'],
    consents: [consent('r', { purposes: ['HRESCH'] })],
    expect: { 'eu-fr': { outcome: 'deny', code: 'CONSENT_REQUIRED', reasons: ['CROSS_BORDER_NOT_ADEQUATE'] } },
  },
  {
    name: 'HRESCH EU→US with authorization and destination',
    requester: MGH,
    purpose: 'HRESCH',
    regions: ['eu-fr'],
    consents: [consent('r', { purposes: ['HRESCH'], destinationsAllowed: ['US'] })],
    expect: { 'eu-fr': { outcome: 'partial', permit: RESEARCH } },
  },
  {
    name: 'PUBHLTH in the EU: public interest, minimum necessary',
    requester: CHARITE,
    purpose: 'PUBHLTH',
    regions: ['eu-de'],
    expect: { 'eu-de': { outcome: 'partial', permit: ['patient', 'problems', 'immunizations', 'results'] } },
  },
  {
    name: 'PUBHLTH after an objection',
    requester: CHARITE,
    purpose: 'PUBHLTH',
    regions: ['eu-de'],
    consents: [objection('obj', { purposes: ['PUBHLTH'], grantee: { kind: 'jurisdiction', jurisdiction: 'EU' } })],
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REVOKED' } },
  },
  {
    name: 'PATRQT: the patient reads their own record, sensitive included',
    requester: THE_PATIENT,
    purpose: 'PATRQT',
    regions: ['eu-de'],
    labels: { 'eu-de': ['PSY', 'HIV', 'GDIS'] },
    expect: { 'eu-de': { outcome: 'permit', permit: ALL, labels: { PSY: 'permit', HIV: 'permit', GDIS: 'permit' } } },
  },
  {
    name: 'PATRQT across the Atlantic is no transfer to a third party',
    requester: THE_PATIENT,
    purpose: 'PATRQT',
    regions: ['us-ma', 'eu-fr'],
    labels: { 'us-ma': ['ETH'] },
    outcome: 'permit',
    expect: {
      'us-ma': { outcome: 'permit', regionReasons: ['CROSS_BORDER_EXEMPT'], labels: { ETH: 'permit' } },
      'eu-fr': { outcome: 'permit' },
    },
  },
  {
    name: 'PATRQT by a clinician is refused',
    requester: CHARITE,
    purpose: 'PATRQT',
    regions: ['eu-de'],
    expect: { 'eu-de': { outcome: 'deny', code: 'POLICY_DENIED', reasons: ['ROLE_NOT_ALLOWED', 'NOT_THE_PATIENT'] } },
  },
  {
    name: 'PATRQT by another patient is refused',
    requester: OTHER_PATIENT,
    purpose: 'PATRQT',
    regions: ['eu-de'],
    expect: { 'eu-de': { outcome: 'deny', code: 'POLICY_DENIED', reasons: ['NOT_THE_PATIENT'] } },
  },
  {
    name: 'ETREAT without break-glass: the emergency categories with results',
    requester: CHARITE,
    purpose: 'ETREAT',
    regions: ['eu-de'],
    expect: { 'eu-de': { outcome: 'partial', permit: ETREAT_CATEGORIES, breakGlass: false } },
    obligations: [],
  },

  // Sensitive labels.
  {
    // Was: outcome partial, "Withheld sensitive items: PSY" (GDPR Art. 9, EHDS Art. 8: telling is disclosing).
    name: 'DE→DE mental health withheld and hidden like HIV: the outcome stays permit',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    labels: { 'eu-de': ['PSY', 'HIV'] },
    expect: { 'eu-de': { outcome: 'permit', permit: ALL, labels: { PSY: 'hidden', HIV: 'hidden' } } },
  },
  {
    name: 'a hidden label alone leaves the outcome permit',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    labels: { 'eu-de': ['HIV'] },
    expect: { 'eu-de': { outcome: 'permit', labels: { HIV: 'hidden' } } },
  },
  {
    name: 'explicit consent to PSY and HIV releases them',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    labels: { 'eu-de': ['PSY', 'HIV'] },
    consents: [consent('s', { sensitiveAllowed: ['PSY', 'HIV'] })],
    expect: { 'eu-de': { outcome: 'permit', labels: { PSY: 'permit', HIV: 'permit' } } },
    consentsUsed: ['s'],
  },
  {
    name: 'explicit consent to PSY revoked: withheld, citing the revocation',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    labels: { 'eu-de': ['PSY'] },
    consents: [revoked(consent('s', { sensitiveAllowed: ['PSY'] }))],
    expect: { 'eu-de': { outcome: 'permit', labels: { PSY: 'hidden' } } },
    consentsUsed: ['s'],
  },
  {
    name: 'US substance use (42 CFR Part 2) withheld without consent',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['us-ma'],
    labels: { 'us-ma': ['ETH'] },
    // Was reported; 42 CFR 2.13(c): acknowledging a substance-use record is a disclosure.
    expect: { 'us-ma': { outcome: 'permit', permit: ALL, labels: { ETH: 'hidden' } } },
  },
  {
    name: 'US genetic data needs nothing more for a US clinician',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['us-ma'],
    labels: { 'us-ma': ['GDIS', 'SEX', 'HIV'] },
    expect: { 'us-ma': { outcome: 'permit', labels: { GDIS: 'permit', SEX: 'permit', HIV: 'permit' } } },
  },
  {
    name: 'US genetic data to a German clinician: the requester side (EU/DE) needs consent',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['us-ma'],
    labels: { 'us-ma': ['GDIS'] },
    expect: { 'us-ma': { outcome: 'permit', labels: { GDIS: 'hidden' } } },
  },
  {
    name: 'labels of unknown presence are judged but do not change the outcome',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    expect: {
      'eu-de': {
        outcome: 'permit',
        labels: {
          PSY: 'hidden',
          HIV: 'hidden',
          GDIS: 'hidden',
          ETH: 'hidden',
          SEX: 'hidden',
          R: 'hidden',
          V: 'hidden',
        },
      },
    },
  },
  {
    name: 'a denied region withholds every label',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    labels: { 'eu-de': ['PSY', 'HIV'] },
    consents: [objection('obj')],
    expect: { 'eu-de': { outcome: 'deny', labels: { PSY: 'hidden', HIV: 'hidden' } } },
  },
  {
    name: 'a permit restricting PSY (labelsDenied) withholds it although the patient consented to everything else',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    labels: { 'eu-de': ['PSY', 'HIV'] },
    consents: [consent('s', { sensitiveAllowed: ['HIV'], labelsDenied: ['PSY'] })],
    expect: { 'eu-de': { outcome: 'permit', permit: ALL, labels: { PSY: 'hidden', HIV: 'permit' } } },
    consentsUsed: ['s'],
  },
  {
    name: 'labelsDenied binds where the policy needs no consent for the label (US HIV)',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['us-ma'],
    labels: { 'us-ma': ['HIV', 'GDIS'] },
    consents: [consent('s', { grantee: { kind: 'any_treating_provider' }, labelsDenied: ['HIV'] })],
    expect: { 'us-ma': { outcome: 'permit', permit: ALL, labels: { HIV: 'hidden', GDIS: 'permit' } } },
    consentsUsed: ['s'],
  },
  {
    name: 'confidentiality R needs explicit consent to the label; V stays withheld without it',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    labels: { 'eu-de': ['R', 'V'] },
    consents: [consent('s', { sensitiveAllowed: ['R'] })],
    expect: { 'eu-de': { outcome: 'permit', permit: ALL, labels: { R: 'permit', V: 'hidden' } } },
    consentsUsed: ['s'],
  },
  {
    name: 'a label is hidden when either side hides it',
    requester: MGH,
    purpose: 'TREAT',
    regions: ['eu-de'],
    labels: { 'eu-de': ['PSY'] },
    expect: { 'eu-de': { outcome: 'deny', labels: { PSY: 'hidden' } } },
  },

  // Break-glass.
  {
    name: 'break-glass DE→DE without consent: never less than treatment, with its obligations',
    requester: CHARITE,
    purpose: 'ETREAT',
    regions: ['eu-de'],
    breakGlass: GLASS,
    expect: {
      'eu-de': {
        outcome: 'permit',
        permit: ALL,
        breakGlass: true,
        regionReasons: ['BREAK_GLASS'],
      },
    },
    obligations: ['notify_patient', 'post_hoc_review', 'expires@2025-06-01T14:00:00.000Z'],
  },
  {
    name: 'break-glass asking only the subset is a full permit',
    requester: CHARITE,
    purpose: 'ETREAT',
    regions: ['eu-fr'],
    categories: EMERGENCY,
    breakGlass: GLASS,
    outcome: 'permit',
    expect: { 'eu-fr': { outcome: 'permit', permit: EMERGENCY, breakGlass: true } },
  },
  {
    name: 'break-glass sets an objection aside (vital interests)',
    requester: CHARITE,
    purpose: 'ETREAT',
    regions: ['eu-de'],
    categories: EMERGENCY,
    consents: [objection('obj')],
    breakGlass: GLASS,
    expect: { 'eu-de': { outcome: 'permit' } },
    consentsUsed: ['obj'],
  },
  {
    name: 'without break-glass the same objection denies emergency treatment',
    requester: CHARITE,
    purpose: 'ETREAT',
    regions: ['eu-de'],
    categories: EMERGENCY,
    consents: [objection('obj')],
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REVOKED' } },
  },
  {
    name: 'break-glass EU→US: vital-interests derogation, obligations of both sides',
    requester: MGH,
    purpose: 'ETREAT',
    regions: ['eu-de'],
    categories: EMERGENCY,
    breakGlass: GLASS,
    expect: { 'eu-de': { outcome: 'permit', regionReasons: ['CROSS_BORDER_BREAK_GLASS'] } },
    obligations: ['notify_patient', 'post_hoc_review', 'notify_privacy_officer', 'expires@2025-06-01T14:00:00.000Z'],
  },
  {
    name: 'break-glass without justification is an ordinary request',
    requester: MGH,
    purpose: 'ETREAT',
    regions: ['eu-de'],
    breakGlass: { justification: '  ' },
    expect: {
      'eu-de': { outcome: 'deny', code: 'CONSENT_REQUIRED', breakGlass: false, regionReasons: ['BREAK_GLASS_REFUSED'] },
    },
    obligations: [],
  },
  {
    name: 'break-glass by an auditor is refused',
    requester: AUDITOR,
    purpose: 'ETREAT',
    regions: ['eu-de'],
    breakGlass: GLASS,
    expect: { 'eu-de': { outcome: 'deny', code: 'POLICY_DENIED', reasons: ['ROLE_NOT_ALLOWED'], breakGlass: false } },
    obligations: [],
  },
  {
    name: 'break-glass for routine treatment is refused; treatment goes on as usual',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de'],
    breakGlass: GLASS,
    expect: { 'eu-de': { outcome: 'permit', breakGlass: false, regionReasons: ['BREAK_GLASS_REFUSED'] } },
    obligations: [],
  },
  {
    name: 'break-glass past its window is refused',
    requester: MGH,
    purpose: 'ETREAT',
    regions: ['eu-de'],
    categories: EMERGENCY,
    breakGlass: { ...GLASS, startedAt: hoursAgo(5) },
    expect: { 'eu-de': { outcome: 'deny', code: 'CONSENT_REQUIRED', breakGlass: false } },
  },
  {
    name: 'break-glass inside its window expires with the window',
    requester: MGH,
    purpose: 'ETREAT',
    regions: ['eu-de'],
    categories: EMERGENCY,
    breakGlass: { ...GLASS, startedAt: hoursAgo(3) },
    expect: { 'eu-de': { outcome: 'permit', breakGlass: true } },
    obligations: ['notify_patient', 'post_hoc_review', 'notify_privacy_officer', 'expires@2025-06-01T11:00:00.000Z'],
  },
  {
    name: 'break-glass on FR data releases genetic data (EU: vital interests)',
    requester: APHP,
    purpose: 'ETREAT',
    regions: ['eu-fr'],
    categories: EMERGENCY,
    labels: { 'eu-fr': ['GDIS', 'PSY'] },
    breakGlass: GLASS,
    expect: { 'eu-fr': { outcome: 'permit', labels: { GDIS: 'permit', PSY: 'permit' } } },
  },
  {
    name: 'DE overlay: break-glass on DE data still withholds genetic data',
    requester: CHARITE,
    purpose: 'ETREAT',
    regions: ['eu-de'],
    categories: EMERGENCY,
    labels: { 'eu-de': ['GDIS', 'PSY'] },
    breakGlass: GLASS,
    expect: { 'eu-de': { outcome: 'permit', labels: { GDIS: 'hidden', PSY: 'permit' } } },
  },
  {
    name: 'DE overlay: a French clinician breaking the glass on DE data',
    requester: APHP,
    purpose: 'ETREAT',
    regions: ['eu-de'],
    categories: EMERGENCY,
    labels: { 'eu-de': ['GDIS'] },
    breakGlass: GLASS,
    expect: { 'eu-de': { outcome: 'permit', labels: { GDIS: 'hidden' } } },
  },
  {
    name: 'DE overlay: a German clinician breaking the glass on FR data',
    requester: CHARITE,
    purpose: 'ETREAT',
    regions: ['eu-fr'],
    categories: EMERGENCY,
    labels: { 'eu-fr': ['GDIS'] },
    breakGlass: GLASS,
    expect: { 'eu-fr': { outcome: 'permit', labels: { GDIS: 'hidden' } } },
  },
  {
    name: 'DE overlay: explicit GDIS consent for treatment releases it in an emergency',
    requester: CHARITE,
    purpose: 'ETREAT',
    regions: ['eu-de'],
    categories: EMERGENCY,
    labels: { 'eu-de': ['GDIS'] },
    consents: [consent('g', { sensitiveAllowed: ['GDIS'] })],
    breakGlass: GLASS,
    expect: { 'eu-de': { outcome: 'permit', labels: { GDIS: 'permit' } } },
    consentsUsed: ['g'],
  },
  {
    name: 'DE overlay: without break-glass genetic data needs consent as anywhere in the EU (FR data: member-state consent given)',
    requester: CHARITE,
    purpose: 'TREAT',
    regions: ['eu-de', 'eu-fr'],
    labels: { 'eu-de': ['GDIS'], 'eu-fr': ['GDIS'] },
    consents: [EU_TREAT('c')],
    expect: {
      'eu-de': { outcome: 'permit', labels: { GDIS: 'hidden' } },
      'eu-fr': { outcome: 'permit', labels: { GDIS: 'hidden' } },
    },
  },
  {
    name: 'break-glass in the EU keeps sexual health for explicit consent',
    requester: APHP,
    purpose: 'ETREAT',
    regions: ['eu-fr'],
    categories: EMERGENCY,
    labels: { 'eu-fr': ['SEX'] },
    breakGlass: GLASS,
    expect: { 'eu-fr': { outcome: 'permit', labels: { SEX: 'hidden' } } },
  },
  {
    name: 'break-glass in the US never releases psychotherapy notes',
    requester: MGH,
    purpose: 'ETREAT',
    regions: ['us-ma'],
    categories: EMERGENCY,
    labels: { 'us-ma': ['PSY'] },
    breakGlass: GLASS,
    expect: { 'us-ma': { outcome: 'permit', labels: { PSY: 'hidden' } } },
  },
  {
    name: 'break-glass in the US gives psychotherapy notes only as treatment would: with the authorisation',
    requester: MGH,
    purpose: 'ETREAT',
    regions: ['us-ma'],
    categories: EMERGENCY,
    labels: { 'us-ma': ['PSY'] },
    consents: [consent('p', { sensitiveAllowed: ['PSY'] })],
    breakGlass: GLASS,
    expect: { 'us-ma': { outcome: 'permit', labels: { PSY: 'permit' }, breakGlass: true } },
  },
  {
    name: 'break-glass in the US releases substance use records (42 CFR 2.51)',
    requester: MGH,
    purpose: 'ETREAT',
    regions: ['us-ma'],
    categories: EMERGENCY,
    labels: { 'us-ma': ['ETH'] },
    breakGlass: GLASS,
    expect: { 'us-ma': { outcome: 'permit', labels: { ETH: 'permit' } } },
    obligations: ['post_hoc_review', 'notify_privacy_officer', 'expires@2025-06-01T18:00:00.000Z'],
  },
];

// ---- running a row ------------------------------------------------------------------------

function requestOf(row: Row): DecisionRequest {
  return {
    requester: row.requester,
    purpose: row.purpose,
    patientId: PATIENT,
    regions: row.regions.map((region) => ({ region, jurisdiction: REGIONS[region] })),
    ...(row.categories && { categories: row.categories }),
    ...(row.labels && { sensitivityPresent: row.labels }),
    ...(row.breakGlass && { breakGlass: row.breakGlass }),
    at: NOW,
  };
}

function labelState(region: RegionDecision, label: SensitivityLabel): LabelState | undefined {
  const verdict = region.sensitive.find((s) => s.label === label);
  if (!verdict) return undefined;
  if (verdict.effect === 'permit') return 'permit';
  return verdict.hidden ? 'hidden' : 'reported';
}

function checkRegion(region: RegionDecision, want: RegionExpectation): void {
  expect(region.outcome, region.message).toBe(want.outcome);
  if ('code' in want || want.outcome !== 'deny') expect(region.code).toBe(want.code);
  else expect(region.code).toBeDefined();
  if (want.permit) {
    expect(region.categories.filter((c) => c.effect === 'permit').map((c) => c.category)).toEqual(want.permit);
  }
  const denialCodes = region.categories.filter((c) => c.effect === 'deny').flatMap((c) => c.reasons.map((r) => r.code));
  for (const code of want.reasons ?? []) expect(denialCodes).toContain(code);
  for (const code of want.regionReasons ?? []) expect(region.reasons.map((r) => r.code)).toContain(code);
  for (const [label, state] of Object.entries(want.labels ?? {})) {
    expect(labelState(region, label as SensitivityLabel), label).toBe(state);
  }
  if (want.breakGlass !== undefined) expect(region.breakGlass).toBe(want.breakGlass);
  if (want.message) expect(region.message).toMatch(want.message);
  // Every deny carries a denial reason; every permit carries none.
  for (const c of region.categories) {
    expect(c.reasons.length).toBeGreaterThan(0);
    expect(c.reasons.every(isDenial)).toBe(c.effect === 'deny');
  }
}

describe('decide: a purpose whose policy requires a care relationship', () => {
  const eu = POLICIES.find((p) => p.jurisdiction === 'EU');
  if (eu === undefined || eu.extends !== undefined) throw new Error('the EU policy is a root policy');
  const strict = parsePolicyDocument({
    ...eu,
    version: 'care-test',
    rules: {
      ...eu.rules,
      purposes: { ...eu.rules.purposes, TREAT: { ...eu.rules.purposes.TREAT, careRelationship: true } },
      careRelationships: { episodeDays: 7 },
    },
  });
  const policies = [strict, ...POLICIES.filter((p) => p.jurisdiction !== 'EU')];
  const asked = (row: Partial<Row>): DecisionRequest =>
    requestOf({ name: '', requester: CHARITE, purpose: 'TREAT', regions: ['eu-de'], expect: {}, ...row });

  it('refuses an organisation without one even where no consent is needed, and says what would help', () => {
    const decision = decide(asked({}), { policies, consents: [] });
    const region = decision.regions[0];
    expect(region?.outcome).toBe('deny');
    expect(region?.code).toBe('CONSENT_REQUIRED');
    expect(region?.categories[0]?.reasons.map((r) => r.code)).toEqual(['CARE_RELATIONSHIP_REQUIRED']);
  });

  it('permits the organisation with one, and break-glass without one', () => {
    expect(decide(asked({}), { policies, consents: [], careRelationships: treatedBy(CHARITE) }).outcome).toBe('permit');
    const glass = asked({ purpose: 'ETREAT', categories: EMERGENCY, breakGlass: GLASS });
    expect(decide(glass, { policies, consents: [] }).outcome).toBe('permit');
  });

  it("judges the relationship's episode at the request's instant", () => {
    const over = treatedBy(CHARITE).map((r) => ({ ...r, expiresAt: hoursAgo(1) }));
    expect(decide(asked({}), { policies, consents: [], careRelationships: over }).outcome).toBe('deny');
    const other = treatedBy(APHP);
    expect(decide(asked({}), { policies, consents: [], careRelationships: other }).outcome).toBe('deny');
  });
});

describe('decide: scenarios over the shipped policies', () => {
  it('has enough scenarios', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(ROWS.map((r) => r.name)).size).toBe(ROWS.length);
  });

  it.each(ROWS.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const decision = decide(requestOf(row), {
      policies: POLICIES,
      consents: row.consents ?? [],
      careRelationships: row.untreated ? [] : treatedBy(row.requester),
    });
    expect(decision.regions.map((r) => r.region)).toEqual(row.regions);
    for (const region of decision.regions) {
      const want = row.expect[region.region as RegionId];
      if (want) checkRegion(region, want);
    }
    if (row.outcome) expect(decision.outcome).toBe(row.outcome);
    if (row.obligations) {
      const got = decision.obligations.map((o) => (o.kind === 'expires' ? `expires@${o.at.toISOString()}` : o.kind));
      expect(got).toEqual(row.obligations);
      expect(decision.breakGlass).toBe(row.obligations.length > 0);
    }
    if (row.consentsUsed) expect(decision.consentsUsed.map((c) => c.id)).toEqual(row.consentsUsed);
  });
});
