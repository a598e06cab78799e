import type { PurposeOfUse } from '../purpose.js';
import type { EffectivePolicy } from './effective-policy.js';
import { namesJurisdiction, sameCountry } from './jurisdiction.js';
import type { Reason } from './reason.js';

/** What moving a region's data to the requester needs. */
export interface TransferState {
  /**
   * `consent`: a permit consent whose destinations name the requester's jurisdiction (out
   * of the family); `family_consent`: a permit consent speaking to the requester (within it).
   */
  readonly need: 'none' | 'consent' | 'family_consent' | 'deny';
  readonly reasons: readonly Reason[];
}

export interface TransferInput {
  /** The data side's effective policy: its cross-border rules are the ones that apply. */
  readonly data: EffectivePolicy;
  readonly from: string;
  readonly to: string;
  readonly toFamilies: readonly string[];
  /** The requester's jurisdiction belongs to the data's policy family. */
  readonly sameFamily: boolean;
  readonly purpose: PurposeOfUse;
  readonly breakGlass: boolean;
}

const NO_TRANSFER: TransferState = { need: 'none', reasons: [] };

/**
 * Within one country nothing is a transfer (DE → DE, DE-BY → DE). Between two countries of
 * one family (DE → FR) the data side's `withinFamily` decides: `allow` treats it as no
 * transfer; `explicit_consent` needs the patient's consent for the requester, unless the
 * purpose is exempt or break-glass holds where the policy grants the derogation.
 */
function withinFamilyState(input: TransferInput): TransferState {
  const { data, from, to, purpose } = input;
  const rule = data.crossBorder;
  if (rule.withinFamily === 'allow' || sameCountry(from, to)) return NO_TRANSFER;
  if (rule.exemptPurposes.includes(purpose))
    return { need: 'none', reasons: [{ code: 'CROSS_BORDER_EXEMPT', purpose }] };
  return input.breakGlass && rule.breakGlassDerogation
    ? { need: 'none', reasons: [{ code: 'CROSS_BORDER_BREAK_GLASS', from, to }] }
    : { need: 'family_consent', reasons: [] };
}

/**
 * Across families the data side decides: an exempt purpose or an adequate destination
 * passes; otherwise its `otherwise` applies, and break-glass may waive an explicit-consent
 * requirement where the policy grants that derogation. Within a family, see above.
 */
export function transferState(input: TransferInput): TransferState {
  if (input.sameFamily) return withinFamilyState(input);
  const { data, from, to, purpose } = input;
  const rule = data.crossBorder;
  if (rule.exemptPurposes.includes(purpose))
    return { need: 'none', reasons: [{ code: 'CROSS_BORDER_EXEMPT', purpose }] };
  if (rule.adequate.some((entry) => namesJurisdiction(entry, to, input.toFamilies))) {
    return { need: 'none', reasons: [{ code: 'CROSS_BORDER_ADEQUATE', from, to }] };
  }
  switch (rule.otherwise) {
    case 'allow':
      return { need: 'none', reasons: [{ code: 'CROSS_BORDER_ALLOWED', from, to }] };
    case 'deny':
      return { need: 'deny', reasons: [{ code: 'CROSS_BORDER_DENIED', from, to }] };
    case 'explicit_consent':
      return input.breakGlass && rule.breakGlassDerogation
        ? { need: 'none', reasons: [{ code: 'CROSS_BORDER_BREAK_GLASS', from, to }] }
        : { need: 'consent', reasons: [] };
  }
}
