import { coversJurisdiction } from '../policy/jurisdiction.js';
import type { Consent } from './consent.js';

/** What a new grant is checked against beyond its own shape: the instant and the known parties. */
export interface GrantContext {
  /** The grant's own instant. */
  readonly at: Date;
  /** True for an organisation the gateway knows (its directory); absent: not checked. */
  readonly knowsOrganisation?: (organisationId: string) => boolean;
  /** The active policies' jurisdictions and what each covers; absent: not checked. */
  readonly policies?: readonly PolicyCoverage[];
}

/** A policy's id and the jurisdiction codes it covers. */
export interface PolicyCoverage {
  readonly jurisdiction: string;
  readonly covers: readonly string[];
}

/** A problem with a grant: the field it is in, and what is wrong. */
export type GrantProblem = readonly [field: string, message: string];

/**
 * True when an active policy governs `code`: a policy's own id (`EU`, `DE`) or a code its
 * `covers` takes in (`FR`, `US-MA`). A requester anywhere else has no policy and gets nothing.
 */
export function governedJurisdiction(code: string, policies: readonly PolicyCoverage[]): boolean {
  return policies.some((p) => p.jurisdiction === code || p.covers.some((entry) => coversJurisdiction(entry, code)));
}

/**
 * What makes a well-formed new grant meaningless, so that it is refused rather than stored
 * as a consent that can never apply: a window that has ended by the time it is granted, a
 * grantee organisation nobody knows, a grantee or destination jurisdiction no policy governs.
 */
export function grantProblems(consent: Consent, context: GrantContext): GrantProblem[] {
  const problems: GrantProblem[] = [];
  if (consent.validUntil !== undefined && consent.validUntil <= context.at) {
    problems.push([
      'validUntil',
      `has passed (${consent.validUntil.toISOString()}): a consent must end after it is granted`,
    ]);
  }
  const { grantee } = consent;
  const knows = context.knowsOrganisation;
  if (grantee.kind === 'organisation' && knows !== undefined && !knows(grantee.organisationId)) {
    problems.push(['grantee.organisationId', `${grantee.organisationId} is not an organisation this gateway knows`]);
  }
  const policies = context.policies;
  if (policies === undefined) return problems;
  const ungoverned = (code: string): string => `${code} is not a jurisdiction any active policy governs`;
  if (grantee.kind === 'jurisdiction' && !governedJurisdiction(grantee.jurisdiction, policies)) {
    problems.push(['grantee.jurisdiction', ungoverned(grantee.jurisdiction)]);
  }
  (consent.destinationsAllowed ?? []).forEach((code, i) => {
    if (!governedJurisdiction(code, policies)) problems.push([`destinationsAllowed.${i}`, ungoverned(code)]);
  });
  return problems;
}
