import { createHash } from 'node:crypto';
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { conflict, forbidden, invalidArgument } from '../errors.js';
import { invokerOf } from '../identity/invoker.js';
import { canonicalBytes, canonicalJson } from '../ledger/canonical-json.js';
import { POLICY_SCOPE, bumpEpoch, patientScope, readEpoch } from '../ledger/epochs.js';
import { ledgerOf, txTime } from '../ledger/ledger-context.js';
import { getRecord, listRecords, putRecord } from '../ledger/record-store.js';
import type { ConsentRecord, ConsentStatus } from '../consent/consent-records.js';
import { CONSENT, CONSENT_EVENT, consentKey } from '../consent/consent-records.js';
import { appendHistory } from '../ledger/history.js';
import * as arg from '../validation/arguments.js';
import {
  CARE,
  careKey,
  PATIENT_CARE,
  type CareRecord,
  type CareStatus,
  type PatientCareEntry,
} from '../care/care-records.js';
import {
  assertNotErased,
  erasureOf,
  PATIENT_CONSENT,
  PATIENT_ERASURE,
  PATIENT_LOCATION,
  patientErasureKey,
  patientLocationKey,
  type ConsentKind,
  type PatientConsentEntry,
  type PatientLocationEntry,
} from './patient-records.js';

/** Most index entries one transaction takes. */
export const MAX_INDEX_ENTRIES = 1000;

/** Emitted when a patient's data is erased: every gateway drops what it holds for the patient. */
export const PATIENT_ERASED_EVENT = 'PatientErased';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A consent of the patient's set, with its anchor as it stands. */
export interface PatientStateConsent {
  readonly consentId: string;
  readonly kind: ConsentKind;
  readonly hash: string;
  readonly version: string;
  readonly status: ConsentStatus;
}

/** A care relationship of the patient's set, with its anchor as it stands. */
export interface PatientStateCare {
  readonly relationshipId: string;
  readonly hash: string;
  readonly expiresAt: string;
  readonly status: CareStatus;
}

/** Everything the gateway checks its own rows for one patient against, in one read. */
export interface PatientState {
  readonly patientRef: string;
  /** The patient's consent epoch (moved by grants, revocations and index changes), and the policy epoch. */
  readonly consents: number;
  readonly policies: number;
  readonly consentSet: readonly PatientStateConsent[];
  readonly careSet: readonly PatientStateCare[];
  readonly locations: readonly Omit<PatientLocationEntry, 'patientRef'>[];
  /** Set once the patient's data was erased: no region holds anything of theirs any more. */
  readonly erasure?: { readonly erasureId: string; readonly erasedAt: string; readonly txId: string };
}

interface IndexEntry {
  readonly patientRef: string;
  readonly region: string;
  readonly location: string;
  readonly records: string;
  readonly recordCount: number;
}

function indexEntries(value: string): IndexEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidArgument('entries', 'must be a JSON array');
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > MAX_INDEX_ENTRIES) {
    throw invalidArgument('entries', `must be a JSON array of 1-${MAX_INDEX_ENTRIES} entries`);
  }
  return parsed.map((e: unknown, i) => {
    const o = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    const count = o.recordCount;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw invalidArgument(`entries[${i}].recordCount`, 'must be a whole number of 0 or more');
    }
    return {
      patientRef: arg.patientRef(`entries[${i}].patientRef`, o.patientRef),
      region: arg.region(`entries[${i}].region`, o.region),
      location: arg.sha256Hex(`entries[${i}].location`, o.location),
      records: arg.sha256Hex(`entries[${i}].records`, o.records),
      recordCount: count,
    };
  });
}

/**
 * The master patient index as the ledger knows it: per patient, which regions hold records
 * under which local id, which records, and which consents exist. The gateway checks its
 * rows against it before disclosing, so a deleted, remapped or relabelled row is noticed.
 */
@Info({ title: 'PatientContract', description: 'Patient index and consent-set anchors' })
export class PatientContract extends Contract {
  constructor() {
    super('patient');
  }

  /**
   * Records (or replaces) patient-index entries, `entries` a JSON array of
   * `{patientRef, region, location, records, recordCount}`; moves each patient's epoch.
   */
  @Transaction()
  @Returns('string')
  async recordPatientIndex(ctx: Context, entries: string): Promise<string> {
    const list = indexEntries(entries);
    const { stub, identity } = ledgerOf(ctx);
    if (invokerOf(identity).role !== 'gateway') throw forbidden('only a gateway writes the patient index');
    const txId = stub.getTxID();
    for (const p of new Set(list.map((e) => e.patientRef))) await assertNotErased(stub, p);
    for (const e of list) {
      await putRecord(stub, PATIENT_LOCATION, patientLocationKey(stub, e.patientRef, e.region), { ...e, txId });
    }
    const patients = [...new Set(list.map((e) => e.patientRef))];
    for (const p of patients) await bumpEpoch(stub, patientScope(p));
    return canonicalJson({ entries: list.length, patients: patients.length, txId });
  }

  /** The patient's index entries, consent and care sets with each one's anchor, and epochs. */
  @Transaction(false)
  @Returns('string')
  async getPatientState(ctx: Context, patientRef: string): Promise<string> {
    const patient = arg.patientRef('patientRef', patientRef);
    const { stub } = ledgerOf(ctx);
    const entries = await listRecords<PatientConsentEntry>(stub, PATIENT_CONSENT.type, [patient]);
    const consentSet: PatientStateConsent[] = [];
    for (const e of entries) {
      const c = await getRecord<ConsentRecord>(stub, consentKey(stub, e.consentId));
      if (c)
        consentSet.push({ consentId: e.consentId, kind: e.kind, hash: c.hash, version: c.version, status: c.status });
    }
    const careSet: PatientStateCare[] = [];
    for (const e of await listRecords<PatientCareEntry>(stub, PATIENT_CARE.type, [patient])) {
      const c = await getRecord<CareRecord>(stub, careKey(stub, e.relationshipId));
      if (c) careSet.push({ relationshipId: c.relationshipId, hash: c.hash, expiresAt: c.expiresAt, status: c.status });
    }
    const locations = (await listRecords<PatientLocationEntry>(stub, PATIENT_LOCATION.type, [patient])).map(
      ({ patientRef: _omit, ...rest }) => rest,
    );
    const erased = await erasureOf(stub, patient);
    const state: PatientState = {
      patientRef: patient,
      consents: await readEpoch(stub, patientScope(patient)),
      policies: await readEpoch(stub, POLICY_SCOPE),
      consentSet,
      careSet,
      locations,
      ...(erased ? { erasure: { erasureId: erased.erasureId, erasedAt: erased.erasedAt, txId: erased.txId } } : {}),
    };
    return canonicalJson(state);
  }

  /**
   * Erases what the ledger says of a patient (gateway only, once): every index entry becomes
   * the entry of no local id and no records, every active consent is revoked and every open
   * care relationship ended, and the erasure is recorded, so nothing is disclosed or anchored
   * for the patient again. What stays are hashes under the pseudonymous id.
   */
  @Transaction()
  @Returns('string')
  async erasePatient(ctx: Context, patientRef: string, erasureId: string): Promise<string> {
    const patient = arg.patientRef('patientRef', patientRef);
    const id = arg.recordId('erasureId', erasureId);
    const { stub, identity } = ledgerOf(ctx);
    if (invokerOf(identity).role !== 'gateway') throw forbidden("only a gateway erases a patient's anchors");
    const earlier = await erasureOf(stub, patient);
    if (earlier !== undefined)
      throw conflict(`the data of patient ${patient} was already erased (${earlier.erasureId})`);
    const at = txTime(stub);
    const txId = stub.getTxID();
    for (const l of await listRecords<PatientLocationEntry>(stub, PATIENT_LOCATION.type, [patient])) {
      // As vacatedLocation and censusDigest([]) make them (src/domain/patient-index.ts).
      const vacated = { ...l, location: sha256(`meridian.location\n${patient}\n${l.region}\n`) };
      const entry = { ...vacated, records: sha256('meridian.census\n'), recordCount: 0, txId };
      await putRecord(stub, PATIENT_LOCATION, patientLocationKey(stub, patient, l.region), entry);
    }
    for (const e of await listRecords<PatientConsentEntry>(stub, PATIENT_CONSENT.type, [patient])) {
      const c = await getRecord<ConsentRecord>(stub, consentKey(stub, e.consentId));
      if (c?.status === 'active') {
        await putRecord(stub, CONSENT, consentKey(stub, e.consentId), { ...c, status: 'revoked', revokedAt: at });
        await appendHistory(stub, CONSENT_EVENT, e.consentId, {
          action: 'revoked',
          consentId: e.consentId,
          patientRef: patient,
          hash: c.hash,
          version: c.version,
          actorMsp: identity.getMSPID(),
          reason: 'erasure',
          at,
          txId,
        });
      }
    }
    for (const e of await listRecords<PatientCareEntry>(stub, PATIENT_CARE.type, [patient])) {
      const c = await getRecord<CareRecord>(stub, careKey(stub, e.relationshipId));
      if (c?.status === 'open') {
        await putRecord(stub, CARE, careKey(stub, e.relationshipId), {
          ...c,
          status: 'ended',
          endedAt: at,
          endTxId: txId,
        });
      }
    }
    const erasure = { patientRef: patient, erasureId: id, erasedAt: at, txId };
    await putRecord(stub, PATIENT_ERASURE, patientErasureKey(stub, patient), erasure);
    const epoch = await bumpEpoch(stub, patientScope(patient));
    stub.setEvent(PATIENT_ERASED_EVENT, canonicalBytes({ patientRef: patient, epoch }));
    return canonicalJson(erasure);
  }
}
