import type { AuditReason, BreakGlassRecord, DisclosureReceipt } from '../../domain/audit-event.js';
import { MeridianError } from '../../domain/errors.js';
import { denialCodeOf, denialNotice, type Decision, type RegionDecision } from '../../domain/policy/index.js';
import type { PurposeOfUse } from '../../domain/purpose.js';
import type { PartialFailure } from './partial-failure.js';

// How a decision is told: to the requester (errors beside the data, or the error of a
// denied request) and to the audit log (reasons, break-glass).

/** What the decision withholds, region by region, as the requester may be told. */
export function withholdings(decision: Decision): PartialFailure[] {
  return decision.regions.flatMap((region) => {
    if (region.outcome === 'permit') return [];
    const denied = region.categories.filter((c) => c.effect === 'deny');
    const reported = region.sensitive.filter((s) => s.effect === 'deny' && !s.hidden);
    const code = region.code ?? denialCodeOf([...denied, ...reported].flatMap((d) => d.reasons));
    return [{ code, region: region.region, message: `Region ${region.region}: ${region.message}` }];
  });
}

/** The decision's reasons for the audit log: denial codes per region, and the engine's own reasons. */
export function decisionReasons(decision: Decision): AuditReason[] {
  return decision.regions.flatMap((r: RegionDecision): AuditReason[] => [
    ...(r.code !== undefined ? [{ code: r.code, region: r.region }] : []),
    ...r.reasons.map((reason) => ({ code: reason.code, region: r.region })),
    ...r.categories
      .filter((c) => c.effect === 'deny')
      .flatMap((c) => c.reasons.map((reason) => ({ code: reason.code, region: r.region, category: c.category }))),
    ...r.sensitive
      .filter((s) => s.effect === 'deny')
      .flatMap((s) => s.reasons.map((reason) => ({ code: reason.code, region: r.region, label: s.label }))),
  ]);
}

/** The break-glass claim as the audit log records it, when one was made. */
export function breakGlassOf(
  claim: { readonly justification?: string },
  decision: Decision,
): { breakGlass?: BreakGlassRecord } {
  if (claim.justification === undefined) return {};
  const expires = decision.obligations.find((o) => o.kind === 'expires');
  return {
    breakGlass: {
      justification: claim.justification,
      granted: decision.breakGlass,
      expiresAt: expires && 'at' in expires ? expires.at.toISOString() : null,
      obligations: decision.obligations.filter((o) => o.kind !== 'expires').map((o) => o.kind),
    },
  };
}

/**
 * The error of a request that discloses nothing: the code that tells the requester what would
 * help, and no region, jurisdiction of the data or consent (see `denialNotice`).
 */
export function denial(decision: Decision, purpose: PurposeOfUse, receipt: DisclosureReceipt): MeridianError {
  const notice = denialNotice(decision, purpose);
  return new MeridianError(notice.code, notice.message, { decisionId: receipt.decisionId });
}
