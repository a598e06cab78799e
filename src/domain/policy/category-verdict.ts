import type { Category } from '../fhir.js';
import { consentVerdict, objectionVerdict, type StageVerdict } from './consent-verdict.js';
import type { CategoryDecision } from './decision.js';
import type { Reason } from './reason.js';
import type { RegionFrame } from './region-frame.js';

function verdict(denials: readonly Reason[], grounds: readonly Reason[] = []): StageVerdict {
  return { denials, grounds };
}

/** Minimum necessary, and under break-glass the emergency subset, on every side. */
function necessityVerdict(frame: RegionFrame, category: Category): StageVerdict {
  const { purpose } = frame.request;
  const denials: Reason[] = [];
  for (const side of frame.sides) {
    const jurisdiction = side.jurisdiction;
    if (!side.purposes[purpose].categories.includes(category)) {
      denials.push({ code: 'CATEGORY_NOT_ALLOWED_FOR_PURPOSE', category, purpose, jurisdiction });
    } else if (frame.breakGlass.active && !side.breakGlass.categories.includes(category)) {
      denials.push({ code: 'BREAK_GLASS_SUBSET', category, jurisdiction });
    }
  }
  return verdict(denials);
}

function permitGrounds(frame: RegionFrame): Reason[] {
  const { purpose } = frame.request;
  return frame.sides.map((side): Reason => ({
    code: 'PERMITTED',
    purpose,
    jurisdiction: side.jurisdiction,
    legalBasis: side.purposes[purpose].legalBases,
  }));
}

/**
 * One category of one region, in the documented order; the first stage that denies
 * decides and its reasons are the category's:
 * purpose → minimum necessary / emergency subset → transfer refused → objections → consent.
 */
export function decideCategory(frame: RegionFrame, category: Category): CategoryDecision {
  const stages: (() => StageVerdict)[] = [
    () => verdict(frame.purposeDenials),
    () => necessityVerdict(frame, category),
    () => verdict(frame.transfer.need === 'deny' ? frame.transfer.reasons : []),
    () => objectionVerdict(frame, category),
    () => consentVerdict(frame, category),
  ];
  const grounds: Reason[] = permitGrounds(frame);
  for (const stage of stages) {
    const result = stage();
    if (result.denials.length > 0) return { category, effect: 'deny', reasons: result.denials };
    grounds.push(...result.grounds);
  }
  return { category, effect: 'permit', reasons: grounds };
}
