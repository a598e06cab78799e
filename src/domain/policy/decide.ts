import type { ConsentRef } from '../consent/consent.js';
import { selectConsents } from '../consent/consent-selection.js';
import type { DecisionContext, DecisionRequest } from './decision-request.js';
import type { Decision, Obligation, Outcome, RegionDecision } from './decision.js';
import { resolvePolicy, type PolicyResolution } from './policy-chain.js';
import type { PolicyRef } from './policy-document.js';
import { OBLIGATION_KINDS } from './policy-vocabulary.js';
import { citedConsent } from './reason.js';
import { uniteWithOrdinary } from './break-glass-union.js';
import { decideRegion, type RegionResult } from './region-decision.js';

function overallOutcome(regions: readonly RegionDecision[]): Outcome {
  // Nothing to disclose is not a permit.
  if (regions.length === 0 || regions.every((r) => r.outcome === 'deny')) return 'deny';
  return regions.every((r) => r.outcome === 'permit') ? 'permit' : 'partial';
}

function obligationsOf(results: readonly RegionResult[]): Obligation[] {
  const active = results.flatMap((r) => (r.breakGlass.active ? [r.breakGlass] : []));
  if (active.length === 0) return [];
  const kinds = new Set(active.flatMap((bg) => bg.obligations));
  const expiresAt = Math.min(...active.map((bg) => bg.expiresAt.getTime()));
  return [
    ...OBLIGATION_KINDS.filter((k) => kinds.has(k)).map((kind): Obligation => ({ kind })),
    { kind: 'expires', at: new Date(expiresAt) },
  ];
}

function policiesUsed(results: readonly RegionResult[]): PolicyRef[] {
  const byKey = new Map(results.flatMap((r) => r.policies).map((p) => [`${p.jurisdiction}@${p.version}`, p]));
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, p]) => p);
}

/** Every consent a reason cites: those (and only those) decided something. */
function consentsUsed(
  regions: readonly RegionDecision[],
  request: DecisionRequest,
  context: DecisionContext,
): ConsentRef[] {
  const reasons = regions.flatMap((r) => [...r.categories, ...r.sensitive].flatMap((v) => v.reasons));
  const ids = new Set(reasons.map(citedConsent).filter((id) => id !== undefined));
  return context.consents
    .filter((c) => ids.has(c.id) && c.patientId === request.patientId)
    .map((c) => ({ id: c.id, version: c.version }))
    .sort((a, b) => (a.id === b.id ? (a.version < b.version ? -1 : 1) : a.id < b.id ? -1 : 1));
}

/** The requester's organisation has a verified care relationship with the patient in force at the request's instant. */
function treating(request: DecisionRequest, context: DecisionContext): boolean {
  const at = request.at.getTime();
  return (context.careRelationships ?? []).some(
    (r) =>
      r.patientId === request.patientId &&
      r.organisationId === request.requester.organisationId &&
      r.openedAt.getTime() <= at &&
      at < r.expiresAt.getTime(),
  );
}

/**
 * Decides what may be disclosed of one patient's records to one requester for one purpose:
 * per region and category, with the reasons, obligations and exact policy and consent
 * versions used. Pure and total: the same input always gives the same decision, and no
 * valid input throws. Deny overrides permit throughout.
 */
export function decide(request: DecisionRequest, context: DecisionContext): Decision {
  const emergency = evaluate(request, context);
  const results = emergency.some((r) => r.breakGlass.active)
    ? withOrdinary(request, emergency, evaluate(ordinaryRequest(request), context))
    : emergency;
  const regions = results.map((r) => r.decision);
  return {
    outcome: overallOutcome(regions),
    regions,
    obligations: obligationsOf(results),
    breakGlass: results.some((r) => r.breakGlass.active),
    policiesUsed: policiesUsed(results),
    consentsUsed: consentsUsed(
      regions.flatMap((r) => r.parts ?? [r]),
      request,
      context,
    ),
    deidentify: deidentifies(request, context),
  };
}

/** Some policy of the requester or of a region asks for a de-identified answer for the purpose. */
function deidentifies(request: DecisionRequest, context: DecisionContext): boolean {
  return [request.requester.jurisdiction, ...request.regions.map((t) => t.jurisdiction)].some((code) => {
    const resolved = resolvePolicy(code, context.policies);
    return resolved.ok && resolved.policy.purposes[request.purpose].deidentify;
  });
}

/** The same requester asking for treatment at the same instant, with no emergency claim. */
function ordinaryRequest(request: DecisionRequest): DecisionRequest {
  const ordinary: { -readonly [K in keyof DecisionRequest]: DecisionRequest[K] } = { ...request, purpose: 'TREAT' };
  delete ordinary.breakGlass;
  return ordinary;
}

/**
 * Each region read under break-glass answers at least what TREAT would: the union of both
 * decisions (see uniteWithOrdinary). A region where break-glass does not hold is left as decided.
 */
function withOrdinary(
  request: DecisionRequest,
  emergency: readonly RegionResult[],
  ordinary: readonly RegionResult[],
): RegionResult[] {
  return emergency.map((result, i) => {
    const other = ordinary[i];
    if (!result.breakGlass.active || other === undefined) return result;
    const known = request.sensitivityPresent?.[result.decision.region] !== undefined;
    return {
      decision: uniteWithOrdinary(result.decision, other.decision, known),
      policies: [...result.policies, ...other.policies],
      breakGlass: result.breakGlass,
    };
  });
}

function evaluate(request: DecisionRequest, context: DecisionContext): RegionResult[] {
  const resolve = (code: string): PolicyResolution => resolvePolicy(code, context.policies);
  const requesterPolicy = resolve(request.requester.jurisdiction);
  const families = requesterPolicy.ok ? requesterPolicy.policy.chain : [];
  const requester = { ...request.requester, families, treating: treating(request, context) };
  // A requester no policy governs is judged without the patient's consents.
  const consents = selectConsents(requesterPolicy.ok ? context.consents : [], {
    patientId: request.patientId,
    purpose: request.purpose,
    at: request.at,
    requester,
  });
  const shared = { request, requesterPolicy, consents, requester, resolve };
  return request.regions.map((target) => decideRegion(shared, target));
}
