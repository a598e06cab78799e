import type { HistoryStamp } from '../ledger/history.js';
import type { LedgerStub } from '../ledger/ledger-context.js';
import type { RecordSchema } from '../validation/payload-guard.js';

/** recorded → approved → active → retired; a retired version may be activated again (rollback). */
export type PolicyStatus = 'recorded' | 'approved' | 'active' | 'retired';

/** One version of a jurisdiction's policy document, known by its hash only. */
export interface PolicyVersion {
  readonly jurisdiction: string;
  readonly version: string;
  readonly hash: string;
  readonly status: PolicyStatus;
  readonly author: string;
  readonly authorMsp: string;
  readonly recordedAt: string;
  readonly approver?: string;
  readonly approverMsp?: string;
  readonly approvedAt?: string;
  readonly activatedAt?: string;
  readonly retiredAt?: string;
}

export const POLICY_VERSION: RecordSchema<PolicyVersion> = {
  type: 'meridian.policy.version',
  fields: {
    jurisdiction: true,
    version: true,
    hash: true,
    status: true,
    author: true,
    authorMsp: true,
    recordedAt: true,
    approver: true,
    approverMsp: true,
    approvedAt: true,
    activatedAt: true,
    retiredAt: true,
  },
};

/** Which version is active in a jurisdiction. */
export interface ActivePolicy {
  readonly jurisdiction: string;
  readonly version: string;
}

export const ACTIVE_POLICY: RecordSchema<ActivePolicy> = {
  type: 'meridian.policy.active',
  fields: { jurisdiction: true, version: true },
};

/** One step in a jurisdiction's policy history. */
export interface PolicyEvent extends HistoryStamp {
  readonly action: 'recorded' | 'approved' | 'activated';
  readonly jurisdiction: string;
  readonly version: string;
  readonly hash: string;
  readonly actor: string;
  readonly actorMsp: string;
  /** On activation: the version it replaced, if any. */
  readonly previousVersion?: string;
}

export const POLICY_EVENT: RecordSchema<PolicyEvent> = {
  type: 'meridian.policy.history',
  fields: {
    action: true,
    jurisdiction: true,
    version: true,
    hash: true,
    actor: true,
    actorMsp: true,
    previousVersion: true,
    at: true,
    txId: true,
  },
};

export function policyVersionKey(stub: LedgerStub, jurisdiction: string, version: string): string {
  return stub.createCompositeKey(POLICY_VERSION.type, [jurisdiction, version]);
}

export function activePolicyKey(stub: LedgerStub, jurisdiction: string): string {
  return stub.createCompositeKey(ACTIVE_POLICY.type, [jurisdiction]);
}
