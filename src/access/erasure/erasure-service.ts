import { randomUUID } from 'node:crypto';
import { badInput, MeridianError } from '../../domain/errors.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import type { LedgerClient } from '../../ledger/ledger-client.js';
import { LedgerError } from '../../ledger/ledger-error.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import { localIdsOf, type ControlPlane } from '../../stores/control-plane.js';
import type { ControlErasure, ErasureRow, ErasureStore } from '../../stores/erasure-store.js';
import type { RecordStore } from '../../stores/record-store.js';
import type { PatientKeys } from '../patient-keys.js';

/** What an erasure did, as its receipt states it: counts, retention and the ledger transaction; no patient id. */
export interface ErasureReceipt extends ControlErasure {
  readonly erasureId: string;
  readonly requestedAt: string;
  readonly completedAt: string;
  /** `patient_request`, or `verified_request:<reference>` when an officer acted on one. */
  readonly basis: string;
  /** Records deleted, per region. */
  readonly regions: readonly { readonly region: string; readonly records: number }[];
  /** Until when the pseudonymised audit events are kept, by the longest period the patient's policies ask; null when none asks. */
  readonly auditRetainedUntil: string | null;
  /** The ledger transaction that marked the patient erased. */
  readonly ledgerTxId: string;
}

export interface ErasureServiceOptions {
  readonly store: ErasureStore;
  readonly control: Pick<ControlPlane, 'locatePatient'>;
  readonly regions: ReadonlyMap<string, Pick<RecordStore, 'erasePatient'>>;
  readonly ledger: LedgerClient;
  readonly actor: LedgerActor;
  readonly keys: PatientKeys;
  /** Whatever this process still holds of the patient is dropped (the cache's decoded tier, verified labels). */
  readonly forgetDecoded?: (patientId: string) => void;
  /** The jurisdiction of each region. */
  readonly jurisdictions: ReadonlyMap<string, string>;
  /** Years audit events must be kept under the verified policy of a jurisdiction (0: none asked). */
  readonly retentionYears: (jurisdiction: string) => Promise<number>;
  readonly now?: () => Date;
}

const MAX_REFERENCE = 200;

/**
 * Erasure of a patient's data (GDPR art. 17), asked by the patient or by a compliance officer
 * of a jurisdiction holding their records on a verified request. Acknowledged once recorded;
 * then the ledger first (so no gateway discloses anything of the patient from that moment),
 * the regions' records, and the control plane in one transaction. A gateway that stopped
 * midway finishes it on start (`resume`).
 */
export class ErasureService {
  readonly #o: Readonly<ErasureServiceOptions>;

  constructor(options: Readonly<ErasureServiceOptions>) {
    this.#o = options;
  }

  async erase(principal: Principal, patientId: string, requestReference: string | null): Promise<ErasureReceipt> {
    const basis = await this.#authorise(principal, patientId, requestReference);
    const pending = await this.#o.store.pendingFor(patientId);
    const row: ErasureRow = pending ?? {
      id: randomUUID(),
      patientId,
      requestedBy: hasRole(principal, 'patient') ? 'patient' : `${principal.subject}@${principal.organisationId}`,
      basis,
      requestedAt: this.#now(),
      ledgerTxId: null,
      completedAt: null,
      receipt: null,
    };
    if (pending === null) await this.#o.store.begin(row);
    return this.#run(row, patientId);
  }

  /** Finishes the erasures a stopped gateway left pending; how many. */
  async resume(): Promise<number> {
    let done = 0;
    for (const row of await this.#o.store.pending()) {
      if (row.patientId === null) continue;
      await this.#run(row, row.patientId);
      done++;
    }
    return done;
  }

  async #authorise(principal: Principal, patientId: string, reference: string | null): Promise<string> {
    if (hasRole(principal, 'patient') && principal.patientId === patientId) return 'patient_request';
    const locations = await this.#o.control.locatePatient(patientId);
    const theirs = locations.some((l) => this.#o.jurisdictions.get(l.region) === principal.jurisdiction);
    if (!hasRole(principal, 'compliance_officer') || !theirs) {
      throw new MeridianError(
        'FORBIDDEN',
        "Only the patient, or a compliance officer of a jurisdiction that holds the patient's records, may erase them.",
      );
    }
    const ref = reference?.trim() ?? '';
    if (ref === '' || ref.length > MAX_REFERENCE) {
      throw badInput(
        `An officer erases a patient's data only on a verified request: give its reference (1-${MAX_REFERENCE} characters).`,
      );
    }
    return `verified_request:${ref}`;
  }

  async #run(row: ErasureRow, patientId: string): Promise<ErasureReceipt> {
    const locations = await this.#o.control.locatePatient(patientId);
    const years = Math.max(
      0,
      ...(await Promise.all(
        [...new Set(locations.flatMap((l) => this.#o.jurisdictions.get(l.region) ?? []))].map((j) =>
          this.#o.retentionYears(j),
        ),
      )),
    );
    const ledgerTxId = row.ledgerTxId ?? (await this.#eraseOnLedger(row.id, patientId));
    if (row.ledgerTxId === null) await this.#o.store.markedOnLedger(row.id, ledgerTxId);
    const regions: { region: string; records: number }[] = [];
    for (const location of locations) {
      const store = this.#o.regions.get(location.region);
      if (store === undefined) throw new Error(`region ${location.region} is not configured`);
      regions.push({ region: location.region, records: await store.erasePatient(localIdsOf(location)) });
    }
    const completedAt = this.#now();
    const receiptOf = (done: ControlErasure): ErasureReceipt => ({
      erasureId: row.id,
      requestedAt: row.requestedAt.toISOString(),
      completedAt: completedAt.toISOString(),
      basis: row.basis,
      regions,
      ...done,
      auditRetainedUntil: years > 0 ? addYears(completedAt, years).toISOString() : null,
      ledgerTxId,
    });
    const done = await this.#o.store.complete(row.id, patientId, (d) => ({ ...receiptOf(d) }));
    this.#o.keys.forget(patientId);
    this.#o.forgetDecoded?.(patientId);
    return receiptOf(done);
  }

  /** Marks the patient erased on the ledger; the transaction id, also when an earlier attempt already did. */
  async #eraseOnLedger(erasureId: string, patientId: string): Promise<string> {
    try {
      return (await this.#o.ledger.erasePatient(this.#o.actor, patientId, erasureId)).txId;
    } catch (err) {
      if (!(err instanceof LedgerError && err.chaincodeCode === 'CONFLICT')) throw err;
      const state = await this.#o.ledger.getPatientState(this.#o.actor, patientId);
      if (state.erasure === undefined) throw err;
      return state.erasure.txId;
    }
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }
}

function addYears(at: Date, years: number): Date {
  const d = new Date(at);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
}
