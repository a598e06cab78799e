import type { ConsentRef } from '../consent/consent.js';
import { selectConsents, type ConsentSelection } from '../consent/consent-selection.js';
import type { DecisionContext, DecisionRequest } from './decision-request.js';
import type { Decision, Obligation, Outcome, RegionDecision } from './decision.js';
import { resolvePolicy, type PolicyResolution } from './policy-chain.js';
import type { PolicyRef } from './policy-document.js';
import { OBLIGATION_KINDS } from './policy-vocabulary.js';
import { citedConsent } from './reason.js';
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

const NO_CONSENTS: ConsentSelection = { permits: [], objections: [], revoked: [], expired: [], notYetValid: [] };

function selectionFor(
  request: DecisionRequest,
  context: DecisionContext,
  requester: PolicyResolution,
): ConsentSelection {
  if (!requester.ok) return NO_CONSENTS;
  return selectConsents(context.consents, {
    patientId: request.patientId,
    purpose: request.purpose,
    at: request.at,
    requester: { ...request.requester, families: requester.policy.chain },
  });
}

/**
 * Decides what may be disclosed of one patient's records to one requester for one purpose:
 * per region and category, with the reasons, obligations and exact policy and consent
 * versions used. Pure and total: the same input always gives the same decision, and no
 * valid input throws. Deny overrides permit throughout.
 */
export function decide(request: DecisionRequest, context: DecisionContext): Decision {
  const cache = new Map<string, PolicyResolution>();
  const resolve = (code: string): PolicyResolution => {
    const known = cache.get(code) ?? resolvePolicy(code, context.policies);
    cache.set(code, known);
    return known;
  };
  const requesterPolicy = resolve(request.requester.jurisdiction);
  const families = requesterPolicy.ok ? requesterPolicy.policy.chain : [];
  const shared = {
    request,
    requesterPolicy,
    consents: selectionFor(request, context, requesterPolicy),
    requester: { ...request.requester, families },
    resolve,
  };
  const results = request.regions.map((target) => decideRegion(shared, target));
  const regions = results.map((r) => r.decision);
  return {
    outcome: overallOutcome(regions),
    regions,
    obligations: obligationsOf(results),
    breakGlass: results.some((r) => r.breakGlass.active),
    policiesUsed: policiesUsed(results),
    consentsUsed: consentsUsed(regions, request, context),
    deidentify: [requesterPolicy, ...request.regions.map((t) => resolve(t.jurisdiction))].some(
      (p) => p.ok && p.policy.purposes[request.purpose].deidentify,
    ),
  };
}
