/** The policy engine: policy documents as data, and the pure decision over them. */
export { decide } from './decide.js';
export { breakGlassInputProblem, JUSTIFICATION_LENGTH } from './break-glass.js';
export type {
  BreakGlassClaim,
  CareInForce,
  DecisionContext,
  DecisionRequest,
  RegionTarget,
  Requester,
} from './decision-request.js';
export type {
  CategoryDecision,
  Decision,
  DenialCode,
  Effect,
  Obligation,
  Outcome,
  RegionDecision,
  SensitiveDecision,
} from './decision.js';
export { familyOf, isDenial } from './reason.js';
export { denialCodeOf, mostActionable } from './region-outcome.js';
export { consentsToTell, denialNotice } from './denial-notice.js';
export type { DenialNotice } from './denial-notice.js';
export type { BreakGlassRefusal, Reason, ReasonCode, ReasonFamily, ReasonOf, ReasonParams } from './reason.js';
export { describeReason } from './reason-text.js';
export { parsePolicyDocument, policyDocumentHash } from './policy-document.js';
export type {
  AllowedPurpose,
  BreakGlassRule,
  CrossBorderRule,
  OverlayPolicyDocument,
  OverlayRules,
  PolicyDocument,
  PolicyRef,
  PolicyRules,
  PurposeRule,
  RefusedPurpose,
  RootPolicyDocument,
  SensitiveRule,
} from './policy-document.js';
export * from './policy-vocabulary.js';
export { effectivePolicy } from './effective-policy.js';
export type { EffectivePolicy, EffectivePurpose } from './effective-policy.js';
export { resolvePolicy } from './policy-chain.js';
export type { PolicyResolution } from './policy-chain.js';
export { overlayLoosenings } from './overlay-check.js';
export { coversJurisdiction, namesJurisdiction } from './jurisdiction.js';
export { policyDiff } from './policy-diff.js';
export type { PolicyChange } from './policy-diff.js';
export { draftProblems, withDraft } from './draft-check.js';
