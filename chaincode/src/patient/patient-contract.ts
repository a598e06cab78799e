import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { forbidden, invalidArgument } from '../errors.js';
import { invokerOf } from '../identity/invoker.js';
import { canonicalJson } from '../ledger/canonical-json.js';
import { POLICY_SCOPE, bumpEpoch, patientScope, readEpoch } from '../ledger/epochs.js';
import { ledgerOf } from '../ledger/ledger-context.js';
import { getRecord, listRecords, putRecord } from '../ledger/record-store.js';
import type { ConsentRecord, ConsentStatus } from '../consent/consent-records.js';
import { consentKey } from '../consent/consent-records.js';
import * as arg from '../validation/arguments.js';
import {
  careKey,
  PATIENT_CARE,
  type CareRecord,
  type CareStatus,
  type PatientCareEntry,
} from '../care/care-records.js';
import {
  PATIENT_CONSENT,
  PATIENT_LOCATION,
  patientLocationKey,
  type ConsentKind,
  type PatientConsentEntry,
  type PatientLocationEntry,
} from './patient-records.js';

/** Most index entries one transaction takes. */
export const MAX_INDEX_ENTRIES = 1000;

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
    const state: PatientState = {
      patientRef: patient,
      consents: await readEpoch(stub, patientScope(patient)),
      policies: await readEpoch(stub, POLICY_SCOPE),
      consentSet,
      careSet,
      locations,
    };
    return canonicalJson(state);
  }
}
