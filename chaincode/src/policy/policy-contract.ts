import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { conflict, forbidden, notFound } from '../errors.js';
import { invokerOf } from '../identity/invoker.js';
import { canonicalBytes, canonicalJson } from '../ledger/canonical-json.js';
import { POLICY_SCOPE, bumpEpoch } from '../ledger/epochs.js';
import { appendHistory, readHistory } from '../ledger/history.js';
import { ledgerOf, txTime, type LedgerStub } from '../ledger/ledger-context.js';
import { getRecord, putRecord } from '../ledger/record-store.js';
import * as arg from '../validation/arguments.js';
import { requireComplianceOfficer, requireSelf, type ComplianceOfficer } from './compliance-officer.js';
import {
  ACTIVE_POLICY,
  POLICY_EVENT,
  POLICY_VERSION,
  activePolicyKey,
  policyVersionKey,
  type ActivePolicy,
  type PolicyEvent,
  type PolicyVersion,
} from './policy-records.js';

/** Chaincode event emitted when a jurisdiction's active policy changes. */
export const POLICY_ACTIVATED_EVENT = 'PolicyActivated';

/**
 * Jurisdiction policy versions, anchored by hash: recorded by one compliance
 * officer, approved by a different officer of the same jurisdiction (four
 * eyes), then activated.
 */
@Info({ title: 'PolicyContract', description: 'Policy versions: record, four-eyes approval, activation' })
export class PolicyContract extends Contract {
  constructor() {
    super('policy');
  }

  /** Records a new version; `author` must be the invoker's own `meridian.user`. */
  @Transaction()
  @Returns('string')
  async recordPolicyVersion(
    ctx: Context,
    jurisdiction: string,
    version: string,
    hash: string,
    author: string,
  ): Promise<string> {
    const j = arg.jurisdiction('jurisdiction', jurisdiction);
    const v = arg.versionLabel('version', version);
    const h = arg.sha256Hex('hash', hash);
    const a = arg.userId('author', author);
    const { stub, identity } = ledgerOf(ctx);
    const officer = requireComplianceOfficer(invokerOf(identity), j);
    requireSelf(officer, 'author', a);

    const key = policyVersionKey(stub, j, v);
    if (await getRecord<PolicyVersion>(stub, key)) throw conflict(`policy ${j} version ${v} is already recorded`);
    const at = txTime(stub);
    const record: PolicyVersion = {
      jurisdiction: j,
      version: v,
      hash: h,
      status: 'recorded',
      author: officer.user,
      authorMsp: officer.mspId,
      recordedAt: at,
    };
    await putRecord(stub, POLICY_VERSION, key, record);
    await logStep(stub, 'recorded', record, officer, at);
    return canonicalJson(record);
  }

  /** Approves a recorded version; the approver must not be its author. */
  @Transaction()
  @Returns('string')
  async approvePolicyVersion(ctx: Context, jurisdiction: string, version: string, approver: string): Promise<string> {
    const j = arg.jurisdiction('jurisdiction', jurisdiction);
    const v = arg.versionLabel('version', version);
    const a = arg.userId('approver', approver);
    const { stub, identity } = ledgerOf(ctx);
    const officer = requireComplianceOfficer(invokerOf(identity), j);
    requireSelf(officer, 'approver', a);

    const current = await mustGetVersion(stub, j, v);
    if (current.author === officer.user) {
      throw forbidden(`policy ${j} version ${v} must be approved by a compliance officer other than its author`);
    }
    if (current.status !== 'recorded') throw conflict(`policy ${j} version ${v} is already ${current.status}`);
    const at = txTime(stub);
    const record: PolicyVersion = {
      ...current,
      status: 'approved',
      approver: officer.user,
      approverMsp: officer.mspId,
      approvedAt: at,
    };
    await putRecord(stub, POLICY_VERSION, policyVersionKey(stub, j, v), record);
    await logStep(stub, 'approved', record, officer, at);
    return canonicalJson(record);
  }

  /** Makes an approved version the jurisdiction's active policy; emits `PolicyActivated`. */
  @Transaction()
  @Returns('string')
  async activatePolicyVersion(ctx: Context, jurisdiction: string, version: string): Promise<string> {
    const j = arg.jurisdiction('jurisdiction', jurisdiction);
    const v = arg.versionLabel('version', version);
    const { stub, identity } = ledgerOf(ctx);
    const officer = requireComplianceOfficer(invokerOf(identity), j);

    const current = await mustGetVersion(stub, j, v);
    if (current.status === 'recorded') throw conflict(`policy ${j} version ${v} is not approved`);
    if (current.status === 'active') throw conflict(`policy ${j} version ${v} is already active`);
    const at = txTime(stub);
    const previous = await getRecord<ActivePolicy>(stub, activePolicyKey(stub, j));
    if (previous) {
      const old = await mustGetVersion(stub, j, previous.version);
      await putRecord(stub, POLICY_VERSION, policyVersionKey(stub, j, old.version), {
        ...old,
        status: 'retired',
        retiredAt: at,
      });
    }
    const record: PolicyVersion = { ...current, status: 'active', activatedAt: at };
    await putRecord(stub, POLICY_VERSION, policyVersionKey(stub, j, v), record);
    await putRecord(stub, ACTIVE_POLICY, activePolicyKey(stub, j), { jurisdiction: j, version: v });
    await logStep(stub, 'activated', record, officer, at, previous?.version);
    const epoch = await bumpEpoch(stub, POLICY_SCOPE);
    stub.setEvent(POLICY_ACTIVATED_EVENT, canonicalBytes({ jurisdiction: j, version: v, hash: record.hash, epoch }));
    return canonicalJson(record);
  }

  /** The jurisdiction's active version; NOT_FOUND while none has been activated. */
  @Transaction(false)
  @Returns('string')
  async getActivePolicy(ctx: Context, jurisdiction: string): Promise<string> {
    const j = arg.jurisdiction('jurisdiction', jurisdiction);
    const { stub } = ledgerOf(ctx);
    const active = await getRecord<ActivePolicy>(stub, activePolicyKey(stub, j));
    if (!active) throw notFound(`jurisdiction ${j} has no active policy`);
    return canonicalJson(await mustGetVersion(stub, j, active.version));
  }

  @Transaction(false)
  @Returns('string')
  async getPolicyVersion(ctx: Context, jurisdiction: string, version: string): Promise<string> {
    const j = arg.jurisdiction('jurisdiction', jurisdiction);
    const v = arg.versionLabel('version', version);
    return canonicalJson(await mustGetVersion(ledgerOf(ctx).stub, j, v));
  }

  /** Every recorded, approved and activated step for the jurisdiction, oldest first. */
  @Transaction(false)
  @Returns('string')
  async getPolicyHistory(ctx: Context, jurisdiction: string): Promise<string> {
    const j = arg.jurisdiction('jurisdiction', jurisdiction);
    return canonicalJson(await readHistory(ledgerOf(ctx).stub, POLICY_EVENT, j));
  }
}

async function mustGetVersion(stub: LedgerStub, jurisdiction: string, version: string): Promise<PolicyVersion> {
  const record = await getRecord<PolicyVersion>(stub, policyVersionKey(stub, jurisdiction, version));
  if (!record) throw notFound(`policy ${jurisdiction} version ${version} is not recorded`);
  return record;
}

async function logStep(
  stub: LedgerStub,
  action: PolicyEvent['action'],
  record: PolicyVersion,
  officer: ComplianceOfficer,
  at: string,
  previousVersion?: string,
): Promise<void> {
  const { jurisdiction, version, hash } = record;
  await appendHistory(stub, POLICY_EVENT, jurisdiction, {
    action,
    jurisdiction,
    version,
    hash,
    actor: officer.user,
    actorMsp: officer.mspId,
    previousVersion,
    at,
    txId: stub.getTxID(),
  });
}
