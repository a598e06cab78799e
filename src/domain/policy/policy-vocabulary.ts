/**
 * The words a policy document is written in. Lists that carry an order run from the
 * loosest to the strictest value: merging a chain keeps the strictest (see effective-policy.ts).
 */

/** The format tag every policy document carries, so the format can evolve. */
export const POLICY_FORMAT = 'meridian-policy/1';

/** The lawful basis a purpose rests on (GDPR Art. 6/9, HIPAA §164.506, ...). */
export const LEGAL_BASES = [
  'consent',
  'vital_interests',
  'healthcare_professional_secrecy',
  'treatment_payment_operations',
  'public_interest',
  'research_with_safeguards',
  'patient_request',
  'legal_obligation',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/**
 * What a purpose whose legal basis is `consent` does when the patient has no consent on file:
 * `opt_in` refuses it, `opt_out` allows it unless the patient objected.
 */
export const CONSENT_DEFAULTS = ['opt_out', 'opt_in'] as const;
export type ConsentDefault = (typeof CONSENT_DEFAULTS)[number];

/** What items carrying a sensitivity label need beyond what their category needs. */
export const SENSITIVE_REQUIREMENTS = ['explicit_consent', 'never_cross_border', 'deny'] as const;
export type SensitiveRequirement = (typeof SENSITIVE_REQUIREMENTS)[number];

/** Whether a withheld labelled item is reported as withheld, or not revealed to exist. */
export const WITHHELD_VISIBILITY = ['reported', 'hidden'] as const;
export type WithheldVisibility = (typeof WITHHELD_VISIBILITY)[number];

/**
 * A label under break-glass: `release` waives its explicit-consent requirement (vital
 * interests), `explicit_consent` still needs the patient's explicit consent, `withhold`
 * never releases it in an emergency.
 */
export const BREAK_GLASS_SENSITIVE = ['release', 'explicit_consent', 'withhold'] as const;
export type BreakGlassSensitive = (typeof BREAK_GLASS_SENSITIVE)[number];

/** What a transfer to a destination without an adequacy decision needs. */
export const TRANSFER_REQUIREMENTS = ['allow', 'explicit_consent', 'deny'] as const;
export type TransferRequirement = (typeof TRANSFER_REQUIREMENTS)[number];

/**
 * What an exchange between two countries of one policy family needs (DE → FR within the EU):
 * `allow` treats it as no transfer; `explicit_consent` needs a permit of the patient
 * speaking to the requester (MyHealth@EU: a patient summary crosses a border with consent).
 */
export const WITHIN_FAMILY_REQUIREMENTS = ['allow', 'explicit_consent'] as const;
export type WithinFamilyRequirement = (typeof WITHIN_FAMILY_REQUIREMENTS)[number];

/** Duties a permit under break-glass puts on the gateway and the requester. */
export const OBLIGATION_KINDS = ['notify_patient', 'post_hoc_review', 'notify_privacy_officer'] as const;
export type ObligationKind = (typeof OBLIGATION_KINDS)[number];

/** The stricter of two values of an ordered vocabulary. */
export function stricter<T extends string>(order: readonly T[], a: T, b: T): T {
  return order.indexOf(a) >= order.indexOf(b) ? a : b;
}
