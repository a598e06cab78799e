import type { Consent } from '../consent/consent.js';
import { consentAllowsDestination, consentCovers, consentExcludes } from '../consent/consent-scope.js';
import type { Category } from '../fhir.js';
import type { Reason } from './reason.js';
import type { RegionFrame } from './region-frame.js';

/** One evaluation stage's say on a category: denials decide; grounds explain a permit. */
export interface StageVerdict {
  readonly denials: readonly Reason[];
  readonly grounds: readonly Reason[];
}

const NOTHING: StageVerdict = { denials: [], grounds: [] };

/**
 * Objections, and categories a permit explicitly excludes, deny whatever the policy allows
 * without consent. Break-glass sets them aside only where every side's policy says so.
 */
export function objectionVerdict(frame: RegionFrame, category: Category): StageVerdict {
  const objections = frame.consents.objections.filter((c) => consentCovers(c, category));
  const exclusions = frame.consents.permits.filter((c) => consentExcludes(c, category));
  if (objections.length === 0 && exclusions.length === 0) return NOTHING;
  const bg = frame.breakGlass;
  if (bg.active && bg.overridesObjection) {
    const overridden = [...objections, ...exclusions].map((c): Reason => ({
      code: 'OBJECTION_OVERRIDDEN',
      consentId: c.id,
    }));
    return { denials: [], grounds: overridden };
  }
  return {
    denials: [
      ...objections.map((c): Reason => ({ code: 'PATIENT_OBJECTION', consentId: c.id })),
      ...exclusions.map((c): Reason => ({ code: 'CONSENT_EXCLUDES_CATEGORY', consentId: c.id, category })),
    ],
    grounds: [],
  };
}

/**
 * What needs the patient's consent: the purpose (on some side), a transfer out of the
 * family (a permit naming the destination), an exchange within it (a permit to the requester).
 */
type Need = Readonly<{ purpose: boolean; transfer: boolean; withinFamily: boolean }>;

function needs(frame: RegionFrame): Need {
  const { purpose } = frame.request;
  return {
    // Break-glass exists for when consent cannot be asked for.
    purpose: !frame.breakGlass.active && frame.sides.some((s) => s.purposes[purpose].consentRequired),
    transfer: frame.transfer.need === 'consent',
    withinFamily: frame.transfer.need === 'family_consent',
  };
}

/** The permits that would carry this category to the requester, as the transfer needs. */
function consentFits(frame: RegionFrame, transfer: boolean): (c: Consent, category: Category) => boolean {
  return (c, category) => consentCovers(c, category) && (!transfer || consentAllowsDestination(c, frame.requester));
}

/**
 * Why no consent fits, most telling first: a revoked consent that would have fitted
 * (so a patient who revoked sees CONSENT_REVOKED), then an expired or future one, then a
 * consent that leaves the category out, then none at all. Undefined when a permit covers
 * the category and only the destination is missing: CROSS_BORDER_NOT_ADEQUATE says that.
 */
function consentCause(frame: RegionFrame, category: Category, need: Need): Reason | undefined {
  const { consents, request } = frame;
  const fits = consentFits(frame, need.transfer);
  const revoked = consents.revoked.find((c) => fits(c, category));
  if (revoked) return { code: 'CONSENT_REVOKED', consentId: revoked.id };
  const expired = consents.expired.find((c) => fits(c, category));
  if (expired) return { code: 'CONSENT_EXPIRED', consentId: expired.id };
  const early = consents.notYetValid.find((c) => fits(c, category));
  if (early) return { code: 'CONSENT_NOT_YET_VALID', consentId: early.id };
  if (consents.untreated.some((c) => fits(c, category)) && !consents.permits.some((c) => consentCovers(c, category))) {
    return { code: 'CARE_RELATIONSHIP_REQUIRED', purpose: request.purpose };
  }
  if (consents.permits.some((c) => consentCovers(c, category))) return undefined;
  if (consents.permits.length > 0) return { code: 'CATEGORY_NOT_IN_CONSENT', category };
  return need.purpose ? { code: 'NO_CONSENT', purpose: request.purpose } : undefined;
}

function missingConsent(frame: RegionFrame, category: Category, need: Need): Reason[] {
  const { request, target } = frame;
  const reasons: Reason[] = [];
  const route = { from: target.jurisdiction, to: request.requester.jurisdiction };
  if (need.transfer) reasons.push({ code: 'CROSS_BORDER_NOT_ADEQUATE', ...route });
  if (need.withinFamily) reasons.push({ code: 'CROSS_BORDER_NEEDS_CONSENT', ...route, family: frame.data.family });
  const cause = consentCause(frame, category, need);
  // A consent exists and only the care relationship is missing: what the clinician can act on, told first.
  if (cause?.code === 'CARE_RELATIONSHIP_REQUIRED') reasons.unshift(cause);
  else if (cause) reasons.push(cause);
  return reasons;
}

/** Where the purpose or the transfer needs consent, a fitting permit of the patient. */
export function consentVerdict(frame: RegionFrame, category: Category): StageVerdict {
  const need = needs(frame);
  if (!need.purpose && !need.transfer && !need.withinFamily) return NOTHING;
  const given = frame.consents.permits.find((c) => consentFits(frame, need.transfer)(c, category));
  if (given) return { denials: [], grounds: [{ code: 'CONSENT_GIVEN', consentId: given.id }] };
  return { denials: missingConsent(frame, category, need), grounds: [] };
}
