import type { ConsentRef } from '../consent/consent.js';
import type { Category, SensitivityLabel } from '../fhir.js';
import type { PolicyRef } from './policy-document.js';
import type { ObligationKind } from './policy-vocabulary.js';
import type { Reason } from './reason.js';

export type Effect = 'permit' | 'deny';
export type Outcome = 'permit' | 'partial' | 'deny';

/** The error code a denied region maps to (see errors.ts). */
export type DenialCode = 'CONSENT_REQUIRED' | 'CONSENT_REVOKED' | 'POLICY_DENIED';

export interface CategoryDecision {
  readonly category: Category;
  readonly effect: Effect;
  /** For a deny, every denial; for a permit, its grounds. */
  readonly reasons: readonly Reason[];
}

export interface SensitiveDecision {
  readonly label: SensitivityLabel;
  readonly effect: Effect;
  /**
   * A withheld label whose existence must not be revealed: the gateway drops its items
   * silently and never names the label to the requester. Reasons are for the audit log.
   */
  readonly hidden: boolean;
  readonly reasons: readonly Reason[];
}

export interface RegionDecision {
  readonly region: string;
  readonly jurisdiction: string;
  readonly outcome: Outcome;
  readonly categories: readonly CategoryDecision[];
  readonly sensitive: readonly SensitiveDecision[];
  /** Set when the region is denied. */
  readonly code?: DenialCode;
  /** For the requester: names no hidden label. */
  readonly message: string;
  /** Facts about the whole region: transfer grounds, break-glass, missing policies. */
  readonly reasons: readonly Reason[];
  readonly crossBorder: boolean;
  readonly breakGlass: boolean;
  /**
   * Under break-glass: the emergency decision and the ordinary TREAT decision this one unites.
   * An item is disclosed when one of them permits its category and its labels together.
   */
  readonly parts?: readonly RegionDecision[];
}

export type Obligation =
  | { readonly kind: ObligationKind }
  /** Break-glass access ends then; a later read needs a new decision. */
  | { readonly kind: 'expires'; readonly at: Date };

/** The engine's answer. Ids are assigned by the caller: the engine stays pure. */
export interface Decision {
  readonly outcome: Outcome;
  readonly regions: readonly RegionDecision[];
  readonly obligations: readonly Obligation[];
  readonly breakGlass: boolean;
  readonly policiesUsed: readonly PolicyRef[];
  readonly consentsUsed: readonly ConsentRef[];
  /** Some policy of the request asks for a de-identified answer for its purpose (Safe Harbor). */
  readonly deidentify: boolean;
}
