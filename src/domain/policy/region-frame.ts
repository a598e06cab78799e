import type { ConsentRequester } from '../consent/consent-scope.js';
import type { ConsentSelection } from '../consent/consent-selection.js';
import { breakGlassState, type BreakGlassState } from './break-glass.js';
import { transferState, type TransferState } from './cross-border.js';
import type { DecisionRequest, RegionTarget } from './decision-request.js';
import type { EffectivePolicy } from './effective-policy.js';
import type { Reason } from './reason.js';

/** Everything about one region that each category and label verdict needs, computed once. */
export interface RegionFrame {
  readonly request: DecisionRequest;
  readonly target: RegionTarget;
  readonly data: EffectivePolicy;
  /** Data side first, then the requester side when it is another policy: both must permit. */
  readonly sides: readonly EffectivePolicy[];
  /** The data leaves its policy family (EU → US); an exchange DE → FR is `transfer`'s concern. */
  readonly crossBorder: boolean;
  readonly breakGlass: BreakGlassState;
  readonly transfer: TransferState;
  readonly consents: ConsentSelection;
  readonly requester: ConsentRequester;
  /** Region-wide denials by purpose (not allowed, role, not the patient). */
  readonly purposeDenials: readonly Reason[];
}

function purposeDenials(
  request: DecisionRequest,
  sides: readonly EffectivePolicy[],
  treating: boolean,
  breakGlass: boolean,
): Reason[] {
  const { purpose, requester } = request;
  const denials: Reason[] = [];
  for (const side of sides) {
    const rule = side.purposes[purpose];
    if (!rule.allowed) {
      denials.push({ code: 'PURPOSE_NOT_ALLOWED', purpose, jurisdiction: side.jurisdiction });
      continue;
    }
    if (rule.roles !== undefined && !requester.roles.some((r) => rule.roles?.includes(r))) {
      denials.push({ code: 'ROLE_NOT_ALLOWED', purpose, jurisdiction: side.jurisdiction });
    }
    if (rule.patientOnly && requester.patientId !== request.patientId)
      denials.push({ code: 'NOT_THE_PATIENT', purpose });
    // Break-glass exists for when the patient cannot be asked: it never needs a relationship.
    if (
      rule.careRelationship &&
      !treating &&
      !breakGlass &&
      !denials.some((d) => d.code === 'CARE_RELATIONSHIP_REQUIRED')
    )
      denials.push({ code: 'CARE_RELATIONSHIP_REQUIRED', purpose });
  }
  return denials;
}

export interface FrameInput {
  readonly request: DecisionRequest;
  readonly target: RegionTarget;
  readonly data: EffectivePolicy;
  readonly requesterPolicy: EffectivePolicy;
  readonly consents: ConsentSelection;
  readonly requester: ConsentRequester;
}

/** Sets up a region's evaluation: sides, transfer, break-glass and purpose gate. */
export function regionFrame(input: FrameInput): RegionFrame {
  const { request, target, data, requesterPolicy } = input;
  const sameRules = data.chain.join('/') === requesterPolicy.chain.join('/');
  const sides = sameRules ? [data] : [data, requesterPolicy];
  const crossBorder = data.family !== requesterPolicy.family;
  const breakGlass = breakGlassState(request, sides);
  const transfer: TransferState = transferState({
    data,
    from: target.jurisdiction,
    to: request.requester.jurisdiction,
    toFamilies: requesterPolicy.chain,
    sameFamily: !crossBorder,
    purpose: request.purpose,
    breakGlass: breakGlass.active,
  });
  return {
    request,
    target,
    data,
    consents: input.consents,
    requester: input.requester,
    sides,
    crossBorder,
    breakGlass,
    transfer,
    purposeDenials: purposeDenials(request, sides, input.requester.treating, breakGlass.active),
  };
}
