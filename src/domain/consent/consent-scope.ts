import { CATEGORIES, type Category, type SensitivityLabel } from '../fhir.js';
import type { Role } from '../principal.js';
import { namesJurisdiction } from '../policy/jurisdiction.js';
import type { Consent, ConsentGrantee } from './consent.js';

/** Who is asking, as consent matching needs it. */
export interface ConsentRequester {
  readonly organisationId: string;
  readonly jurisdiction: string;
  readonly roles: readonly Role[];
  /** Policy families of the requester's jurisdiction, e.g. [EU, DE]. */
  readonly families: readonly string[];
  /** The requester's organisation has a care relationship with the patient in force. */
  readonly treating: boolean;
}

/** True when the grantee names the requester. */
export function granteeMatches(grantee: ConsentGrantee, requester: ConsentRequester): boolean {
  switch (grantee.kind) {
    case 'organisation':
      return grantee.organisationId === requester.organisationId;
    case 'jurisdiction':
      return namesJurisdiction(grantee.jurisdiction, requester.jurisdiction, requester.families);
    case 'any_treating_provider':
      return requester.roles.includes('clinician') && requester.treating;
  }
}

/** The categories a consent speaks of: allowed (or all) minus denied. */
export function consentCovers(consent: Consent, category: Category): boolean {
  const allowed = consent.categoriesAllowed ?? CATEGORIES;
  return allowed.includes(category) && !(consent.categoriesDenied ?? []).includes(category);
}

/** True when a permit explicitly excludes the category: an exclusion binds even where no consent is needed. */
export function consentExcludes(consent: Consent, category: Category): boolean {
  return consent.kind === 'permit' && (consent.categoriesDenied ?? []).includes(category);
}

/** True when the consent keeps the label back from whoever it speaks to. */
export function consentDeniesLabel(consent: Consent, label: SensitivityLabel): boolean {
  return (consent.labelsDenied ?? []).includes(label);
}

export function consentAllowsLabel(consent: Consent, label: SensitivityLabel): boolean {
  return (consent.sensitiveAllowed ?? []).includes(label);
}

/** True when the consent lets data leave its policy family for the requester's jurisdiction. */
export function consentAllowsDestination(consent: Consent, requester: ConsentRequester): boolean {
  return (consent.destinationsAllowed ?? []).some((d) =>
    namesJurisdiction(d, requester.jurisdiction, requester.families),
  );
}

/** In force at `at`: validFrom ≤ at < validUntil. */
export function inForceAt(consent: Consent, at: Date): 'in_force' | 'expired' | 'not_yet_valid' {
  if (at < consent.validFrom) return 'not_yet_valid';
  if (consent.validUntil !== undefined && at >= consent.validUntil) return 'expired';
  return 'in_force';
}
