import { MAX_INDEX_ENTRIES } from 'meridian-chaincode';
import { censusDigest, locationHash } from '../../domain/patient-index.js';
import type { LedgerClient } from '../../ledger/ledger-client.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import type { ControlPlane } from '../../stores/control-plane.js';
import type { RecordStore } from '../../stores/record-store.js';

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

  /** Anchors every location of these patients; resolves to the number of entries anchored. */
  async anchorPatients(globalIds: Iterable<string>): Promise<number> {
    const entries: { patientRef: string; region: string; location: string; records: string; recordCount: number }[] =
      [];
    for (const patientRef of new Set(globalIds)) {
      for (const { region, localId } of await this.#o.control.locatePatient(patientRef)) {
        const store = this.#o.stores.get(region);
        if (store === undefined) continue;
        const census = await store.census(localId);
        entries.push({
          patientRef,
          region,
          location: locationHash(patientRef, region, localId),
          records: censusDigest(census),
          recordCount: census.length,
        });
      }
    }
    for (let i = 0; i < entries.length; i += MAX_INDEX_ENTRIES) {
      await this.#o.ledger.recordPatientIndex(this.#o.actor ?? INDEX_ACTOR, entries.slice(i, i + MAX_INDEX_ENTRIES));
    }
    return entries.length;
  }
}
