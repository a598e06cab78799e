import { badInput, MeridianError } from '../../domain/errors.js';
import { coversJurisdiction } from '../../domain/policy/index.js';
import { JURISDICTION_PATTERN } from '../../domain/policy/jurisdiction.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import type { LedgerActor } from '../../ledger/ledger.js';

/** The chaincode's user-id alphabet: a token subject outside it cannot name a ledger identity. */
const LEDGER_USER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** The chaincode's version labels. */
const VERSION_LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

function forbidden(message: string): MeridianError {
  return new MeridianError('FORBIDDEN', message);
}

/** Only compliance officers draft, review, approve, activate and read policies. */
export function requireOfficer(principal: Principal): void {
  if (!hasRole(principal, 'compliance_officer')) {
    throw forbidden('Only a compliance officer may draft, review, approve, activate or read jurisdiction policies.');
  }
}

/** Checks `(jurisdiction, version)` arguments before they reach a query or the ledger. */
export function requireVersionRef(jurisdiction: string, version?: string): void {
  if (!JURISDICTION_PATTERN.test(jurisdiction)) {
    throw badInput('`jurisdiction` must be a policy id such as EU, DE or US.', { field: 'jurisdiction' });
  }
  if (version !== undefined && !VERSION_LABEL.test(version)) {
    throw badInput("`version` must be 1-32 letters, digits, '.', '_' or '-', starting with a letter or digit.", {
      field: 'version',
    });
  }
}

/** The `covers` list of a document as stored, read leniently: a damaged document covers nobody. */
export function coversOf(document: unknown): string[] {
  if (typeof document !== 'object' || document === null || !('covers' in document)) return [];
  const covers: unknown = document.covers;
  return Array.isArray(covers) ? covers.filter((c): c is string => typeof c === 'string') : [];
}

/**
 * An officer acts on a policy only where every document in question (the version acted on
 * and the jurisdiction's active one) covers the officer's jurisdiction or its country:
 * an officer in DE on EU and DE, in FR on EU, in US-MA on US. A draft cannot widen its
 * own `covers` to let a foreign officer in while another version is active.
 */
export function requireCovered(principal: Principal, policyId: string, documents: readonly unknown[]): void {
  const home = principal.jurisdiction;
  const covered = documents.every((d) => coversOf(d).some((entry) => coversJurisdiction(entry, home)));
  if (!covered || documents.length === 0) {
    throw forbidden(
      `A compliance officer of ${home} may not act on policy ${policyId}: it does not cover ${home}. Officers act on their own jurisdiction's policies only.`,
    );
  }
}

/** Who an officer's policy step is anchored as: the chaincode checks role, jurisdiction and user. */
export function officerActor(principal: Principal, policyId: string): LedgerActor {
  if (!LEDGER_USER.test(principal.subject)) {
    throw forbidden('This token subject cannot name a ledger identity, so it cannot sign a policy step.');
  }
  return { user: principal.subject, role: 'compliance_officer', jurisdiction: policyId };
}

/**
 * A draft may not claim jurisdictions its policy does not already cover, beyond the
 * officer's own (and its subdivisions): otherwise two officers of one country could take
 * over another country's data and requesters (and with them its officers' access).
 */
export function requireNoNewClaims(
  principal: Principal,
  policyId: string,
  draftCovers: readonly string[],
  activeCovers: readonly string[],
): void {
  const home = principal.jurisdiction;
  const claimed = draftCovers.filter((entry) => !activeCovers.includes(entry) && !coversJurisdiction(home, entry));
  if (claimed.length > 0) {
    throw forbidden(
      `A compliance officer of ${home} may not extend policy ${policyId} to ${claimed.join(', ')}: only that jurisdiction's officers can bring it under a policy.`,
    );
  }
}
