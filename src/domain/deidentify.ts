import { createHmac } from 'node:crypto';
import { contentHash } from './canonical-json.js';
import type { FhirResource } from './fhir.js';
import { recordKey, type StoredRecord } from './record.js';

/**
 * De-identification for purposes whose policy asks for it (research): the HIPAA Safe Harbor
 * method, 45 CFR 164.514(b)(2). A stored IPS clinical resource can carry, of its 18 kinds of
 * identifier, the patient's and the record's ids (unique identifying numbers), dates more
 * precise than the year, free text and attachments that may hold names or photos, and
 * references to encounters, practitioners and other resources of the hospital. What is left
 * is the clinical content: codes, values, statuses, years, and the medicine a contained
 * Medication names.
 */

/** Stable pseudonyms for one requester and study: the same patient or record gets the same one, another study another. */
export interface Pseudonyms {
  patient(globalId: string): string;
  record(key: string): string;
}

export function pseudonymsFor(secret: Buffer, requesterOrganisation: string, study: string): Pseudonyms {
  const make = (kind: string, id: string): string =>
    createHmac('sha256', secret)
      .update(`meridian.pseudonym\n${kind}\n${requesterOrganisation}\n${study}\n${id}`)
      .digest('hex')
      .slice(0, 24);
  return { patient: (id) => `ps-${make('patient', id)}`, record: (key) => make('record', key) };
}

/** Elements dropped wherever they appear: identifiers, free text, contact data, attachments and extensions. */
const DROPPED = new Set([
  'identifier',
  'note',
  'extension',
  'telecom',
  'address',
  'contact',
  'photo',
  'presentedForm',
  'valueAttachment',
  'issued',
  'implicitRules',
]);
/** A resource's own narrative, meta, id and contained resources: handled apart. */
const RESOURCE_LEVEL = new Set(['text', 'meta', 'id', 'contained']);
/** Elements that name the patient: rewritten to the pseudonymous patient. */
const PATIENT_ELEMENTS = new Set(['subject', 'patient']);
/** FHIR date, dateTime and instant values (R4 §2.24.0.1): reduced to their year. */
const DATE = /^(\d{4})(-\d{2}(-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A reference to anything but a contained resource: dropped (or, for the patient, pseudonymised). */
const isOutsideReference = (v: unknown): boolean =>
  isObject(v) && typeof v.reference === 'string' && !v.reference.startsWith('#');

function scrub(value: unknown, patient: string): unknown {
  if (typeof value === 'string') return DATE.exec(value)?.[1] ?? value;
  if (Array.isArray(value)) {
    return value.filter((v) => !isOutsideReference(v)).map((v) => scrub(v, patient));
  }
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (DROPPED.has(k) || (k === 'display' && isOutsideReference(value))) continue;
    if (PATIENT_ELEMENTS.has(k) && isOutsideReference(v)) out[k] = { reference: `Patient/${patient}` };
    else if (isOutsideReference(v)) continue;
    else out[k] = scrub(v, patient);
  }
  return out;
}

/** One resource, contained ones included: top-level narrative and meta (but its labels) go, ids are pseudonymous. */
function scrubResource(resource: Json, id: string | undefined, patient: string): Json {
  const { meta, contained } = resource;
  const rest = Object.fromEntries(Object.entries(resource).filter(([k]) => !RESOURCE_LEVEL.has(k)));
  const security = isObject(meta) && Array.isArray(meta.security) ? { meta: { security: meta.security } } : {};
  const scrubbed = scrub(rest, patient) as Json;
  const inner = Array.isArray(contained)
    ? {
        contained: contained
          .filter(isObject)
          .map((c) => scrubResource(c, typeof c.id === 'string' ? c.id : undefined, patient)),
      }
    : {};
  return { ...(id !== undefined ? { id } : {}), ...security, ...inner, ...scrubbed };
}

/** The record as a de-identified answer carries it: pseudonymous ids, year-only dates, no identifiers. */
export function deidentifyRecord(record: StoredRecord, pseudonyms: Pseudonyms, globalPatientId: string): StoredRecord {
  const id = pseudonyms.record(`${record.region}/${recordKey(record)}`);
  const patient = pseudonyms.patient(globalPatientId);
  const resource = scrubResource(record.resource, id, patient) as unknown as FhirResource;
  const year = new Date(Date.UTC(record.lastUpdated.getUTCFullYear(), 0, 1));
  return {
    ...record,
    resourceId: id,
    patientId: patient,
    lastUpdated: year,
    contentHash: contentHash(resource),
    resource,
  };
}
