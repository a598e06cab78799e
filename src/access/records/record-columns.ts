import { CATEGORY_OF, PATIENT_FIELD, sensitivityLabelsOf } from '../../domain/fhir.js';
import type { StoredRecord } from '../../domain/record.js';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function patientIdOf(record: StoredRecord, resource: Record<string, unknown>): unknown {
  if (record.resourceType === 'Patient') return resource.id;
  const ref = resource[PATIENT_FIELD[record.resourceType]];
  return isObject(ref) ? ref.reference : undefined;
}

/** What of a resource the indexed columns must agree with: the same for every read of the same text under one key. */
export interface ResourceFacts {
  readonly resourceType: unknown;
  readonly id: unknown;
  readonly patient: unknown;
  /** Its sensitivity labels, sorted. */
  readonly labels: readonly string[];
}

export function resourceFacts(record: StoredRecord): ResourceFacts {
  const resource = record.resource as unknown as Record<string, unknown>;
  return {
    resourceType: resource.resourceType,
    id: resource.id,
    patient: patientIdOf(record, resource),
    labels: sensitivityLabelsOf(resource).sort(),
  };
}

/**
 * The first indexed column of a record that disagrees with its resource, or null when all
 * agree. Reads filter and withhold by these columns (patient, category, sensitivity), so a
 * column edited behind the resource's back would disclose what the resource forbids.
 * `contentHash` is the hash of the resource as read, `facts` what it says (`resourceFacts`).
 * Names the column only, never a value.
 */
export function columnMismatch(
  record: StoredRecord,
  contentHash: string,
  facts: ResourceFacts = resourceFacts(record),
): string | null {
  if (record.contentHash !== contentHash) return 'content_hash';
  if (facts.resourceType !== record.resourceType) return 'resource_type';
  if (facts.id !== record.resourceId) return 'resource_id';
  if (CATEGORY_OF[record.resourceType] !== record.category) return 'category';
  const expected = record.resourceType === 'Patient' ? record.patientId : `Patient/${record.patientId}`;
  if (facts.patient !== expected) return 'patient_id';
  const stored = [...record.sensitivity].sort();
  const labels = facts.labels;
  if (labels.length !== stored.length || labels.some((l, i) => l !== stored[i])) return 'sensitivity';
  return null;
}
