import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { conflict, notFound } from '../errors.js';
import { invokerOf } from '../identity/invoker.js';
import { canonicalBytes, canonicalJson } from '../ledger/canonical-json.js';
import { POLICY_SCOPE, bumpEpoch, patientScope, readEpoch } from '../ledger/epochs.js';
import { appendHistory, readHistory } from '../ledger/history.js';
import { ledgerOf, txTime, type LedgerStub } from '../ledger/ledger-context.js';
import { getRecord, putRecord } from '../ledger/record-store.js';
import * as arg from '../validation/arguments.js';
import { CONSENT, CONSENT_EVENT, consentKey, type ConsentRecord } from './consent-records.js';
import { revocationRight } from './revocation-rights.js';
import { PATIENT_CONSENT, patientConsentKey } from '../patient/patient-records.js';
import { assertNotErased } from '../patient/patient-records.js';

/** Chaincode event emitted when a consent is revoked; caches listen for it. */
export const CONSENT_REVOKED_EVENT = 'ConsentRevoked';

/** Chaincode event emitted when a consent (or objection) is recorded; caches listen for it. */
export const CONSENT_RECORDED_EVENT = 'ConsentRecorded';

/** Patient consents, anchored by hash under a pseudonymous patient id. */
@Info({ title: 'ConsentContract', description: 'Consent grants and revocations' })
export class ConsentContract extends Contract {
  constructor() {
    super('consent');
  }

  /**
   * Anchors a granted consent (`kind` `permit`, the default, or `deny` for an objection) and
   * adds it to the patient's consent set. Consent ids are never reused: a new grant gets a new id.
   */
  @Transaction()
  @Returns('string')
  async recordConsent(
    ctx: Context,
    consentId: string,
    patientRef: string,
    hash: string,
    version: string,
    kind?: string,
  ): Promise<string> {
    const id = arg.recordId('consentId', consentId);
    const patient = arg.patientRef('patientRef', patientRef);
    const h = arg.sha256Hex('hash', hash);
    const v = arg.versionLabel('version', version);
    const k = arg.consentKind('kind', kind === undefined || kind === '' ? 'permit' : kind);
    const { stub, identity } = ledgerOf(ctx);

    await assertNotErased(stub, patient);
    const key = consentKey(stub, id);
    if (await getRecord<ConsentRecord>(stub, key)) throw conflict(`consent ${id} is already recorded`);
    const at = txTime(stub);
    const record: ConsentRecord = {
      consentId: id,
      patientRef: patient,
      hash: h,
      version: v,
      status: 'active',
      recordedAt: at,
    };
    await putRecord(stub, CONSENT, key, record);
    // The patient's consent set: a deleted row (an objection above all) is noticed.
    await putRecord(stub, PATIENT_CONSENT, patientConsentKey(stub, patient, id), {
      patientRef: patient,
      consentId: id,
      kind: k,
    });
    await appendHistory(stub, CONSENT_EVENT, id, {
      action: 'recorded',
      consentId: id,
      patientRef: patient,
      hash: h,
      version: v,
      actorMsp: identity.getMSPID(),
      at,
      txId: stub.getTxID(),
    });
    const epoch = await bumpEpoch(stub, patientScope(patient));
    stub.setEvent(CONSENT_RECORDED_EVENT, canonicalBytes({ consentId: id, patientRef: patient, version: v, epoch }));
    return canonicalJson(record);
  }

  /**
   * Revokes a consent; emits `ConsentRevoked`. `reason` is an optional reason
   * code; through a peer pass '' for none, as Fabric requires every argument.
   */
  @Transaction()
  @Returns('string')
  async revokeConsent(ctx: Context, consentId: string, reason?: string): Promise<string> {
    const id = arg.recordId('consentId', consentId);
    const why = reason === undefined || reason === '' ? undefined : arg.reasonCode('reason', reason);
    const { stub, identity } = ledgerOf(ctx);

    const current = await mustGetConsent(stub, id);
    const revokedAs = revocationRight(invokerOf(identity), current.patientRef);
    if (current.status === 'revoked') throw conflict(`consent ${id} is already revoked`);
    const at = txTime(stub);
    const record: ConsentRecord = { ...current, status: 'revoked', revokedAt: at };
    await putRecord(stub, CONSENT, consentKey(stub, id), record);
    await appendHistory(stub, CONSENT_EVENT, id, {
      action: 'revoked',
      consentId: id,
      patientRef: record.patientRef,
      hash: record.hash,
      version: record.version,
      actorMsp: identity.getMSPID(),
      revokedAs,
      reason: why,
      at,
      txId: stub.getTxID(),
    });
    const { patientRef, version } = record;
    const epoch = await bumpEpoch(stub, patientScope(patientRef));
    stub.setEvent(CONSENT_REVOKED_EVENT, canonicalBytes({ consentId: id, patientRef, version, epoch }));
    return canonicalJson(record);
  }

  @Transaction(false)
  @Returns('string')
  async getConsentStatus(ctx: Context, consentId: string): Promise<string> {
    const id = arg.recordId('consentId', consentId);
    return canonicalJson(await mustGetConsent(ledgerOf(ctx).stub, id));
  }

  /**
   * The epochs a cached decision depends on: the patient's consents' (moved by every grant
   * and revocation) and the active policies' (moved by every activation). 0 before any.
   */
  @Transaction(false)
  @Returns('string')
  async getEpochs(ctx: Context, patientRef: string): Promise<string> {
    const patient = arg.patientRef('patientRef', patientRef);
    const { stub } = ledgerOf(ctx);
    const consents = await readEpoch(stub, patientScope(patient));
    const policies = await readEpoch(stub, POLICY_SCOPE);
    return canonicalJson({ patientRef: patient, consents, policies });
  }

  /** The consent's recorded and revoked steps, oldest first; NOT_FOUND for an unknown consent. */
  @Transaction(false)
  @Returns('string')
  async getConsentHistory(ctx: Context, consentId: string): Promise<string> {
    const id = arg.recordId('consentId', consentId);
    const { stub } = ledgerOf(ctx);
    await mustGetConsent(stub, id);
    return canonicalJson(await readHistory(stub, CONSENT_EVENT, id));
  }
}

async function mustGetConsent(stub: LedgerStub, consentId: string): Promise<ConsentRecord> {
  const record = await getRecord<ConsentRecord>(stub, consentKey(stub, consentId));
  if (!record) throw notFound(`consent ${consentId} is not recorded`);
  return record;
}
