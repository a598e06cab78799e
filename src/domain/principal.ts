import type { PurposeOfUse } from './purpose.js';

/** `integration`: an organisation's interface engine, which pushes FHIR bundles (importBundle) and reads nothing. */
export const ROLES = ['clinician', 'compliance_officer', 'patient', 'auditor', 'integration'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking: established from a verified bearer token, never from request input. */
export interface Principal {
  /** Token subject: the user at the organisation. */
  readonly subject: string;
  readonly organisationId: string;
  /** Jurisdiction of the organisation, e.g. DE, FR, US-MA. */
  readonly jurisdiction: string;
  readonly roles: readonly Role[];
  /** Global patient id, for principals acting as a patient. */
  readonly patientId?: string;
  /**
   * The purpose of use the token is bound to (IHE IUA `extensions.ihe_iua.purpose_of_use`):
   * when set, every request made with the token must be for this purpose.
   */
  readonly purposeOfUse?: PurposeOfUse;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function hasRole(principal: Principal, ...roles: readonly Role[]): boolean {
  return principal.roles.some((r) => roles.includes(r));
}
