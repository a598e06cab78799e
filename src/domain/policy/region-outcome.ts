import type { CategoryDecision, DenialCode, Outcome, SensitiveDecision } from './decision.js';
import { familyOf, type Reason, type ReasonFamily } from './reason.js';
import { describeReason } from './reason-text.js';

// Within a category a policy reason wins (no consent would help); across categories the
// code that lets the requester or patient act wins: revoked, then required, then policy.
/** The error code of one withholding (a category or a label), from its reasons. */
export function denialCodeOf(reasons: readonly Reason[]): DenialCode {
  const families = new Set(reasons.map(familyOf));
  if (families.has('policy')) return 'POLICY_DENIED';
  if (families.has('consent_revoked')) return 'CONSENT_REVOKED';
  return families.has('consent_required') ? 'CONSENT_REQUIRED' : 'POLICY_DENIED';
}

const CODE_FAMILY: Readonly<Record<DenialCode, ReasonFamily>> = {
  CONSENT_REVOKED: 'consent_revoked',
  CONSENT_REQUIRED: 'consent_required',
  POLICY_DENIED: 'policy',
};

/** The error code of a denied region. */
export function denialCode(categories: readonly CategoryDecision[]): DenialCode {
  return mostActionable(categories.filter((c) => c.effect === 'deny').map((c) => denialCodeOf(c.reasons)));
}

/** Of several denials, the code that lets the requester or patient act: revoked, then required, then policy. */
export function mostActionable(codes: Iterable<DenialCode>): DenialCode {
  const set = new Set(codes);
  if (set.has('CONSENT_REVOKED')) return 'CONSENT_REVOKED';
  return set.has('CONSENT_REQUIRED') ? 'CONSENT_REQUIRED' : 'POLICY_DENIED';
}

/**
 * A region discloses all it was asked for (permit), nothing (deny), or some (partial). A
 * withheld label counts only when its presence is known and it may be reported: a hidden
 * label never changes the outcome, or the outcome itself would reveal it.
 */
export function regionOutcome(
  categories: readonly CategoryDecision[],
  sensitive: readonly SensitiveDecision[],
  labelsKnown: boolean,
): Outcome {
  const permitted = categories.filter((c) => c.effect === 'permit').length;
  if (permitted === 0) return 'deny';
  if (permitted < categories.length) return 'partial';
  const reportedWithheld = labelsKnown && sensitive.some((s) => s.effect === 'deny' && !s.hidden);
  return reportedWithheld ? 'partial' : 'permit';
}

function list(items: readonly string[]): string {
  return items.length === 0 ? 'none' : items.join(', ');
}

/** For the requester. Names withheld labels only when they may be reported. */
export function regionMessage(
  outcome: Outcome,
  categories: readonly CategoryDecision[],
  sensitive: readonly SensitiveDecision[],
): string {
  const denied = categories.filter((c) => c.effect === 'deny');
  // The reason told is one of the kind the region's code names: a revocation is told as one.
  const family = CODE_FAMILY[denialCode(categories)];
  const reasons = denied.flatMap((c) => c.reasons);
  const first = reasons.find((r) => familyOf(r) === family) ?? reasons[0];
  const why = first ? `: ${describeReason(first)}` : '';
  if (outcome === 'deny') return `Nothing may be disclosed${why}.`;
  const permitted = categories.filter((c) => c.effect === 'permit').map((c) => c.category);
  const reported = sensitive.filter((s) => s.effect === 'deny' && !s.hidden).map((s) => s.label);
  const parts = [`Disclosed: ${list(permitted)}.`];
  if (denied.length > 0) parts.push(`Withheld: ${list(denied.map((c) => c.category))}${why}.`);
  if (reported.length > 0) parts.push(`Withheld sensitive items: ${list(reported)}.`);
  return parts.join(' ');
}
