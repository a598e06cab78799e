import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { conflict, forbidden, invalidArgument, notFound } from '../errors.js';
import { invokerOf } from '../identity/invoker.js';
import { canonicalBytes, canonicalJson } from '../ledger/canonical-json.js';
import { bumpEpoch, patientScope } from '../ledger/epochs.js';
import { ledgerOf, txTime, type LedgerStub } from '../ledger/ledger-context.js';
import { getRecord, putRecord } from '../ledger/record-store.js';
import { revocationRight } from '../consent/revocation-rights.js';
import * as arg from '../validation/arguments.js';
import { CARE, careKey, PATIENT_CARE, patientCareKey, type CareRecord } from './care-records.js';
import { assertNotErased } from '../patient/patient-records.js';

/** Chaincode event emitted when a care relationship opens or ends; caches listen for it. */
export const CARE_CHANGED_EVENT = 'CareRelationshipChanged';

/** Longest episode a relationship may be anchored for. */
const MAX_EPISODE_MS = 366 * 24 * 3600 * 1000;

/**
 * Care relationships: an organisation treating a patient, opened at the point of care with
 * the patient's access code (the gateway checks the code, so only a gateway records one) and
 * ended by the patient or their delegate. Every change moves the patient's epoch.
 */
@Info({ title: 'CareContract', description: 'Care relationships between patients and treating organisations' })
export class CareContract extends Contract {
  constructor() {
    super('care');
  }

  /** Anchors an opened relationship, in force until `expiresAt` (ISO-8601, after the transaction's time). */
  @Transaction()
  @Returns('string')
  async recordCareRelationship(
    ctx: Context,
    relationshipId: string,
    patientRef: string,
    hash: string,
    expiresAt: string,
  ): Promise<string> {
    const id = arg.recordId('relationshipId', relationshipId);
    const patient = arg.patientRef('patientRef', patientRef);
    const h = arg.sha256Hex('hash', hash);
    const until = arg.isoTime('expiresAt', expiresAt);
    const { stub, identity } = ledgerOf(ctx);
    if (invokerOf(identity).role !== 'gateway') throw forbidden('only a gateway records a care relationship');
    await assertNotErased(stub, patient);
    const at = txTime(stub);
    const now = Date.parse(at);
    if (until <= now || until - now > MAX_EPISODE_MS) {
      throw invalidArgument('expiresAt', 'must be after the transaction time and within 366 days of it');
    }
    const key = careKey(stub, id);
    if (await getRecord<CareRecord>(stub, key)) throw conflict(`care relationship ${id} is already recorded`);
    const record: CareRecord = {
      relationshipId: id,
      patientRef: patient,
      hash: h,
      expiresAt: new Date(until).toISOString(),
      status: 'open',
      recordedAt: at,
    };
    await putRecord(stub, CARE, key, record);
    await putRecord(stub, PATIENT_CARE, patientCareKey(stub, patient, id), { patientRef: patient, relationshipId: id });
    const epoch = await bumpEpoch(stub, patientScope(patient));
    stub.setEvent(
      CARE_CHANGED_EVENT,
      canonicalBytes({ relationshipId: id, patientRef: patient, status: 'open', epoch }),
    );
    return canonicalJson(record);
  }

  /** Ends a relationship before it expires: the patient, or a delegate for the patient, only. */
  @Transaction()
  @Returns('string')
  async endCareRelationship(ctx: Context, relationshipId: string): Promise<string> {
    const id = arg.recordId('relationshipId', relationshipId);
    const { stub, identity } = ledgerOf(ctx);
    const current = await mustGet(stub, id);
    revocationRight(invokerOf(identity), current.patientRef);
    if (current.status === 'ended') throw conflict(`care relationship ${id} has already ended`);
    const record: CareRecord = { ...current, status: 'ended', endedAt: txTime(stub), endTxId: stub.getTxID() };
    await putRecord(stub, CARE, careKey(stub, id), record);
    const epoch = await bumpEpoch(stub, patientScope(record.patientRef));
    stub.setEvent(
      CARE_CHANGED_EVENT,
      canonicalBytes({ relationshipId: id, patientRef: record.patientRef, status: 'ended', epoch }),
    );
    return canonicalJson(record);
  }

  @Transaction(false)
  @Returns('string')
  async getCareRelationship(ctx: Context, relationshipId: string): Promise<string> {
    const id = arg.recordId('relationshipId', relationshipId);
    return canonicalJson(await mustGet(ledgerOf(ctx).stub, id));
  }
}

async function mustGet(stub: LedgerStub, relationshipId: string): Promise<CareRecord> {
  const record = await getRecord<CareRecord>(stub, careKey(stub, relationshipId));
  if (!record) throw notFound(`care relationship ${relationshipId} is not recorded`);
  return record;
}
