import type { PurposeOfUse } from '../purpose.js';
import type { EffectivePolicy } from './effective-policy.js';
import { namesJurisdiction } from './jurisdiction.js';
import type { Reason } from './reason.js';

/** What moving a region's data to the requester needs. */
export interface TransferState {
  /** `consent`: a permit consent whose destinations name the requester's jurisdiction. */
  readonly need: 'none' | 'consent' | 'deny';
  readonly reasons: readonly Reason[];
}

export interface TransferInput {
  /** The data side's effective policy: its cross-border rules are the ones that apply. */
  readonly data: EffectivePolicy;
  readonly from: string;
  readonly to: string;
  readonly toFamilies: readonly string[];
  readonly purpose: PurposeOfUse;
  readonly breakGlass: boolean;
}

/**
 * Within one policy family nothing is a transfer (DE → FR is intra-EU). Across families the
 * data side decides: an exempt purpose or an adequate destination passes; otherwise its
 * `otherwise` applies, and break-glass may waive an explicit-consent requirement where the
 * policy grants that derogation.
 */
export function transferState(input: TransferInput): TransferState {
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
