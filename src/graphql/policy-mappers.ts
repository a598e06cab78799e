import type { PolicyVersionDiff, PolicyVersionInfo } from '../access/policy/policy-service.js';
import type { ActivePolicies as ActivePolicySet } from '../access/policy/policy-source.js';
import { PolicyStatusEnum, type ActivePolicies, type PolicyDiff, type PolicyVersion } from './types/policy.type.js';

const STATUS: Readonly<Record<PolicyVersionInfo['status'], PolicyStatusEnum>> = {
  draft: PolicyStatusEnum.DRAFT,
  approved: PolicyStatusEnum.APPROVED,
  active: PolicyStatusEnum.ACTIVE,
  superseded: PolicyStatusEnum.SUPERSEDED,
};

/** Service result → GraphQL `PolicyVersion`. */
export function toPolicyVersionType(info: PolicyVersionInfo): PolicyVersion {
  const { status, document, ...rest } = info;
  // A parsed policy document is a plain JSON object.
  return { ...rest, status: STATUS[status], document: document as unknown as Record<string, unknown> | null };
}

export function toPolicyDiffType(diff: PolicyVersionDiff): PolicyDiff {
  return { ...diff, changes: diff.changes.map((c) => ({ ...c })) };
}

export function toActivePoliciesType(active: ActivePolicySet): ActivePolicies {
  return {
    policies: active.policies.map((p) => ({
      jurisdiction: p.document.jurisdiction,
      version: p.document.version,
      hash: p.hash,
      activateTxId: p.activateTxId,
    })),
    violations: active.violations.map((v) => ({ ...v })),
  };
}
