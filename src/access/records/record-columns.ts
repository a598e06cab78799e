import { CATEGORY_OF, PATIENT_FIELD, sensitivityLabelsOf } from '../../domain/fhir.js';
import type { StoredRecord } from '../../domain/record.js';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function patientIdOf(record: StoredRecord, resource: Record<string, unknown>): unknown {
  if (record.resourceType === 'Patient') return resource.id;
  const ref = resource[PATIENT_FIELD[record.resourceType]];
  return isObject(ref) ? ref.reference : undefined;
}

/**
 * The first indexed column of a record that disagrees with its resource, or null when all
 * agree. Reads filter and withhold by these columns (patient, category, sensitivity), so a
 * column edited behind the resource's back would disclose what the resource forbids.
 * `contentHash` is the hash of the resource as read. Names the column only, never a value.
 */
export function columnMismatch(record: StoredRecord, contentHash: string): string | null {
  const resource = record.resource as unknown as Record<string, unknown>;
  if (record.contentHash !== contentHash) return 'content_hash';
  if (resource.resourceType !== record.resourceType) return 'resource_type';
  if (resource.id !== record.resourceId) return 'resource_id';
  if (CATEGORY_OF[record.resourceType] !== record.category) return 'category';
  const patient = patientIdOf(record, resource);
  const expected = record.resourceType === 'Patient' ? record.patientId : `Patient/${record.patientId}`;
  if (patient !== expected) return 'patient_id';
  const labels = sensitivityLabelsOf(resource).sort();
  const stored = [...record.sensitivity].sort();
  if (labels.length !== stored.length || labels.some((l, i) => l !== stored[i])) return 'sensitivity';
  return null;
}
