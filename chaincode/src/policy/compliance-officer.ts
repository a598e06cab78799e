import { forbidden } from '../errors.js';
import { ATTRIBUTES, ROLES, type Invoker } from '../identity/invoker.js';

/** An invoker proven to be a compliance officer of one jurisdiction. */
export interface ComplianceOfficer {
  readonly user: string;
  readonly mspId: string;
}

/**
 * Only a compliance officer of the policy's own jurisdiction may act on its
 * policy: one country's officers never change another country's rules.
 */
export function requireComplianceOfficer(invoker: Invoker, jurisdiction: string): ComplianceOfficer {
  if (invoker.role !== ROLES.complianceOfficer) {
    throw forbidden(`invoker must have ${ATTRIBUTES.role}=${ROLES.complianceOfficer}`);
  }
  if (invoker.jurisdiction !== jurisdiction) {
    throw forbidden(`invoker's ${ATTRIBUTES.jurisdiction} must be ${jurisdiction}`);
  }
  if (invoker.user === undefined) {
    throw forbidden(`invoker's certificate must carry ${ATTRIBUTES.user}`);
  }
  return { user: invoker.user, mspId: invoker.mspId };
}

/** The user named in an argument must be the invoker: nobody records or approves in another's name. */
export function requireSelf(officer: ComplianceOfficer, argument: string, claimed: string): void {
  if (claimed !== officer.user) {
    throw forbidden(`argument '${argument}' must be the invoker's own ${ATTRIBUTES.user}`);
  }
}
