import type { Config } from '../../config/config.js';
import type { Stores } from '../../stores/open-stores.js';
import type { RecordAnchoring } from '../anchoring/record-anchoring.js';
import { BundleImporter } from './bundle-importer.js';
import { PatientReviewService } from './patient-review-service.js';

/** The import and patient-review services the GraphQL API offers, over the gateway's stores. */
export function importServices(
  config: Config,
  stores: Pick<Stores, 'stores' | 'control'>,
  anchor: RecordAnchoring,
): { imports: BundleImporter; patientReviews: PatientReviewService } {
  return {
    imports: new BundleImporter({
      stores: stores.stores,
      control: stores.control,
      anchor,
      jurisdictions: new Map(config.regions.map((r) => [r.id, r.jurisdiction])),
      trustedIdentifiers: config.trustedIdentifiers,
    }),
    patientReviews: new PatientReviewService(stores.control.patientIndex),
  };
}
