import { overlayLoosenings } from './overlay-check.js';
import type { OverlayPolicyDocument, PolicyDocument, RootPolicyDocument } from './policy-document.js';

type Chain =
  | { readonly ok: true; readonly root: RootPolicyDocument; readonly parents: OverlayPolicyDocument[] }
  | { readonly ok: false; readonly problem: string };

function chainAbove(overlay: OverlayPolicyDocument, byId: ReadonlyMap<string, PolicyDocument>): Chain {
  const parents: OverlayPolicyDocument[] = [];
  const seen = new Set([overlay.jurisdiction]);
  let parentId = overlay.extends;
  for (;;) {
    const parent = byId.get(parentId);
    if (parent === undefined) return { ok: false, problem: `extends: policy ${parentId} has no active version` };
    if (seen.has(parent.jurisdiction)) return { ok: false, problem: `extends: policy ${parentId} forms a cycle` };
    seen.add(parent.jurisdiction);
    if (parent.extends === undefined) return { ok: true, root: parent, parents };
    parents.unshift(parent);
    parentId = parent.extends;
  }
}

/**
 * Why a policy version may not become active beside the active policies, one line per
 * path: an overlay must extend an active chain and must not loosen it. A regional
 * policy has nothing above it. The draft's own id in `active` is the version it replaces.
 */
export function draftProblems(draft: PolicyDocument, active: readonly PolicyDocument[]): string[] {
  if (draft.extends === undefined) return [];
  const byId = new Map(active.filter((p) => p.jurisdiction !== draft.jurisdiction).map((p) => [p.jurisdiction, p]));
  const chain = chainAbove(draft, byId);
  if (!chain.ok) return [chain.problem];
  return overlayLoosenings(chain.root, chain.parents, draft);
}

/**
 * The active documents with `draft` in place of its jurisdiction's active version: what
 * the policy engine would see were the draft activated (simulation, checks).
 */
export function withDraft(active: readonly PolicyDocument[], draft: PolicyDocument): PolicyDocument[] {
  return [...active.filter((p) => p.jurisdiction !== draft.jurisdiction), draft];
}
