import type { Category, FhirResource, FhirToken, IpsResourceType, SensitivityLabel } from './fhir.js';

/** One FHIR resource as a regional store holds it. */
export interface StoredRecord {
  readonly region: string;
  readonly resourceType: IpsResourceType;
  readonly resourceId: string;
  /** Region-local Patient id. */
  readonly patientId: string;
  readonly category: Category;
  /** HL7 v3 sensitivity labels of meta.security, each once; a read withholds the record if it withholds any. */
  readonly sensitivity: readonly SensitivityLabel[];
  /** A known organisation's id, or the source organisation's identifier as the data gave it. */
  readonly sourceOrg: string;
  /** The source organisation's name as the data gave it (for one not known to the control plane). */
  readonly sourceOrgName?: string | null;
  /** When the source says the resource last changed (meta.lastUpdated, else its clinical date). */
  readonly lastUpdated: Date;
  readonly contentHash: string;
  readonly resource: FhirResource;
}

/** What a read asks a regional store for. */
export interface RecordQuery {
  readonly patientIds: readonly string[];
  readonly resourceTypes?: readonly IpsResourceType[];
  readonly categories?: readonly Category[];
  readonly since?: Date;
  /** Only these region-local resource ids (with `resourceTypes`: a FHIR read). */
  readonly resourceIds?: readonly string[];
  /** FHIR search `category`: records whose `category` carries any of these codes (one stored type at a time). */
  readonly fhirCategories?: readonly FhirToken[];
  /** Leave out records carrying these sensitivity labels (withheld by the decision). */
  readonly excludeSensitivity?: readonly SensitivityLabel[];
  /**
   * Keyset position in (lastUpdated desc, key asc) order: records older than
   * `lastUpdated`, and of those updated at exactly that time, all, none, or
   * those whose key sorts after `keyAfter`.
   */
  readonly after?: { readonly lastUpdated: Date; readonly onTie: 'all' | 'none' | { readonly keyAfter: string } };
  readonly limit: number;
}

export function recordKey(record: Pick<StoredRecord, 'resourceType' | 'resourceId'>): string {
  return `${record.resourceType}/${record.resourceId}`;
}
