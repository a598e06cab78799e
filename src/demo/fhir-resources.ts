import {
  CONFIDENTIALITY_LABELS,
  CONFIDENTIALITY_SYSTEM,
  SENSITIVITY_SYSTEM,
  type FhirResource,
  type SensitivityLabel,
} from '../domain/fhir.js';
import type { Organisation } from '../stores/control-plane.js';
import {
  SYSTEMS,
  type AllergyDef,
  type Code,
  type ConditionDef,
  type LabDef,
  type MedicationDef,
  type ProcedureDef,
  type QuantityDef,
  type ReportDef,
  type VaccineDef,
} from './catalog-types.js';

/** Displays of the HL7 v3 ActCode sensitivity and Confidentiality codes, as the code systems name them. */
const LABEL_DISPLAY: Readonly<Record<SensitivityLabel, string>> = {
  PSY: 'psychiatry disorder information sensitivity',
  HIV: 'HIV/AIDS information sensitivity',
  GDIS: 'genetic disease information sensitivity',
  ETH: 'substance abuse information sensitivity',
  SEX: 'sexuality and reproductive health information sensitivity',
  R: 'restricted',
  V: 'very restricted',
};

/** What every clinical resource of one location shares, plus this resource's id, time and label. */
export interface ResourceContext {
  readonly id: string;
  readonly localId: string;
  readonly organisation: Organisation;
  /** When it happened (onset, administration, measurement, ...). */
  readonly when: Date;
  readonly lastUpdated: Date;
  readonly sensitivity: SensitivityLabel | null;
}

/** FHIR dateTime/instant without milliseconds. */
export function fhirInstant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function fhirDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const concept = (codes: readonly Code[], text?: string): Record<string, unknown> => ({
  coding: codes.map(({ system, code, display }) => ({ system, code, display })),
  ...(text !== undefined ? { text } : {}),
});

const status = (system: string, code: string): Record<string, unknown> => ({
  coding: [{ system: `http://terminology.hl7.org/CodeSystem/${system}`, code }],
});

const orgRef = (org: Organisation): Record<string, unknown> => ({
  reference: `Organization/${org.id}`,
  display: org.name,
});

const systemOf = (label: SensitivityLabel): string =>
  (CONFIDENTIALITY_LABELS as readonly string[]).includes(label) ? CONFIDENTIALITY_SYSTEM : SENSITIVITY_SYSTEM;

function base(resourceType: string, ctx: ResourceContext): FhirResource {
  const security = ctx.sensitivity
    ? {
        security: [
          { system: systemOf(ctx.sensitivity), code: ctx.sensitivity, display: LABEL_DISPLAY[ctx.sensitivity] },
        ],
      }
    : {};
  return { resourceType, id: ctx.id, meta: { lastUpdated: fhirInstant(ctx.lastUpdated), ...security } };
}

const subject = (ctx: ResourceContext): { reference: string } => ({ reference: `Patient/${ctx.localId}` });

export function conditionResource(ctx: ResourceContext, def: ConditionDef, abatement: Date | null): FhirResource {
  return {
    ...base('Condition', ctx),
    clinicalStatus: status('condition-clinical', abatement ? 'resolved' : 'active'),
    verificationStatus: status('condition-ver-status', 'confirmed'),
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/condition-category',
            code: 'problem-list-item',
            display: 'Problem List Item',
          },
        ],
      },
    ],
    code: concept([def.snomed, def.icd10], def.snomed.display),
    subject: subject(ctx),
    onsetDateTime: fhirInstant(ctx.when),
    ...(abatement ? { abatementDateTime: fhirInstant(abatement) } : {}),
    recordedDate: fhirInstant(ctx.when),
  };
}

export function allergyResource(
  ctx: ResourceContext,
  def: AllergyDef,
  severity: 'mild' | 'moderate' | 'severe',
): FhirResource {
  return {
    ...base('AllergyIntolerance', ctx),
    clinicalStatus: status('allergyintolerance-clinical', 'active'),
    verificationStatus: status('allergyintolerance-verification', 'confirmed'),
    type: 'allergy',
    category: [def.category],
    criticality: def.criticality,
    code: concept([def.snomed], def.snomed.display),
    patient: subject(ctx),
    recordedDate: fhirInstant(ctx.when),
    reaction: [{ manifestation: def.reactions.map((r) => concept([r])), severity }],
  };
}

export function medicationResource(ctx: ResourceContext, def: MedicationDef, ended: Date | null): FhirResource {
  return {
    ...base('MedicationStatement', ctx),
    status: ended ? 'completed' : 'active',
    medicationCodeableConcept: concept([def.atc, def.rxnorm], def.text),
    subject: subject(ctx),
    effectivePeriod: { start: fhirInstant(ctx.when), ...(ended ? { end: fhirInstant(ended) } : {}) },
    dateAsserted: fhirInstant(ctx.lastUpdated),
    informationSource: orgRef(ctx.organisation),
    dosage: [{ text: def.dosage }],
  };
}

export function immunizationResource(ctx: ResourceContext, def: VaccineDef, lotNumber: string): FhirResource {
  return {
    ...base('Immunization', ctx),
    status: 'completed',
    vaccineCode: concept([def.cvx, def.snomed], def.snomed.display),
    patient: subject(ctx),
    occurrenceDateTime: fhirInstant(ctx.when),
    primarySource: true,
    lotNumber,
    performer: [{ actor: orgRef(ctx.organisation) }],
  };
}

/** The measured or coded value of one result; `null` value for panels. */
export type ObservationValue =
  | { readonly kind: 'quantity'; readonly quantity: QuantityDef; readonly value: number }
  | { readonly kind: 'coded'; readonly answer: Code }
  | { readonly kind: 'components'; readonly components: readonly { quantity: QuantityDef; value: number }[] };

function quantityFields(q: QuantityDef, value: number): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    valueQuantity: { value, unit: q.unit, system: SYSTEMS.ucum, code: q.unit },
  };
  if (q.normal === undefined) return fields;
  const [low, high] = q.normal;
  const flag = value < low ? 'L' : value > high ? 'H' : 'N';
  return {
    ...fields,
    interpretation: [
      concept([
        {
          system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
          code: flag,
          display: INTERPRETATION[flag],
        },
      ]),
    ],
    referenceRange: [
      {
        low: { value: low, unit: q.unit, system: SYSTEMS.ucum, code: q.unit },
        high: { value: high, unit: q.unit, system: SYSTEMS.ucum, code: q.unit },
      },
    ],
  };
}

const INTERPRETATION = { L: 'Low', H: 'High', N: 'Normal' } as const;

function valueFields(value: ObservationValue): Record<string, unknown> {
  switch (value.kind) {
    case 'quantity':
      return quantityFields(value.quantity, value.value);
    case 'coded':
      return { valueCodeableConcept: concept([value.answer], value.answer.display) };
    case 'components':
      return {
        component: value.components.map((c) => ({
          code: concept([c.quantity.loinc]),
          ...quantityFields(c.quantity, c.value),
        })),
      };
  }
}

export function observationResource(ctx: ResourceContext, def: LabDef, value: ObservationValue): FhirResource {
  return {
    ...base('Observation', ctx),
    status: 'final',
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: def.category }] },
    ],
    code: concept([def.loinc], def.loinc.display),
    subject: subject(ctx),
    effectiveDateTime: fhirInstant(ctx.when),
    issued: fhirInstant(ctx.lastUpdated),
    performer: [orgRef(ctx.organisation)],
    ...valueFields(value),
  };
}

export function procedureResource(ctx: ResourceContext, def: ProcedureDef): FhirResource {
  return {
    ...base('Procedure', ctx),
    status: 'completed',
    code: concept([def.snomed], def.snomed.display),
    subject: subject(ctx),
    performedDateTime: fhirInstant(ctx.when),
    performer: [{ actor: orgRef(ctx.organisation) }],
  };
}

export function reportResource(
  ctx: ResourceContext,
  def: ReportDef,
  conclusion: string,
  resultIds: readonly string[],
): FhirResource {
  return {
    ...base('DiagnosticReport', ctx),
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: def.service }] }],
    code: concept([def.loinc], def.loinc.display),
    subject: subject(ctx),
    effectiveDateTime: fhirInstant(ctx.when),
    issued: fhirInstant(ctx.lastUpdated),
    performer: [orgRef(ctx.organisation)],
    ...(resultIds.length > 0 ? { result: resultIds.map((id) => ({ reference: `Observation/${id}` })) } : {}),
    conclusion,
  };
}

/** Identifier system of a region's local patient ids. */
export function localIdSystem(region: string): string {
  return `urn:meridian:local-patient-id:${region}`;
}

export interface PatientFields {
  readonly localId: string;
  readonly region: string;
  readonly given: string;
  readonly family: string;
  readonly gender: 'male' | 'female';
  readonly birthDate: string;
  readonly address: { readonly city?: string; readonly state?: string; readonly country: string };
  readonly organisation: Organisation;
  readonly lastUpdated: Date;
}

export function patientResource(p: PatientFields): FhirResource {
  return {
    resourceType: 'Patient',
    id: p.localId,
    meta: { lastUpdated: fhirInstant(p.lastUpdated) },
    identifier: [{ use: 'usual', system: localIdSystem(p.region), value: p.localId }],
    active: true,
    name: [{ use: 'official', family: p.family, given: [p.given] }],
    gender: p.gender,
    birthDate: p.birthDate,
    address: [{ use: 'home', ...p.address }],
    managingOrganization: orgRef(p.organisation),
  };
}
