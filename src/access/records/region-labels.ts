import { censusDigest } from '../../domain/patient-index.js';
import type { SensitivityLabel } from '../../domain/fhir.js';
import type { VerifiedCache } from '../../cache/verified-cache.js';
import { localIdsOf, type PatientLocation } from '../../stores/control-plane.js';
import type { RecordStore } from '../../stores/record-store.js';

interface Labels {
  readonly labels: readonly SensitivityLabel[];
  /** The rows they were read from have the census digest the ledger anchors. */
  readonly verified: boolean;
}

/**
 * The sensitivity labels a patient's records carry in one region: read from the census rows
 * (every record's key, category, labels and content hash) and checked against the census
 * digest the ledger anchors. Labels that match it are cached under that digest, so they are
 * asked again only when the region's anchored content moves; labels from rows that do not
 * match are answered as read and never cached (the region's read then withholds its records
 * as an integrity violation). Empty when the region is not configured.
 */
export async function regionLabels(
  store: RecordStore | undefined,
  location: PatientLocation,
  o: { readonly census: string | undefined; readonly patientId: string; readonly cache: VerifiedCache | undefined },
): Promise<readonly SensitivityLabel[]> {
  if (store === undefined) return [];
  const load = async (): Promise<Labels> => {
    const rows = await store.census(localIdsOf(location));
    const labels = [...new Set(rows.flatMap((r) => r.sensitivity))].sort() as SensitivityLabel[];
    return { labels, verified: o.census !== undefined && censusDigest(rows) === o.census };
  };
  if (o.cache === undefined) return (await load()).labels;
  const key = o.census === undefined ? null : [location.region, o.census, ...localIdsOf(location)];
  return (await o.cache.through('labels', key, load, (l) => l.verified, o.patientId)).labels;
}
