/** FHIR R4 resource types of the International Patient Summary that Meridian stores. */
export const IPS_RESOURCE_TYPES = [
  'Patient',
  'Condition',
  'AllergyIntolerance',
  'MedicationStatement',
  'MedicationRequest',
  'Immunization',
  'Observation',
  'Procedure',
  'DiagnosticReport',
] as const;
export type IpsResourceType = (typeof IPS_RESOURCE_TYPES)[number];

/** IPS sections, the categories policies and filters speak of. */
export const CATEGORIES = [
  'patient',
  'problems',
  'allergies',
  'medications',
  'immunizations',
  'results',
  'procedures',
  'reports',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_OF: Readonly<Record<IpsResourceType, Category>> = {
  Patient: 'patient',
  Condition: 'problems',
  AllergyIntolerance: 'allergies',
  MedicationStatement: 'medications',
  MedicationRequest: 'medications',
  Immunization: 'immunizations',
  Observation: 'results',
  Procedure: 'procedures',
  DiagnosticReport: 'reports',
};

/**
 * HL7 v3 ActCode sensitivity labels (meta.security) Meridian recognises:
 * mental health, HIV, genetic, substance use, sexual and reproductive health.
 */
export const ACT_CODE_LABELS = ['PSY', 'HIV', 'GDIS', 'ETH', 'SEX'] as const;
export const SENSITIVITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/**
 * HL7 v3 Confidentiality codes (meta.security) that restrict a record beyond normal care:
 * R (restricted) and V (very restricted). U, L, M and N need nothing more than the record's category.
 */
export const CONFIDENTIALITY_LABELS = ['R', 'V'] as const;
export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

/** Every label a policy rules on and a consent may allow or deny: sensitivity labels, then confidentiality. */
export const SENSITIVITY_LABELS = [...ACT_CODE_LABELS, ...CONFIDENTIALITY_LABELS] as const;
export type SensitivityLabel = (typeof SENSITIVITY_LABELS)[number];

export const SENSITIVITY_DESCRIPTIONS: Readonly<Record<SensitivityLabel, string>> = {
  PSY: 'mental health',
  HIV: 'HIV/AIDS',
  GDIS: 'genetic',
  ETH: 'substance use',
  SEX: 'sexual and reproductive health',
  R: 'restricted (confidentiality R)',
  V: 'very restricted (confidentiality V)',
};

/** The label a meta.security coding carries, if Meridian rules on it. */
export function labelOfCoding(system: unknown, code: unknown): SensitivityLabel | null {
  if (typeof code !== 'string') return null;
  const known: readonly string[] | null =
    system === SENSITIVITY_SYSTEM ? ACT_CODE_LABELS : system === CONFIDENTIALITY_SYSTEM ? CONFIDENTIALITY_LABELS : null;
  return known?.includes(code) ? (code as SensitivityLabel) : null;
}

/** The element of each stored type that names the Patient it is about. */
export const PATIENT_FIELD: Readonly<Record<Exclude<IpsResourceType, 'Patient'>, 'subject' | 'patient'>> = {
  Condition: 'subject',
  AllergyIntolerance: 'patient',
  MedicationStatement: 'subject',
  MedicationRequest: 'subject',
  Immunization: 'patient',
  Observation: 'subject',
  Procedure: 'subject',
  DiagnosticReport: 'subject',
};

/**
 * How each stored type carries `category` in R4, for FHIR search by category: a list of
 * CodeableConcepts, one CodeableConcept, or a list of codes. Immunization and Patient have none.
 */
export const FHIR_CATEGORY_SHAPE: Readonly<Partial<Record<IpsResourceType, 'concepts' | 'concept' | 'codes'>>> = {
  Condition: 'concepts',
  Observation: 'concepts',
  DiagnosticReport: 'concepts',
  MedicationRequest: 'concepts',
  MedicationStatement: 'concept',
  Procedure: 'concept',
  AllergyIntolerance: 'codes',
};

/** A FHIR search token, `[system|]code`. */
export interface FhirToken {
  readonly system?: string;
  readonly code: string;
}

/** The sensitivity and confidentiality labels of a resource's meta.security, each once, in the order given. */
export function sensitivityLabelsOf(resource: { readonly meta?: unknown }): SensitivityLabel[] {
  const meta = resource.meta;
  const security: unknown =
    typeof meta === 'object' && meta !== null ? (meta as { security?: unknown }).security : undefined;
  const labels: SensitivityLabel[] = [];
  for (const c of Array.isArray(security) ? (security as unknown[]) : []) {
    if (typeof c !== 'object' || c === null) continue;
    const { system, code } = c as FhirCoding;
    const label = labelOfCoding(system, code);
    if (label !== null && !labels.includes(label)) labels.push(label);
  }
  return labels;
}

export function isIpsResourceType(value: string): value is IpsResourceType {
  return (IPS_RESOURCE_TYPES as readonly string[]).includes(value);
}

export function isSensitivityLabel(value: string): value is SensitivityLabel {
  return (SENSITIVITY_LABELS as readonly string[]).includes(value);
}

/** A FHIR resource as JSON: only the fields Meridian relies on are typed. */
export interface FhirResource {
  readonly resourceType: string;
  readonly id?: string;
  readonly meta?: {
    readonly versionId?: string;
    readonly lastUpdated?: string;
    readonly source?: string;
    readonly profile?: readonly string[];
    readonly security?: readonly FhirCoding[];
  };
  readonly [field: string]: unknown;
}

export interface FhirCoding {
  readonly system?: string;
  readonly code?: string;
  readonly display?: string;
}
