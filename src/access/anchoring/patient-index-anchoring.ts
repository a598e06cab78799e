import { censusDigest, locationHash, vacatedLocation } from '../../domain/patient-index.js';
import type { LedgerClient } from '../../ledger/ledger-client.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import { localIdsOf, type ControlPlane } from '../../stores/control-plane.js';
import type { RecordStore } from '../../stores/record-store.js';

/** Most entries the chaincode takes in one transaction (its MAX_INDEX_ENTRIES; a value import would load the contracts). */
const MAX_INDEX_ENTRIES = 1000;

interface IndexEntry {
  readonly patientRef: string;
  readonly region: string;
  readonly location: string;
  readonly records: string;
  readonly recordCount: number;
}

/** A region an index change moved a patient's records out of. */
export interface VacatedRegion {
  readonly patientRef: string;
  readonly region: string;
}

export interface PatientIndexAnchorerOptions {
  readonly control: Pick<ControlPlane, 'locatePatient'>;
  readonly stores: ReadonlyMap<string, Pick<RecordStore, 'census'>>;
  readonly ledger: LedgerClient;
  readonly actor?: LedgerActor | undefined;
}

const INDEX_ACTOR: LedgerActor = { user: 'meridian-gateway', role: 'gateway' };

/**
 * Anchors the patient index as the write paths (seed, import) just left it: per patient and
 * region, the hash of the region → local id mapping and the digest of the records held
 * there. The read path checks its rows against these, so a row deleted, remapped or
 * relabelled afterwards is an integrity violation, never a silent gap.
 */
export class PatientIndexAnchorer {
  readonly #o: Readonly<PatientIndexAnchorerOptions>;

  constructor(options: Readonly<PatientIndexAnchorerOptions>) {
    this.#o = options;
  }

  /**
   * Anchors every location of these patients that the ledger does not hold as it is; resolves
   * to the number anchored. `vacated` names regions an explicit index change (a merge, an
   * unmerge) just moved a patient's records out of: where the patient has no row left there,
   * the ledger is told so. A region is never vacated otherwise, so a row deleted behind the
   * gateway's back stays an integrity violation.
   */
  async anchorPatients(globalIds: Iterable<string>, vacated: readonly VacatedRegion[] = []): Promise<number> {
    const entries: IndexEntry[] = [];
    const actor = this.#o.actor ?? INDEX_ACTOR;
    for (const patientRef of new Set([...globalIds, ...vacated.map((v) => v.patientRef)])) {
      // The hashes bind the id the ledger knows the patient by, never the global id.
      const state = await this.#o.ledger.getPatientState(actor, patientRef);
      const anchored = state.locations;
      const rows = await this.#o.control.locatePatient(patientRef);
      for (const { region } of vacated.filter((v) => v.patientRef === patientRef)) {
        const location = vacatedLocation(state.patientRef, region);
        const listed = anchored.some((a) => a.region === region && a.location !== location);
        if (listed && !rows.some((r) => r.region === region))
          entries.push({ patientRef, region, location, records: censusDigest([]), recordCount: 0 });
      }
      for (const location of rows) {
        const { region } = location;
        const store = this.#o.stores.get(region);
        if (store === undefined) continue;
        const census = await store.census(localIdsOf(location));
        const entry = {
          patientRef,
          region,
          location: locationHash(state.patientRef, region, localIdsOf(location)),
          records: censusDigest(census),
          recordCount: census.length,
        };
        // Unchanged entries are not written again: repeating a write anchors nothing.
        const same = anchored.some(
          (a) => a.region === region && a.location === entry.location && a.records === entry.records,
        );
        if (!same) entries.push(entry);
      }
    }
    for (let i = 0; i < entries.length; i += MAX_INDEX_ENTRIES) {
      await this.#o.ledger.recordPatientIndex(this.#o.actor ?? INDEX_ACTOR, entries.slice(i, i + MAX_INDEX_ENTRIES));
    }
    return entries.length;
  }
}
