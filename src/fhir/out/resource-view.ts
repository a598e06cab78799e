import { isIpsResourceType, type FhirResource } from '../../domain/fhir.js';
import type { StoredRecord } from '../../domain/record.js';

/**
 * How Meridian's FHIR API names what it serves. A record is one region's resource, and two
 * regions may hold the same logical id, so the id served is `{region}.{id}` (FHIR ids allow
 * letters, digits, '-' and '.'; region ids have no dot, so the first dot splits them).
 * The Patient served is the global patient id, which is what every request names.
 */
export function servedId(record: Pick<StoredRecord, 'region' | 'resourceId'>): string {
  return `${record.region}.${record.resourceId}`;
}

/** The region and region-local id a served id names; null for one that names no region. */
export function parseServedId(id: string): { region: string; resourceId: string } | null {
  const dot = id.indexOf('.');
  if (dot < 1 || dot === id.length - 1) return null;
  return { region: id.slice(0, dot), resourceId: id.slice(dot + 1) };
}

/** `meta.source` of a served resource: the region (record store) it was read from. */
export function regionSource(region: string): string {
  return `urn:meridian:region:${region}`;
}

/**
 * A stored record as the FHIR API serves it: its id qualified by region, references to the
 * patient's region-local Patient turned into the global one, references to other stored
 * types of the same region qualified as its own id is, and `meta.source` naming the region.
 * Clinical content is as the source sent it (a receipt's content hash is over that).
 */
export function servedResource(record: StoredRecord, patientId: string): FhirResource {
  const localPatient = `Patient/${record.patientId}`;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      out[key] = key === 'reference' && typeof v === 'string' ? servedReference(v) : rewrite(v);
    }
    return out;
  };
  const servedReference = (reference: string): string => {
    if (reference === localPatient) return `Patient/${patientId}`;
    const m = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
    if (m?.[1] && m[2] && m[1] !== 'Patient' && isIpsResourceType(m[1])) {
      return `${m[1]}/${servedId({ region: record.region, resourceId: m[2] })}`;
    }
    return reference;
  };
  const { meta } = record.resource;
  const content = Object.fromEntries(
    Object.entries(record.resource).filter(([key]) => key !== 'id' && key !== 'meta' && key !== 'resourceType'),
  );
  return {
    resourceType: record.resourceType,
    id: record.resourceType === 'Patient' ? patientId : servedId(record),
    meta: { ...meta, lastUpdated: record.lastUpdated.toISOString(), source: regionSource(record.region) },
    ...(rewrite(content) as Record<string, unknown>),
  };
}

/** A resource as an entry of a searchset: a match, or (an OperationOutcome) what is missing. */
export function searchEntry(base: string, resource: FhirResource): Record<string, unknown> {
  return {
    fullUrl: `${base}/${resource.resourceType}/${resource.id ?? ''}`,
    resource,
    search: { mode: resource.resourceType === 'OperationOutcome' ? 'outcome' : 'match' },
  };
}
