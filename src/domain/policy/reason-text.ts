import { SENSITIVITY_DESCRIPTIONS } from '../fhir.js';
import type { BreakGlassRefusal, ReasonCode, ReasonOf } from './reason.js';

type Describers = { readonly [C in ReasonCode]: (reason: ReasonOf<C>) => string };

const REFUSAL: Readonly<Record<BreakGlassRefusal, string>> = {
  justification_missing: 'no justification was given',
  not_allowed: 'the policy allows no break-glass',
  purpose_not_allowed: 'the purpose does not allow break-glass',
  role_not_allowed: "the requester's role may not break the glass",
  expired: 'the break-glass window has expired',
};

const label = (l: keyof typeof SENSITIVITY_DESCRIPTIONS): string => `${SENSITIVITY_DESCRIPTIONS[l]} (${l})`;

// Texts for people: a requester, a patient, a compliance officer. Codes stay the contract.
// No text names a consent: which consent a patient gave or withdrew is theirs, not the requester's;
// the reason itself keeps the id for the audit log.
const DESCRIBE: Describers = {
  NO_POLICY: (r) => `no policy governs jurisdiction ${r.jurisdiction}`,
  POLICY_AMBIGUOUS: (r) => `more than one policy claims jurisdiction ${r.jurisdiction}`,
  POLICY_CHAIN_BROKEN: (r) => `the policy of ${r.jurisdiction} extends ${r.missing}, which is not active`,
  PURPOSE_NOT_ALLOWED: (r) => `the ${r.jurisdiction} policy does not allow purpose ${r.purpose}`,
  ROLE_NOT_ALLOWED: (r) => `the ${r.jurisdiction} policy does not allow the requester's role to use ${r.purpose}`,
  NOT_THE_PATIENT: (r) => `only the patient themself may use ${r.purpose}`,
  CATEGORY_NOT_ALLOWED_FOR_PURPOSE: (r) =>
    `${r.category} is not necessary for ${r.purpose} under the ${r.jurisdiction} policy`,
  BREAK_GLASS_SUBSET: (r) => `${r.category} is outside the ${r.jurisdiction} emergency subset`,
  CROSS_BORDER_DENIED: (r) => `transfers from ${r.from} to ${r.to} are not allowed`,
  SENSITIVE_DENIED: (r) => `${label(r.label)} data is never disclosed under the ${r.jurisdiction} policy`,
  SENSITIVE_NEVER_CROSS_BORDER: (r) => `${label(r.label)} data never leaves ${r.from} for ${r.to}`,
  SENSITIVE_WITHHELD_IN_BREAK_GLASS: (r) =>
    `${label(r.label)} data is withheld under break-glass by the ${r.jurisdiction} policy`,
  REGION_DENIED: (r) => `nothing in ${r.region} may be disclosed`,
  NO_CONSENT: (r) => `no consent of the patient covers ${r.purpose} for this requester`,
  CONSENT_EXPIRED: () => `the patient's consent has expired`,
  CONSENT_NOT_YET_VALID: () => `the patient's consent is not valid yet`,
  CATEGORY_NOT_IN_CONSENT: (r) => `the patient's consent does not include ${r.category}`,
  CROSS_BORDER_NOT_ADEQUATE: (r) =>
    `${r.to} has no adequacy decision for data from ${r.from}: the patient's explicit consent is needed`,
  CROSS_BORDER_NEEDS_CONSENT: (r) =>
    `cross-border exchange from ${r.from} to ${r.to} within the ${r.family} needs the patient's consent`,
  SENSITIVE_REQUIRES_EXPLICIT_CONSENT: (r) => `${label(r.label)} data needs the patient's explicit consent`,
  CARE_RELATIONSHIP_REQUIRED: (r) =>
    `${r.purpose} needs a care relationship with the patient: open one with the access code the patient gives you`,
  CONSENT_REVOKED: () => 'the patient withdrew their consent',
  PATIENT_OBJECTION: () => 'the patient objected',
  CONSENT_EXCLUDES_CATEGORY: (r) => `the patient excluded ${r.category}`,
  CONSENT_EXCLUDES_LABEL: (r) => `the patient excluded ${label(r.label)} items`,
  PERMITTED: (r) => `${r.purpose} is allowed under the ${r.jurisdiction} policy (${r.legalBasis.join(', ')})`,
  CONSENT_GIVEN: () => 'the patient consented',
  OBJECTION_OVERRIDDEN: () => "the patient's objection is set aside under break-glass",
  CROSS_BORDER_ADEQUATE: (r) => `${r.to} is adequate for data from ${r.from}`,
  CROSS_BORDER_ALLOWED: (r) => `transfers from ${r.from} to ${r.to} need nothing more`,
  CROSS_BORDER_EXEMPT: (r) => `${r.purpose} is not a transfer to a third party`,
  CROSS_BORDER_BREAK_GLASS: (r) => `transfer from ${r.from} to ${r.to} is allowed to protect vital interests`,
  BREAK_GLASS: (r) => `emergency access until ${r.expiresAt}`,
  BREAK_GLASS_REFUSED: (r) => `break-glass refused: ${REFUSAL[r.why]}; evaluated as an ordinary request`,
  SENSITIVE_ALLOWED: (r) => `${label(r.label)} data needs nothing more`,
  SENSITIVE_EXEMPT_FOR_PURPOSE: (r) => `${label(r.label)} rules do not apply to ${r.purpose}`,
  SENSITIVE_EXPLICIT_CONSENT: (r) => `the patient explicitly consented to ${label(r.label)} data`,
  SENSITIVE_RELEASED_IN_BREAK_GLASS: (r) => `${label(r.label)} data is released to protect vital interests`,
};

/** A sentence explaining one reason. */
export function describeReason<C extends ReasonCode>(reason: ReasonOf<C>): string {
  const describe: (r: ReasonOf<C>) => string = DESCRIBE[reason.code];
  return describe(reason);
}
