import type { Consent } from '../consent/consent.js';
import type { Category, SensitivityLabel } from '../fhir.js';
import type { Role } from '../principal.js';
import type { PurposeOfUse } from '../purpose.js';
import type { PolicyDocument } from './policy-document.js';

/** Who asks: taken from the verified principal, never from request input. */
export interface Requester {
  readonly organisationId: string;
  /** The organisation's jurisdiction, e.g. DE, FR, US-MA. */
  readonly jurisdiction: string;
  readonly roles: readonly Role[];
  /** Set when the principal acts as a patient: PATRQT needs it to equal the request's patientId. */
  readonly patientId?: string;
}

/** A region that holds the patient's records, and the jurisdiction whose law governs it. */
export interface RegionTarget {
  readonly region: string;
  readonly jurisdiction: string;
}

/** An emergency access claim. */
export interface BreakGlassClaim {
  /** Why the glass is broken; recorded for post-hoc review. Blank refuses break-glass. */
  readonly justification: string;
  /** When the emergency access began; defaults to the request's `at`. Expiry counts from here. */
  readonly startedAt?: Date;
}

/** What is asked: one patient's records in some regions, for one purpose, at one instant. */
export interface DecisionRequest {
  readonly requester: Requester;
  readonly purpose: PurposeOfUse;
  /** Global pseudonymous patient id. */
  readonly patientId: string;
  readonly regions: readonly RegionTarget[];
  /** Default: every category. */
  readonly categories?: readonly Category[];
  /**
   * Labels present per region id. A region listed here is judged on exactly those labels
   * and a reported withholding makes it partial; a region not listed gets a verdict for
   * every label (for filtering) that does not change its outcome, as presence is unknown.
   */
  readonly sensitivityPresent?: Readonly<Record<string, readonly SensitivityLabel[]>>;
  readonly breakGlass?: BreakGlassClaim;
  /** The instant the decision is for: consent validity and break-glass expiry are judged at it. */
  readonly at: Date;
}

/** A care relationship the gateway verified against its ledger anchor, open (not ended by the patient). */
export interface CareInForce {
  readonly patientId: string;
  readonly organisationId: string;
  readonly openedAt: Date;
  readonly expiresAt: Date;
}

/** What the decision is made from: the active policy versions, the patient's consents and care relationships. */
export interface DecisionContext {
  readonly policies: readonly PolicyDocument[];
  readonly consents: readonly Consent[];
  /** Absent: none, so consents to any treating provider speak to no one. */
  readonly careRelationships?: readonly CareInForce[];
}
