import type { Category, SensitivityLabel } from '../fhir.js';
import type { PurposeOfUse } from '../purpose.js';
import type { LegalBasis } from './policy-vocabulary.js';

/** Why a break-glass request was evaluated as an ordinary one. */
export type BreakGlassRefusal =
  'justification_missing' | 'not_allowed' | 'purpose_not_allowed' | 'role_not_allowed' | 'expired';

/** The parameters of every reason, by code. Parameters are ids and codes, never clinical data. */
export interface ReasonParams {
  // Policy: no consent can change these.
  NO_POLICY: { jurisdiction: string };
  POLICY_AMBIGUOUS: { jurisdiction: string };
  POLICY_CHAIN_BROKEN: { jurisdiction: string; missing: string };
  PURPOSE_NOT_ALLOWED: { purpose: PurposeOfUse; jurisdiction: string };
  ROLE_NOT_ALLOWED: { purpose: PurposeOfUse; jurisdiction: string };
  NOT_THE_PATIENT: { purpose: PurposeOfUse };
  CATEGORY_NOT_ALLOWED_FOR_PURPOSE: { category: Category; purpose: PurposeOfUse; jurisdiction: string };
  BREAK_GLASS_SUBSET: { category: Category; jurisdiction: string };
  CROSS_BORDER_DENIED: { from: string; to: string };
  SENSITIVE_DENIED: { label: SensitivityLabel; jurisdiction: string };
  SENSITIVE_NEVER_CROSS_BORDER: { label: SensitivityLabel; from: string; to: string };
  SENSITIVE_WITHHELD_IN_BREAK_GLASS: { label: SensitivityLabel; jurisdiction: string };
  REGION_DENIED: { region: string };
  // Consent required: a (new) consent of the patient would change these.
  NO_CONSENT: { purpose: PurposeOfUse };
  CONSENT_EXPIRED: { consentId: string };
  CONSENT_NOT_YET_VALID: { consentId: string };
  CATEGORY_NOT_IN_CONSENT: { category: Category };
  CROSS_BORDER_NOT_ADEQUATE: { from: string; to: string };
  CROSS_BORDER_NEEDS_CONSENT: { from: string; to: string; family: string };
  SENSITIVE_REQUIRES_EXPLICIT_CONSENT: { label: SensitivityLabel };
  /** The purpose, or the patient's consent to treating providers, needs a care relationship the requester lacks. */
  CARE_RELATIONSHIP_REQUIRED: { purpose: PurposeOfUse };
  // Consent revoked: the patient withdrew or objected.
  CONSENT_REVOKED: { consentId: string };
  PATIENT_OBJECTION: { consentId: string };
  CONSENT_EXCLUDES_CATEGORY: { consentId: string; category: Category };
  CONSENT_EXCLUDES_LABEL: { consentId: string; label: SensitivityLabel };
  // Grounds of a permit, and facts worth recording.
  PERMITTED: { purpose: PurposeOfUse; jurisdiction: string; legalBasis: readonly LegalBasis[] };
  CONSENT_GIVEN: { consentId: string };
  OBJECTION_OVERRIDDEN: { consentId: string };
  CROSS_BORDER_ADEQUATE: { from: string; to: string };
  CROSS_BORDER_ALLOWED: { from: string; to: string };
  CROSS_BORDER_EXEMPT: { purpose: PurposeOfUse };
  CROSS_BORDER_BREAK_GLASS: { from: string; to: string };
  BREAK_GLASS: { expiresAt: string };
  BREAK_GLASS_REFUSED: { why: BreakGlassRefusal; jurisdiction?: string };
  SENSITIVE_ALLOWED: { label: SensitivityLabel };
  SENSITIVE_EXEMPT_FOR_PURPOSE: { label: SensitivityLabel; purpose: PurposeOfUse };
  SENSITIVE_EXPLICIT_CONSENT: { label: SensitivityLabel; consentId: string };
  SENSITIVE_RELEASED_IN_BREAK_GLASS: { label: SensitivityLabel };
}

export type ReasonCode = keyof ReasonParams;

/** A reason with one code. */
export type ReasonOf<C extends ReasonCode> = { readonly code: C } & Readonly<ReasonParams[C]>;

/** A machine-readable reason: a stable code and its parameters. */
export type Reason = { [C in ReasonCode]: ReasonOf<C> }[ReasonCode];

/**
 * How a reason bears on a denial: `policy` (nothing the patient can do), `consent_required`
 * (a consent would help), `consent_revoked` (the patient withdrew or objected), `ground` (not a denial).
 */
export type ReasonFamily = 'policy' | 'consent_required' | 'consent_revoked' | 'ground';

const FAMILY: Readonly<Record<ReasonCode, ReasonFamily>> = {
  NO_POLICY: 'policy',
  POLICY_AMBIGUOUS: 'policy',
  POLICY_CHAIN_BROKEN: 'policy',
  PURPOSE_NOT_ALLOWED: 'policy',
  ROLE_NOT_ALLOWED: 'policy',
  NOT_THE_PATIENT: 'policy',
  CATEGORY_NOT_ALLOWED_FOR_PURPOSE: 'policy',
  BREAK_GLASS_SUBSET: 'policy',
  CROSS_BORDER_DENIED: 'policy',
  SENSITIVE_DENIED: 'policy',
  SENSITIVE_NEVER_CROSS_BORDER: 'policy',
  SENSITIVE_WITHHELD_IN_BREAK_GLASS: 'policy',
  REGION_DENIED: 'policy',
  NO_CONSENT: 'consent_required',
  CONSENT_EXPIRED: 'consent_required',
  CONSENT_NOT_YET_VALID: 'consent_required',
  CATEGORY_NOT_IN_CONSENT: 'consent_required',
  CROSS_BORDER_NOT_ADEQUATE: 'consent_required',
  CROSS_BORDER_NEEDS_CONSENT: 'consent_required',
  SENSITIVE_REQUIRES_EXPLICIT_CONSENT: 'consent_required',
  CARE_RELATIONSHIP_REQUIRED: 'consent_required',
  CONSENT_REVOKED: 'consent_revoked',
  PATIENT_OBJECTION: 'consent_revoked',
  CONSENT_EXCLUDES_CATEGORY: 'consent_revoked',
  CONSENT_EXCLUDES_LABEL: 'consent_revoked',
  PERMITTED: 'ground',
  CONSENT_GIVEN: 'ground',
  OBJECTION_OVERRIDDEN: 'ground',
  CROSS_BORDER_ADEQUATE: 'ground',
  CROSS_BORDER_ALLOWED: 'ground',
  CROSS_BORDER_EXEMPT: 'ground',
  CROSS_BORDER_BREAK_GLASS: 'ground',
  BREAK_GLASS: 'ground',
  BREAK_GLASS_REFUSED: 'ground',
  SENSITIVE_ALLOWED: 'ground',
  SENSITIVE_EXEMPT_FOR_PURPOSE: 'ground',
  SENSITIVE_EXPLICIT_CONSENT: 'ground',
  SENSITIVE_RELEASED_IN_BREAK_GLASS: 'ground',
};

export function familyOf(reason: Reason): ReasonFamily {
  return FAMILY[reason.code];
}

/** True for reasons that deny; the others are grounds of a permit. */
export function isDenial(reason: Reason): boolean {
  return FAMILY[reason.code] !== 'ground';
}

/** The consent a reason cites, if any: those consents are the ones a decision used. */
export function citedConsent(reason: Reason): string | undefined {
  return 'consentId' in reason ? reason.consentId : undefined;
}
