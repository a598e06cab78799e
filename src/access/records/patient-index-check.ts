import type { PatientState } from 'meridian-chaincode';
import { liveLocations, locationHash } from '../../domain/patient-index.js';
import type { LedgerClient } from '../../ledger/ledger-client.js';
import { LedgerError } from '../../ledger/ledger-error.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import { localIdsOf, type PatientLocation } from '../../stores/control-plane.js';
import type { PartialFailure } from './partial-failure.js';
import { rememberRecent } from '../remember-recent.js';

/** The patient index checked against the ledger: what may be read, and what disagreed. */
export interface CheckedIndex {
  /** The patient's global id, as asked for (`state.patientRef` is the id the ledger knows them by). */
  readonly patientId: string;
  /** The ledger's view of the patient (as last verified, while the ledger cannot answer). */
  readonly state: PatientState;
  /**
   * True when `state` is the one last verified, the ledger not answering now: it may locate
   * records, but it says nothing of grants and revocations since, so no consent or cache
   * decision may rest on it.
   */
  readonly remembered: boolean;
  /** Locations whose rows match their ledger entries. */
  readonly locations: readonly PatientLocation[];
  /** One INTEGRITY_VIOLATION per region whose row is missing, remapped or not anchored. */
  readonly violations: readonly PartialFailure[];
}

export interface PatientIndexCheckOptions {
  readonly ledger: LedgerClient;
  readonly actor: LedgerActor;
}

/** Patients whose verified state is kept for a ledger outage. */
const MEMO_SIZE = 10_000;

function violation(region: string, message: string): PartialFailure {
  return { code: 'INTEGRITY_VIOLATION', region, message };
}

/**
 * Checks the master patient index against the ledger before anything is read: every region
 * the ledger lists must have its row, mapping the patient to the anchored local id, and no
 * row may stand without an entry. A deleted row would silently drop a region and a remapped
 * one would serve another patient's records; both are integrity violations for that region.
 */
export class PatientIndexCheck {
  readonly #o: Readonly<PatientIndexCheckOptions>;
  readonly #memo = new Map<string, PatientState>();

  constructor(options: Readonly<PatientIndexCheckOptions>) {
    this.#o = options;
  }

  /** @throws LedgerError LEDGER_UNAVAILABLE when the ledger cannot answer and the patient was never verified here. */
  async check(patientId: string, rows: readonly PatientLocation[]): Promise<CheckedIndex> {
    const { state, remembered } = await this.#state(patientId);
    // Erased: nothing is read, whatever rows an erasure under way has not removed yet.
    if (state.erasure !== undefined) return { patientId, state, remembered, locations: [], violations: [] };
    // The ledger's hashes bind the id it knows the patient by (state.patientRef).
    const anchored = new Map(liveLocations(state.patientRef, state.locations).map((l) => [l.region, l.location]));
    const locations: PatientLocation[] = [];
    const violations: PartialFailure[] = [];
    for (const row of rows) {
      const expected = anchored.get(row.region);
      if (expected === undefined) {
        violations.push(
          violation(row.region, `The patient index lists region ${row.region}, but the ledger does not.`),
        );
      } else if (expected !== locationHash(state.patientRef, row.region, localIdsOf(row))) {
        violations.push(
          violation(row.region, `The patient index entry for region ${row.region} differs from its ledger anchor.`),
        );
      } else locations.push(row);
    }
    for (const region of anchored.keys()) {
      if (!rows.some((r) => r.region === region)) {
        violations.push(
          violation(
            region,
            `The ledger lists region ${region} for this patient, but its patient-index entry is missing.`,
          ),
        );
      }
    }
    return { patientId, state, remembered, locations, violations };
  }

  async #state(patientId: string): Promise<{ state: PatientState; remembered: boolean }> {
    try {
      const state = await this.#o.ledger.getPatientState(this.#o.actor, patientId);
      rememberRecent(this.#memo, patientId, state, MEMO_SIZE);
      return { state, remembered: false };
    } catch (err) {
      const known = this.#memo.get(patientId);
      if (err instanceof LedgerError && err.code === 'LEDGER_UNAVAILABLE' && known !== undefined) {
        return { state: known, remembered: true };
      }
      throw err;
    }
  }
}
