import type { PurposeOfUse } from '../purpose.js';
import type { Consent } from './consent.js';
import { granteeMatches, inForceAt, type ConsentRequester } from './consent-scope.js';
import { namesPurpose } from './consent-vocabulary.js';

/** What consents are looked up for. */
export interface ConsentQuery {
  readonly patientId: string;
  readonly purpose: PurposeOfUse;
  readonly requester: ConsentRequester;
  readonly at: Date;
}

/**
 * The patient's consents that speak to this requester and purpose, sorted by id so a
 * decision never depends on the order they were loaded in.
 */
export interface ConsentSelection {
  /** Active, in force, kind permit. */
  readonly permits: readonly Consent[];
  /** Active, in force, kind deny: objections. */
  readonly objections: readonly Consent[];
  /** Revoked permits: as if absent, but they explain a denial. */
  readonly revoked: readonly Consent[];
  /** Active permits past validUntil. */
  readonly expired: readonly Consent[];
  /** Active permits before validFrom. */
  readonly notYetValid: readonly Consent[];
  /**
   * Permits in force to any treating provider that would speak to this clinician were their
   * organisation treating the patient: they explain CARE_RELATIONSHIP_REQUIRED, never permit.
   */
  readonly untreated: readonly Consent[];
}

/**
 * An objection to "any treating provider" binds every clinician, treating or not: were it to
 * need a care relationship, not having one would escape it.
 */
function speaksTo(consent: Consent, query: ConsentQuery): boolean {
  const requester = consent.kind === 'deny' ? { ...query.requester, treating: true } : query.requester;
  return (
    consent.patientId === query.patientId &&
    namesPurpose(consent.purposes, query.purpose) &&
    granteeMatches(consent.grantee, requester)
  );
}

function wouldSpeakIfTreating(consent: Consent, query: ConsentQuery): boolean {
  return (
    !query.requester.treating &&
    consent.kind === 'permit' &&
    consent.grantee.kind === 'any_treating_provider' &&
    speaksTo(consent, { ...query, requester: { ...query.requester, treating: true } })
  );
}

function bucketOf(consent: Consent, at: Date): keyof ConsentSelection | undefined {
  if (consent.status === 'revoked') return consent.kind === 'permit' ? 'revoked' : undefined;
  const state = inForceAt(consent, at);
  if (consent.kind === 'deny') return state === 'in_force' ? 'objections' : undefined;
  if (state === 'expired') return 'expired';
  return state === 'not_yet_valid' ? 'notYetValid' : 'permits';
}

function byIdThenVersion(a: Consent, b: Consent): number {
  const ka = `${a.id}\u0000${a.version}`;
  const kb = `${b.id}\u0000${b.version}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Sorts the consents that speak to the query into what a decision needs. */
export function selectConsents(consents: readonly Consent[], query: ConsentQuery): ConsentSelection {
  const selection: Record<keyof ConsentSelection, Consent[]> = {
    permits: [],
    objections: [],
    revoked: [],
    expired: [],
    notYetValid: [],
    untreated: [],
  };
  for (const consent of consents) {
    if (wouldSpeakIfTreating(consent, query) && bucketOf(consent, query.at) === 'permits') {
      selection.untreated.push(consent);
    }
  }
  selection.untreated.sort(byIdThenVersion);
  const relevant = consents.filter((c) => speaksTo(c, query)).sort(byIdThenVersion);
  for (const consent of relevant) {
    const bucket = bucketOf(consent, query.at);
    if (bucket !== undefined) selection[bucket].push(consent);
  }
  return selection;
}
