import type { CategoryDecision, RegionDecision, SensitiveDecision } from './decision.js';
import { denialCode, denialCodeOf, mostActionable, regionMessage, regionOutcome } from './region-outcome.js';
import type { Reason } from './reason.js';

/** Of two verdicts on one category, the permit; of two denials, the one that says what would help. */
function unitedCategory(emergency: CategoryDecision, ordinary: CategoryDecision | undefined): CategoryDecision {
  if (emergency.effect === 'permit' || ordinary === undefined) return emergency;
  if (ordinary.effect === 'permit') return ordinary;
  const e = denialCodeOf(emergency.reasons);
  const o = denialCodeOf(ordinary.reasons);
  return o !== e && mostActionable([e, o]) === o ? ordinary : emergency;
}

function unitedLabel(emergency: SensitiveDecision, ordinary: SensitiveDecision | undefined): SensitiveDecision {
  return emergency.effect === 'deny' && ordinary?.effect === 'permit' ? ordinary : emergency;
}

function unitedReasons(a: readonly Reason[], b: readonly Reason[]): Reason[] {
  const seen = new Set(a.map((r) => JSON.stringify(r)));
  return [...a, ...b.filter((r) => !seen.has(JSON.stringify(r)))];
}

/**
 * A region read under break-glass answers at least what the same requester gets for TREAT at
 * the same instant: the union of the emergency decision and the ordinary one. Its categories
 * and labels say what the union permits; `parts` keeps both, since an item is disclosed only
 * when one of them permits its category and its labels together (a label released in an
 * emergency is released in the emergency subset, not in every category TREAT permits).
 */
export function uniteWithOrdinary(
  emergency: RegionDecision,
  ordinary: RegionDecision,
  labelsKnown: boolean,
): RegionDecision {
  const categories = emergency.categories.map((c) =>
    unitedCategory(
      c,
      ordinary.categories.find((o) => o.category === c.category),
    ),
  );
  const sensitive = emergency.sensitive.map((s) =>
    unitedLabel(
      s,
      ordinary.sensitive.find((o) => o.label === s.label),
    ),
  );
  const outcome = regionOutcome(categories, sensitive, labelsKnown);
  return {
    region: emergency.region,
    jurisdiction: emergency.jurisdiction,
    crossBorder: emergency.crossBorder,
    breakGlass: emergency.breakGlass,
    outcome,
    categories,
    sensitive,
    ...(outcome === 'deny' ? { code: denialCode(categories) } : {}),
    message: regionMessage(outcome, categories, sensitive),
    reasons: unitedReasons(emergency.reasons, ordinary.reasons),
    parts: [emergency, ordinary],
  };
}
