import { censusDigest } from '../../domain/patient-index.js';
import type { SensitivityLabel } from '../../domain/fhir.js';
import { localIdsOf, type PatientLocation } from '../../stores/control-plane.js';
import type { RecordStore } from '../../stores/record-store.js';
import { rememberRecent } from '../remember-recent.js';

/** Patients' regions whose verified labels are kept. */
const MEMORY = 10_000;

/**
 * The sensitivity labels a patient's records carry in a region: read from the census rows
 * (every record's key, category, labels and content hash) and checked against the census
 * digest the ledger anchors. The rows a digest covers fix their labels, so labels that match
 * it are remembered under it (cache or no cache) and asked again only once the region's
 * anchored content moves; labels from rows that do not match are answered as read and never
 * kept (the region's read then withholds its records as an integrity violation).
 */
export class RegionLabels {
  readonly #stores: ReadonlyMap<string, RecordStore>;
  readonly #verified = new Map<string, readonly SensitivityLabel[]>();

  constructor(stores: ReadonlyMap<string, RecordStore>) {
    this.#stores = stores;
  }

  /** Empty when the region is not configured; `census` undefined: no fresh ledger digest to check against. */
  async of(
    location: PatientLocation,
    census: string | undefined,
    patientId: string,
  ): Promise<readonly SensitivityLabel[]> {
    const store = this.#stores.get(location.region);
    if (store === undefined) return [];
    const key = [patientId, location.region, census ?? '', ...localIdsOf(location)].join('\u0000');
    const known = census === undefined ? undefined : this.#verified.get(key);
    if (known !== undefined) return known;
    const rows = await store.census(localIdsOf(location));
    const labels = Object.freeze([...new Set(rows.flatMap((r) => r.sensitivity))].sort() as SensitivityLabel[]);
    if (census !== undefined && censusDigest(rows) === census) rememberRecent(this.#verified, key, labels, MEMORY);
    return labels;
  }

  /** Forgets what was kept of the patient (their erasure). */
  forgetPatient(patientId: string): void {
    for (const key of this.#verified.keys()) if (key.startsWith(`${patientId}\u0000`)) this.#verified.delete(key);
  }
}
