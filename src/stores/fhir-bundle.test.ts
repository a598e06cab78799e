import { describe, expect, it } from 'vitest';
import { regionListSchema } from '../config/regions.js';
import { generateDemoPatient } from '../demo/generator.js';
import { contentHash } from '../domain/canonical-json.js';
import { MeridianError } from '../domain/errors.js';
import { SENSITIVITY_SYSTEM } from '../domain/fhir.js';
import { GLOBAL_ID_SYSTEM, parseBundle, validateBundle } from './fhir-bundle.js';

const NOW = new Date('2026-02-01T12:00:00Z');
const OPTIONS = { organisationId: 'charite-berlin', now: NOW };
const code = (system: string, c: string) => ({ coding: [{ system, code: c }] });
const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';

type Resource = Record<string, unknown>;

function goodResources(): Resource[] {
  const subject = { reference: 'Patient/p1' };
  return [
    {
      resourceType: 'Patient',
      id: 'p1',
      meta: { lastUpdated: '2025-05-01T08:00:00Z' },
      identifier: [{ system: GLOBAL_ID_SYSTEM, value: 'mp-0123456789ab' }],
      gender: 'female',
      birthDate: '1980-04-12',
    },
    { resourceType: 'Condition', id: 'c1', code: code(SNOMED, '44054006'), subject, onsetDateTime: '2019-03' },
    {
      resourceType: 'Observation',
      id: 'obs-1',
      status: 'final',
      code: code(LOINC, '4548-4'),
      subject,
      effectiveDateTime: '2025-04-30T09:15:00+02:00',
      valueQuantity: { value: 7.1, unit: '%' },
    },
    {
      resourceType: 'MedicationStatement',
      id: 'm1',
      status: 'active',
      medicationCodeableConcept: code('http://www.whocc.no/atc', 'N06AB06'),
      subject,
      meta: { security: [{ system: SENSITIVITY_SYSTEM, code: 'PSY' }] },
    },
    {
      resourceType: 'Immunization',
      id: 'i1',
      status: 'completed',
      vaccineCode: code('http://hl7.org/fhir/sid/cvx', '140'),
      patient: subject,
      occurrenceDateTime: '2024-10-01',
    },
    { resourceType: 'AllergyIntolerance', id: 'a1', code: code(SNOMED, '91936005'), patient: subject },
    { resourceType: 'Procedure', id: 'pr1', status: 'completed', code: code(SNOMED, '80146002'), subject },
    {
      resourceType: 'DiagnosticReport',
      id: 'r1',
      status: 'final',
      code: code(LOINC, '58410-2'),
      subject,
      issued: '2025-04-30T10:00:00Z',
    },
  ];
}

const bundle = (resources: readonly unknown[], type = 'collection') => ({
  resourceType: 'Bundle',
  type,
  entry: resources.map((resource) => ({ resource })),
});

/** The error list of a refused bundle. */
function errorsOf(input: unknown): string[] {
  try {
    parseBundle(input, OPTIONS);
  } catch (err) {
    expect(err).toBeInstanceOf(MeridianError);
    expect((err as MeridianError).code).toBe('BAD_USER_INPUT');
    return (err as MeridianError).details.errors as string[];
  }
  throw new Error('the bundle was accepted');
}

const omit = (r: Resource, key: string): Resource => Object.fromEntries(Object.entries(r).filter(([k]) => k !== key));

function withEntry(index: number, change: (r: Resource) => Resource): unknown {
  const resources = goodResources();
  resources[index] = change(resources[index]!);
  return bundle(resources);
}

describe('parseBundle', () => {
  it('turns a good bundle into records for one region', () => {
    const parsed = parseBundle(bundle(goodResources(), 'transaction'), OPTIONS);
    expect(parsed.type).toBe('transaction');
    expect(parsed.records.map((r) => `${r.resourceType}/${r.resourceId}`)).toEqual([
      'Patient/p1',
      'Condition/c1',
      'Observation/obs-1',
      'MedicationStatement/m1',
      'Immunization/i1',
      'AllergyIntolerance/a1',
      'Procedure/pr1',
      'DiagnosticReport/r1',
    ]);
    expect(parsed.records.every((r) => r.patientId === 'p1' && r.sourceOrg === 'charite-berlin')).toBe(true);
    expect(parsed.records.map((r) => r.category)).toEqual([
      'patient',
      'problems',
      'results',
      'medications',
      'immunizations',
      'allergies',
      'procedures',
      'reports',
    ]);
    expect(parsed.records[0]?.lastUpdated).toEqual(new Date('2025-05-01T08:00:00Z'));
    expect(parsed.records[1]?.lastUpdated).toEqual(NOW);
    expect(parsed.records[3]?.sensitivity).toBe('PSY');
    expect(parsed.records[1]?.sensitivity).toBeNull();
    expect(parsed.records[2]?.contentHash).toBe(contentHash(goodResources()[2]));
    expect(parsed.patients).toEqual([{ localId: 'p1', resource: goodResources()[0], globalId: 'mp-0123456789ab' }]);
    expect(parsed.externalPatients.size).toBe(0);
  });

  it('accepts the demo data it is meant to hold', () => {
    const regions = regionListSchema.parse('eu-de=DE,eu-fr=FR,us-ma=US-MA');
    for (let i = 0; i < 12; i++) {
      const location = generateDemoPatient({ patients: 12, regions }, i).locations[0]!;
      const parsed = parseBundle(bundle(location.records.map((r) => r.resource)), OPTIONS);
      expect(parsed.records.map((r) => r.sensitivity)).toEqual(location.records.map((r) => r.sensitivity));
    }
  });

  it('names entry, resource and field of a missing Observation.status', () => {
    expect(errorsOf(withEntry(2, (r) => omit(r, 'status')))).toEqual([
      'entry[2] (Observation/obs-1): status: required',
    ]);
    expect(errorsOf(withEntry(2, (r) => ({ ...r, status: 'done' })))).toEqual([
      'entry[2] (Observation/obs-1): status: must be one of registered, preliminary, final, amended, corrected, cancelled, entered-in-error, unknown',
    ]);
  });

  it('reports a missing id', () => {
    expect(errorsOf(withEntry(1, (r) => omit(r, 'id')))).toEqual(['entry[1] (Condition): id: required']);
    expect(errorsOf(withEntry(1, (r) => ({ ...r, id: 'has spaces' })))[0]).toMatch(
      /^entry\[1\] \(Condition\): id: must be 1-64 letters/,
    );
  });

  it('refuses resource types it does not store', () => {
    const errors = errorsOf(withEntry(4, () => ({ resourceType: 'Encounter', id: 'enc-1', status: 'finished' })));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^entry\[4\] \(Encounter\/enc-1\): resourceType: "Encounter" is not a type Meridian stores \(Patient, Condition/,
    );
  });

  it('requires a reference to a Patient', () => {
    expect(errorsOf(withEntry(1, (r) => omit(r, 'subject')))).toEqual(['entry[1] (Condition/c1): subject: required']);
    expect(errorsOf(withEntry(5, (r) => ({ ...r, patient: { reference: 'Group/g1' } })))).toEqual([
      'entry[5] (AllergyIntolerance/a1): patient.reference: must reference a Patient as "Patient/<id>"',
    ]);
  });

  it('leaves Patients that are not in the bundle for the import to look up in the region', () => {
    const parsed = parseBundle(
      withEntry(2, (r) => ({ ...r, subject: { reference: 'Patient/elsewhere' } })),
      OPTIONS,
    );
    expect([...parsed.externalPatients]).toEqual([['elsewhere', ['entry[2] (Observation/obs-1): subject.reference']]]);
    expect(parsed.records.find((r) => r.resourceId === 'obs-1')?.patientId).toBe('elsewhere');
  });

  it('does not call an invalid Patient of the bundle external', () => {
    const { bundle: parsed, errors } = validateBundle(
      withEntry(0, (r) => ({ ...r, birthDate: 'soon' })),
      OPTIONS,
    );
    expect(errors.messages).toEqual([
      'entry[0] (Patient/p1): birthDate: must be a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)',
    ]);
    expect(parsed?.externalPatients.size).toBe(0);
  });

  it('refuses dates that do not parse', () => {
    expect(errorsOf(withEntry(1, (r) => ({ ...r, onsetDateTime: '2024-13-45' })))).toEqual([
      'entry[1] (Condition/c1): onsetDateTime: must be a FHIR dateTime (e.g. 2024-03-01 or 2024-03-01T10:30:00Z)',
    ]);
    expect(errorsOf(withEntry(0, (r) => ({ ...r, birthDate: '1980-02-30' })))[0]).toMatch(
      /^entry\[0\] \(Patient\/p1\): birthDate: must be a FHIR date/,
    );
    expect(errorsOf(withEntry(0, (r) => ({ ...r, meta: { lastUpdated: 'yesterday' } })))[0]).toMatch(
      /^entry\[0\] \(Patient\/p1\): meta\.lastUpdated: must be a FHIR instant/,
    );
    expect(errorsOf(withEntry(2, (r) => ({ ...r, effectiveDateTime: '2025-04-30T09:15' })))[0]).toMatch(
      /effectiveDateTime: must be a FHIR dateTime/,
    );
  });

  it('refuses what is not a Bundle, or not a transaction or collection', () => {
    expect(errorsOf({ resourceType: 'Patient', id: 'p1' })).toEqual(['resourceType: must be "Bundle" (got "Patient")']);
    expect(errorsOf('just text')).toEqual(['bundle: must be a JSON object (a FHIR Bundle)']);
    expect(errorsOf([])).toEqual(['bundle: must be a JSON object (a FHIR Bundle)']);
    expect(errorsOf(bundle(goodResources(), 'searchset'))).toEqual([
      'type: must be "transaction" or "collection" (got "searchset")',
    ]);
    expect(errorsOf(bundle([]))).toEqual(['entry: the bundle has no entries']);
  });

  it('reports every problem of the bundle at once, up to a cap', () => {
    const resources: unknown[] = goodResources();
    resources[2] = { ...(resources[2] as Resource), status: undefined };
    resources[3] = { ...(resources[3] as Resource), medicationCodeableConcept: undefined };
    resources.push({
      resourceType: 'Observation',
      id: 'c1-dup',
      code: code(LOINC, '718-7'),
      subject: { reference: 'Patient/p1' },
      status: 'final',
    });
    resources.push({ ...(resources[1] as Resource) });
    resources.push('not a resource');
    expect(errorsOf(bundle(resources))).toEqual([
      'entry[2] (Observation/obs-1): status: required',
      'entry[3] (MedicationStatement/m1): medicationCodeableConcept: required (or medicationReference)',
      'entry[9] (Condition/c1): id: Condition/c1 is also in entry[1]',
      'entry[10]: resource: must be a FHIR resource object',
    ]);

    const many = bundle(Array.from({ length: 150 }, (_, i) => ({ resourceType: 'Condition', id: `c${i}` })));
    try {
      parseBundle(many, OPTIONS);
      expect.unreachable();
    } catch (err) {
      const { errors, errorCount } = (err as MeridianError).details as { errors: string[]; errorCount: number };
      expect(errorCount).toBe(300);
      expect(errors).toHaveLength(101);
      expect(errors.at(-1)).toBe('… and 200 more');
      expect((err as MeridianError).message).toBe(
        'invalid FHIR bundle: 300 errors, the first: entry[0] (Condition/c0): code: required',
      );
    }
  });

  it('refuses sensitivity labels it cannot store faithfully', () => {
    const two = {
      security: [
        { system: SENSITIVITY_SYSTEM, code: 'PSY' },
        { system: SENSITIVITY_SYSTEM, code: 'ETH' },
      ],
    };
    expect(errorsOf(withEntry(3, (r) => ({ ...r, meta: two })))).toEqual([
      'entry[3] (MedicationStatement/m1): meta.security: more than one sensitivity label (PSY, ETH); Meridian stores one per record',
    ]);
    const unknown = { security: [{ system: SENSITIVITY_SYSTEM, code: 'STD' }] };
    expect(errorsOf(withEntry(3, (r) => ({ ...r, meta: unknown })))[0]).toMatch(
      /meta\.security\[0\]\.code: "STD" is not a sensitivity label/,
    );
  });

  it('refuses transaction entries other than PUT and POST', () => {
    const input = bundle(goodResources(), 'transaction') as { entry: Record<string, unknown>[] };
    input.entry[1] = { ...input.entry[1], request: { method: 'DELETE', url: 'Condition/c1' } };
    expect(errorsOf(input)).toEqual([
      'entry[1] (Condition/c1): request.method: only PUT and POST entries can be imported',
    ]);
  });
});
