import type { SensitivityLabel } from '../domain/fhir.js';

/** Code system URIs as FHIR R4 and the IPS name them. */
export const SYSTEMS = {
  snomed: 'http://snomed.info/sct',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  atc: 'http://www.whocc.no/atc',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  cvx: 'http://hl7.org/fhir/sid/cvx',
} as const;

export interface Code {
  readonly system: string;
  readonly code: string;
  readonly display: string;
}

export type Gender = 'male' | 'female';

/** Who a catalog entry fits: by age in years and gender. */
export interface Eligibility {
  readonly minAge?: number;
  readonly maxAge?: number;
  readonly gender?: Gender;
}

export interface ConditionDef extends Eligibility {
  readonly key: string;
  readonly snomed: Code;
  readonly icd10: Code;
  /** Chronic problems stay active; acute ones are resolved weeks later. */
  readonly chronic: boolean;
  /** Relative frequency among patients. */
  readonly weight: number;
  readonly medications: readonly string[];
  readonly labs: readonly string[];
  readonly procedures: readonly string[];
  readonly reports: readonly string[];
  readonly sensitivity?: SensitivityLabel;
}

export interface MedicationDef {
  readonly key: string;
  readonly text: string;
  readonly atc: Code;
  readonly rxnorm: Code;
  readonly dosage: string;
}

export interface AllergyDef {
  readonly key: string;
  readonly snomed: Code;
  readonly category: 'food' | 'medication' | 'environment' | 'biologic';
  readonly criticality: 'low' | 'high';
  readonly reactions: readonly Code[];
}

export interface VaccineDef extends Eligibility {
  readonly key: string;
  readonly cvx: Code;
  readonly snomed: Code;
}

/** A measured quantity: UCUM unit, reference range and the range values plausibly fall in. */
export interface QuantityDef {
  readonly loinc: Code;
  readonly unit: string;
  /** Reference range; absent where none applies (body weight). */
  readonly normal?: readonly [number, number];
  readonly plausible: readonly [number, number];
  readonly decimals: number;
}

export interface LabDef {
  readonly key: string;
  readonly loinc: Code;
  readonly category: 'laboratory' | 'vital-signs' | 'survey';
  /** A quantity result; absent for coded results and panels. */
  readonly quantity?: QuantityDef;
  /** A coded result (e.g. detected / not detected); the first is the most frequent. */
  readonly answers?: readonly Code[];
  /** Panel components, e.g. systolic and diastolic blood pressure. */
  readonly components?: readonly QuantityDef[];
}

export interface ProcedureDef extends Eligibility {
  readonly key: string;
  readonly snomed: Code;
}

export interface ReportDef {
  readonly key: string;
  readonly loinc: Code;
  /** HL7 v2 table 0074 diagnostic service section: LAB, RAD, EC, GE. */
  readonly service: 'LAB' | 'RAD' | 'EC' | 'GE';
  readonly conclusions: readonly string[];
  /** Lab keys whose observations the report lists as results. */
  readonly results: readonly string[];
}

export const sct = (code: string, display: string): Code => ({ system: SYSTEMS.snomed, code, display });
export const icd = (code: string, display: string): Code => ({ system: SYSTEMS.icd10, code, display });
export const atc = (code: string, display: string): Code => ({ system: SYSTEMS.atc, code, display });
export const rxn = (code: string, display: string): Code => ({ system: SYSTEMS.rxnorm, code, display });
export const loinc = (code: string, display: string): Code => ({ system: SYSTEMS.loinc, code, display });
export const cvx = (code: string, display: string): Code => ({ system: SYSTEMS.cvx, code, display });

/** Whether a patient of this age and gender fits the entry. */
export function fits(entry: Eligibility, age: number, gender: Gender): boolean {
  return (
    (entry.minAge === undefined || age >= entry.minAge) &&
    (entry.maxAge === undefined || age <= entry.maxAge) &&
    (entry.gender === undefined || entry.gender === gender)
  );
}

type ConditionInput = Omit<ConditionDef, 'procedures' | 'reports' | 'labs' | 'medications'> &
  Partial<Pick<ConditionDef, 'procedures' | 'reports' | 'labs' | 'medications'>>;

export const condition = (c: ConditionInput): ConditionDef => ({
  medications: [],
  labs: [],
  procedures: [],
  reports: [],
  ...c,
});

export const med = (
  key: string,
  text: string,
  [atcCode, atcDisplay]: readonly [string, string],
  [rxCode, rxDisplay]: readonly [string, string],
  dosage: string,
): MedicationDef => ({ key, text, atc: atc(atcCode, atcDisplay), rxnorm: rxn(rxCode, rxDisplay), dosage });

export const qty = (
  code: string,
  display: string,
  unit: string,
  normal: readonly [number, number] | undefined,
  plausible: readonly [number, number],
  decimals: number,
): QuantityDef => ({ loinc: loinc(code, display), unit, ...(normal ? { normal } : {}), plausible, decimals });

export const lab = (key: string, quantity: QuantityDef, category: LabDef['category'] = 'laboratory'): LabDef => ({
  key,
  loinc: quantity.loinc,
  category,
  quantity,
});
