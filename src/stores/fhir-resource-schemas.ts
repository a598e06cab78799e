import { z } from 'zod';
import type { IpsResourceType } from '../domain/fhir.js';
import { isFhirDate, isFhirDateTime, isFhirInstant } from './fhir-dates.js';

/**
 * The essentials of each FHIR R4 IPS resource type that Meridian relies on: codes,
 * statuses, the patient reference, well-formed dates. Not the whole specification:
 * unknown fields pass through untouched.
 */

/** Missing fields read "required"; present but wrong ones say what was expected. */
const expect = (what: string): { error: (issue: { input?: unknown }) => string } => ({
  error: (issue) => (issue.input === undefined ? 'required' : `must be ${what}`),
});

const text = z.string(expect('a string'));
const date = text.refine(isFhirDate, 'must be a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)');
const dateTime = text.refine(isFhirDateTime, 'must be a FHIR dateTime (e.g. 2024-03-01 or 2024-03-01T10:30:00Z)');
const instant = text.refine(isFhirInstant, 'must be a FHIR instant (e.g. 2024-03-01T10:30:00Z)');

const coding = z.looseObject(
  { system: text.optional(), code: text.optional(), display: text.optional() },
  expect('a Coding object'),
);

const concept = z
  .looseObject(
    { coding: z.array(coding, expect('an array of Codings')).optional(), text: text.optional() },
    expect('a CodeableConcept object'),
  )
  .refine((c) => (c.coding?.length ?? 0) > 0 || (c.text ?? '') !== '', 'needs a coding or a text');

const reference = z.looseObject({ reference: text }, expect('a Reference object'));
const period = z.looseObject({ start: dateTime.optional(), end: dateTime.optional() }, expect('a Period object'));
const status = <T extends readonly [string, ...string[]]>(values: T): z.ZodEnum<{ [K in T[number]]: K }> =>
  z.enum(values, expect(`one of ${values.join(', ')}`));

const identifier = z.looseObject({ system: text.optional(), value: text.optional() }, expect('an Identifier object'));

/** What every resource has: id and meta are checked by the bundle parser itself. */
export const metaSchema = z
  .looseObject(
    { lastUpdated: instant.optional(), security: z.array(coding, expect('an array of Codings')).optional() },
    expect('a Meta object'),
  )
  .optional();

export const RESOURCE_SCHEMAS: Readonly<Record<IpsResourceType, z.ZodType>> = {
  Patient: z.looseObject({
    gender: status(['male', 'female', 'other', 'unknown']).optional(),
    birthDate: date.optional(),
    deceasedDateTime: dateTime.optional(),
    identifier: z.array(identifier, expect('an array of Identifiers')).optional(),
    name: z.array(z.looseObject({}, expect('a HumanName object')), expect('an array of HumanNames')).optional(),
  }),
  Condition: z.looseObject({
    code: concept,
    subject: reference,
    clinicalStatus: concept.optional(),
    verificationStatus: concept.optional(),
    onsetDateTime: dateTime.optional(),
    abatementDateTime: dateTime.optional(),
    recordedDate: dateTime.optional(),
  }),
  AllergyIntolerance: z.looseObject({
    code: concept,
    patient: reference,
    clinicalStatus: concept.optional(),
    type: status(['allergy', 'intolerance']).optional(),
    criticality: status(['low', 'high', 'unable-to-assess']).optional(),
    onsetDateTime: dateTime.optional(),
    recordedDate: dateTime.optional(),
    lastOccurrence: dateTime.optional(),
  }),
  MedicationStatement: z.looseObject({
    status: status([
      'active',
      'completed',
      'entered-in-error',
      'intended',
      'stopped',
      'on-hold',
      'unknown',
      'not-taken',
    ]),
    subject: reference,
    medicationCodeableConcept: concept.optional(),
    medicationReference: reference.optional(),
    effectiveDateTime: dateTime.optional(),
    effectivePeriod: period.optional(),
    dateAsserted: dateTime.optional(),
  }),
  Immunization: z.looseObject({
    status: status(['completed', 'entered-in-error', 'not-done']),
    vaccineCode: concept,
    patient: reference,
    occurrenceDateTime: dateTime.optional(),
    occurrenceString: text.optional(),
    recorded: dateTime.optional(),
    expirationDate: date.optional(),
  }),
  Observation: z.looseObject({
    status: status([
      'registered',
      'preliminary',
      'final',
      'amended',
      'corrected',
      'cancelled',
      'entered-in-error',
      'unknown',
    ]),
    code: concept,
    subject: reference,
    effectiveDateTime: dateTime.optional(),
    effectivePeriod: period.optional(),
    effectiveInstant: instant.optional(),
    issued: instant.optional(),
  }),
  Procedure: z.looseObject({
    status: status([
      'preparation',
      'in-progress',
      'not-done',
      'on-hold',
      'stopped',
      'completed',
      'entered-in-error',
      'unknown',
    ]),
    code: concept,
    subject: reference,
    performedDateTime: dateTime.optional(),
    performedPeriod: period.optional(),
  }),
  DiagnosticReport: z.looseObject({
    status: status([
      'registered',
      'partial',
      'preliminary',
      'final',
      'amended',
      'corrected',
      'appended',
      'cancelled',
      'entered-in-error',
      'unknown',
    ]),
    code: concept,
    subject: reference,
    effectiveDateTime: dateTime.optional(),
    effectivePeriod: period.optional(),
    issued: instant.optional(),
  }),
};

/** The field holding the patient reference, per clinical type. */
export const PATIENT_FIELD: Readonly<Record<Exclude<IpsResourceType, 'Patient'>, 'subject' | 'patient'>> = {
  Condition: 'subject',
  AllergyIntolerance: 'patient',
  MedicationStatement: 'subject',
  Immunization: 'patient',
  Observation: 'subject',
  Procedure: 'subject',
  DiagnosticReport: 'subject',
};

/** Choices of which FHIR requires one: `[x]` fields. */
export const ONE_OF: Readonly<Partial<Record<IpsResourceType, readonly string[]>>> = {
  MedicationStatement: ['medicationCodeableConcept', 'medicationReference'],
  Immunization: ['occurrenceDateTime', 'occurrenceString'],
};

/** Formats a zod issue path the way FHIRPath would: `code.coding[0].system`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}
