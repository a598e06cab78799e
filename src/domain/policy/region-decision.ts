import type { ConsentRequester } from '../consent/consent-scope.js';
import type { ConsentSelection } from '../consent/consent-selection.js';
import { CATEGORIES, SENSITIVITY_LABELS, type Category } from '../fhir.js';
import { decideCategory } from './category-verdict.js';
import type { DecisionRequest, RegionTarget } from './decision-request.js';
import type { CategoryDecision, RegionDecision, SensitiveDecision } from './decision.js';
import type { BreakGlassState } from './break-glass.js';
import type { PolicyResolution } from './policy-chain.js';
import type { PolicyRef } from './policy-document.js';
import type { Reason } from './reason.js';
import { denialCode, regionMessage, regionOutcome } from './region-outcome.js';
import { regionFrame, type RegionFrame } from './region-frame.js';
import { decideLabel } from './sensitive-verdict.js';

/** Requested categories in canonical order, each once: the same question gets the same answer. */
export function requestedCategories(request: DecisionRequest): Category[] {
  const asked = request.categories ?? CATEGORIES;
  return CATEGORIES.filter((c) => asked.includes(c));
}

function labelsOf(request: DecisionRequest, region: string): { labels: readonly string[]; known: boolean } {
  const present = request.sensitivityPresent?.[region];
  return present === undefined ? { labels: SENSITIVITY_LABELS, known: false } : { labels: present, known: true };
}

/** A region no policy can be found for: nothing is disclosed and no label is revealed. */
function unresolved(request: DecisionRequest, target: RegionTarget, reason: Reason): RegionDecision {
  const categories: CategoryDecision[] = requestedCategories(request).map((category) => ({
    category,
    effect: 'deny',
    reasons: [reason],
  }));
  const sensitive: SensitiveDecision[] = SENSITIVITY_LABELS.filter((l) =>
    labelsOf(request, target.region).labels.includes(l),
  ).map((label) => ({ label, effect: 'deny', hidden: true, reasons: [reason] }));
  return {
    ...target,
    outcome: 'deny',
    categories,
    sensitive,
    code: 'POLICY_DENIED',
    message: regionMessage('deny', categories, sensitive),
    reasons: [reason],
    crossBorder: false,
    breakGlass: false,
  };
}

function judge(frame: RegionFrame): RegionDecision {
  const { request, target } = frame;
  const categories = requestedCategories(request).map((c) => decideCategory(frame, c));
  const disclosed = categories.some((c) => c.effect === 'permit');
  const { labels, known } = labelsOf(request, target.region);
  const sensitive = SENSITIVITY_LABELS.filter((l) => labels.includes(l)).map((l) => decideLabel(frame, l, disclosed));
  const outcome = regionOutcome(categories, sensitive, known);
  return {
    ...target,
    outcome,
    categories,
    sensitive,
    ...(outcome === 'deny' ? { code: denialCode(categories) } : {}),
    message: regionMessage(outcome, categories, sensitive),
    reasons: [...frame.breakGlass.reasons, ...frame.transfer.reasons],
    crossBorder: frame.crossBorder,
    breakGlass: frame.breakGlass.active,
  };
}

/** What the region needs from the request as a whole, resolved once per decision. */
export interface SharedInput {
  readonly request: DecisionRequest;
  readonly requesterPolicy: PolicyResolution;
  readonly consents: ConsentSelection;
  readonly requester: ConsentRequester;
  readonly resolve: (jurisdiction: string) => PolicyResolution;
}

/** A region's decision, with what the decision as a whole collects from it. */
export interface RegionResult {
  readonly decision: RegionDecision;
  readonly policies: readonly PolicyRef[];
  readonly breakGlass: BreakGlassState;
}

const NO_BREAK_GLASS: BreakGlassState = { active: false, reasons: [] };

function unresolvedResult(request: DecisionRequest, target: RegionTarget, reason: Reason): RegionResult {
  return { decision: unresolved(request, target, reason), policies: [], breakGlass: NO_BREAK_GLASS };
}

/** The decision for one region: both the data side and the requester side must permit. */
export function decideRegion(shared: SharedInput, target: RegionTarget): RegionResult {
  const data = shared.resolve(target.jurisdiction);
  const requesterPolicy = shared.requesterPolicy;
  if (!data.ok) return unresolvedResult(shared.request, target, data.reason);
  if (!requesterPolicy.ok) return unresolvedResult(shared.request, target, requesterPolicy.reason);
  const frame = regionFrame({
    request: shared.request,
    target,
    data: data.policy,
    requesterPolicy: requesterPolicy.policy,
    consents: shared.consents,
    requester: shared.requester,
  });
  return { decision: judge(frame), policies: frame.sides.flatMap((s) => s.sources), breakGlass: frame.breakGlass };
}
