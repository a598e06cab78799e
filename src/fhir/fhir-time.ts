import { isJson, type Json } from './bundle-index.js';

const PARTIAL = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * A FHIR date, dateTime or instant as the instant it starts at: `2015-03` is 1 March 2015
 * 00:00 UTC; a time without a zone is read as UTC (R4 says a dateTime with a time has one).
 * Null for anything else: the validator refused it already.
 */
export function fhirInstant(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const partial = PARTIAL.exec(value);
  if (partial) {
    return new Date(Date.UTC(Number(partial[1]), Number(partial[2] ?? '1') - 1, Number(partial[3] ?? '1')));
  }
  const date = new Date(LOCAL_TIME.test(value) ? `${value}Z` : value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The elements that date a clinical resource, most telling first. */
const CLINICAL_DATES = [
  'recordedDate',
  'authoredOn',
  'issued',
  'effectiveDateTime',
  'effectiveInstant',
  'effectivePeriod.start',
  'occurrenceDateTime',
  'performedDateTime',
  'performedPeriod.start',
  'onsetDateTime',
  'onsetPeriod.start',
  'dateAsserted',
  'recorded',
  'date',
];

function at(resource: Json, path: string): unknown {
  let value: unknown = resource;
  for (const step of path.split('.')) value = isJson(value) ? value[step] : undefined;
  return value;
}

/**
 * When the source says a resource last changed: `meta.lastUpdated`, else the date the
 * resource itself records (recorded, authored, issued, effective, ...), else `fallback`
 * (the document's or bundle's date). Null only when none of them says.
 */
export function sourceTimeOf(resource: Json, fallback: Date | null): Date | null {
  const meta = isJson(resource.meta) ? resource.meta : {};
  const stated = fhirInstant(meta.lastUpdated);
  if (stated) return stated;
  for (const path of CLINICAL_DATES) {
    const date = fhirInstant(at(resource, path));
    if (date) return date;
  }
  return fallback;
}
