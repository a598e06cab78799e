import type { PurposeOfUse } from '../../domain/purpose.js';
import { traced } from '../../tracing/traced.js';
import type { DisclosurePlan } from './access-decider.js';

/**
 * The access decision as a span: purpose, operation, outcome and how many regions it lets
 * be read. The patient, the requester and the categories' contents stay out of it.
 */
export function tracedDecision<T extends { readonly plan: DisclosurePlan }>(
  purpose: PurposeOfUse,
  operation: string,
  decide: () => Promise<T>,
): Promise<T> {
  return traced('access decision', { 'meridian.purpose': purpose, 'meridian.operation': operation }, async (span) => {
    const decided = await decide();
    const { plan } = decided;
    span?.setAttributes({
      'meridian.decision.outcome': plan.decision.outcome,
      'meridian.decision.regions': plan.decision.regions.length,
      'meridian.decision.readable_regions': plan.readable.length,
    });
    return decided;
  });
}

/** One region's read as a span: the region id and how many records passed or failed their anchor check. */
export function tracedRegionRead<
  T extends { readonly verified: readonly unknown[]; readonly violations: readonly unknown[] },
>(region: string, read: () => Promise<T>): Promise<T> {
  return traced('region read', { 'meridian.region': region }, async (span) => {
    const checked = await read();
    span?.setAttributes({
      'meridian.records.verified': checked.verified.length,
      'meridian.records.violations': checked.violations.length,
    });
    return checked;
  });
}
