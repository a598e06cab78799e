import { effectivePolicy, type EffectivePolicy } from './effective-policy.js';
import { coversJurisdiction } from './jurisdiction.js';
import type { OverlayPolicyDocument, PolicyDocument, RootPolicyDocument } from './policy-document.js';
import type { Reason } from './reason.js';

/** The rules in force for a jurisdiction, or why there are none (then nothing is disclosed). */
export type PolicyResolution =
  { readonly ok: true; readonly policy: EffectivePolicy } | { readonly ok: false; readonly reason: Reason };

interface ChainDocs {
  readonly root: RootPolicyDocument;
  /** Parent before child. */
  readonly overlays: readonly OverlayPolicyDocument[];
}

type Chain = { readonly ok: true; readonly chain: ChainDocs } | { readonly ok: false; readonly reason: Reason };

/** The chain from a policy up to its regional policy. */
function chainOf(start: PolicyDocument, byId: ReadonlyMap<string, readonly PolicyDocument[]>, code: string): Chain {
  const overlays: OverlayPolicyDocument[] = [];
  let current = start;
  while (current.extends !== undefined) {
    overlays.unshift(current);
    const parents = byId.get(current.extends) ?? [];
    const parent = parents[0];
    if (parent === undefined || overlays.some((o) => o === parent)) {
      return { ok: false, reason: { code: 'POLICY_CHAIN_BROKEN', jurisdiction: code, missing: current.extends } };
    }
    if (parents.length > 1) return { ok: false, reason: { code: 'POLICY_AMBIGUOUS', jurisdiction: code } };
    current = parent;
  }
  return { ok: true, chain: { root: current, overlays } };
}

function contains(chain: ChainDocs, doc: PolicyDocument): boolean {
  return chain.root === doc || chain.overlays.some((o) => o === doc);
}

function indexById(policies: readonly PolicyDocument[]): Map<string, PolicyDocument[]> {
  const byId = new Map<string, PolicyDocument[]>();
  for (const p of policies) byId.set(p.jurisdiction, [...(byId.get(p.jurisdiction) ?? []), p]);
  return byId;
}

/**
 * Resolves the policies in force for jurisdiction `code`: the most specific policy
 * covering it and every policy it extends (`DE` → [EU, DE], `US-MA` → [US]).
 * Every policy covering `code` must lie on that one chain, and each policy id must be
 * active in one version only; otherwise the jurisdiction is ambiguous and denied.
 */
export function resolvePolicy(code: string, policies: readonly PolicyDocument[]): PolicyResolution {
  // Pure in its inputs: resolved once per policy set (a set the caller keeps, as a cached one is) and code.
  let known = resolutions.get(policies);
  if (known === undefined) resolutions.set(policies, (known = new Map<string, PolicyResolution>()));
  let resolution = known.get(code);
  if (resolution === undefined) known.set(code, (resolution = resolveUncached(code, policies)));
  return resolution;
}

const resolutions = new WeakMap<readonly PolicyDocument[], Map<string, PolicyResolution>>();

function resolveUncached(code: string, policies: readonly PolicyDocument[]): PolicyResolution {
  const byId = indexById(policies);
  const covering = policies.filter((p) => p.covers.some((entry) => coversJurisdiction(entry, code)));
  if (covering.length === 0) return { ok: false, reason: { code: 'NO_POLICY', jurisdiction: code } };
  if (covering.some((p) => (byId.get(p.jurisdiction)?.length ?? 0) > 1)) {
    return { ok: false, reason: { code: 'POLICY_AMBIGUOUS', jurisdiction: code } };
  }
  const resolved: ChainDocs[] = [];
  for (const p of covering) {
    const found = chainOf(p, byId, code);
    if (!found.ok) return found;
    resolved.push(found.chain);
  }
  const deepest = resolved.reduce((a, b) => (b.overlays.length > a.overlays.length ? b : a));
  if (!covering.every((p) => contains(deepest, p))) {
    return { ok: false, reason: { code: 'POLICY_AMBIGUOUS', jurisdiction: code } };
  }
  return { ok: true, policy: effectivePolicy(deepest.root, deepest.overlays) };
}
