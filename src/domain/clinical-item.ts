import type { FhirCoding, FhirResource } from './fhir.js';

/** What a clinician reads first from a resource; the full FHIR JSON travels beside it. */
export interface ClinicalSummary {
  readonly code: FhirCoding | null;
  /** Human-readable label: the coding's display or the CodeableConcept text. */
  readonly display: string | null;
  readonly status: string | null;
  /** The clinically relevant date: onset, effective, occurrence, recorded or issued. */
  readonly date: string | null;
  /** A value as text, e.g. "7.1 %" for an Observation. */
  readonly value: string | null;
  /** A medication's dose form, from its Medication. */
  readonly form: string | null;
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function firstCoding(concept: unknown): FhirCoding | null {
  const coding = obj(concept)?.coding;
  return Array.isArray(coding) ? ((obj(coding[0]) as FhirCoding | undefined) ?? null) : null;
}

function conceptText(concept: unknown): string | null {
  return str(obj(concept)?.text) ?? str(firstCoding(concept)?.display);
}

const CODE_FIELD: Readonly<Record<string, string>> = {
  MedicationStatement: 'medicationCodeableConcept',
  MedicationRequest: 'medicationCodeableConcept',
  Immunization: 'vaccineCode',
};

/**
 * The Medication a MedicationStatement or MedicationRequest names by reference: the import
 * puts it in `contained` (`#id`), so the item carries the medicine's name with it.
 */
function referencedMedication(r: Json): Json | undefined {
  const ref = str(obj(r.medicationReference)?.reference);
  if (ref === null || !ref.startsWith('#') || !Array.isArray(r.contained)) return undefined;
  return (r.contained as unknown[]).map(obj).find((c) => c?.resourceType === 'Medication' && c.id === ref.slice(1));
}

const DATE_FIELDS = [
  'onsetDateTime',
  'effectiveDateTime',
  'occurrenceDateTime',
  'performedDateTime',
  'recordedDate',
  'authoredOn',
  'issued',
  'birthDate',
];

function statusOf(r: Json): string | null {
  return str(r.status) ?? str(firstCoding(r.clinicalStatus)?.code);
}

function dateOf(r: Json): string | null {
  for (const field of DATE_FIELDS) {
    const value = str(r[field]);
    if (value !== null) return value;
  }
  return str(obj(r.effectivePeriod)?.start) ?? str(obj(r.performedPeriod)?.start);
}

function valueOf(r: Json): string | null {
  const quantity = obj(r.valueQuantity);
  if (quantity && typeof quantity.value === 'number') {
    return [String(quantity.value), str(quantity.unit) ?? str(quantity.code)].filter((p) => p !== null).join(' ');
  }
  return str(r.valueString) ?? conceptText(r.valueCodeableConcept) ?? str(r.conclusion);
}

function patientName(r: Json): string | null {
  const names = r.name;
  const name = Array.isArray(names) ? obj(names[0]) : undefined;
  if (!name) return null;
  const given = Array.isArray(name.given) ? name.given.filter((g): g is string => typeof g === 'string') : [];
  return str(name.text) ?? ([...given, str(name.family)].filter((p) => p !== null).join(' ') || null);
}

/** Extracts the typed fields of an IPS resource. Unknown shapes yield nulls, never errors. */
export function summariseResource(resource: FhirResource): ClinicalSummary {
  const r = resource as Json;
  if (resource.resourceType === 'Patient') {
    const name = patientName(r);
    return { code: null, display: name, status: null, date: str(r.birthDate), value: str(r.gender), form: null };
  }
  const medication = referencedMedication(r);
  const concept = medication ? medication.code : r[CODE_FIELD[resource.resourceType] ?? 'code'];
  const display = conceptText(concept) ?? str(obj(r.medicationReference)?.display);
  return {
    form: medication ? conceptText(medication.form) : null,
    code: firstCoding(concept),
    display,
    status: statusOf(r),
    date: dateOf(r),
    value: valueOf(r),
  };
}
