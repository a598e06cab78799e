import type { RegionConfig } from '../config/regions.js';
import type { FhirResource, SensitivityLabel } from '../domain/fhir.js';
import type { Organisation } from '../stores/control-plane.js';
import {
  ALLERGIES,
  CONDITIONS,
  entry,
  fits,
  GENERAL_LABS,
  GENERAL_MEDICATIONS,
  GENERAL_PROCEDURES,
  GENERAL_REPORTS,
  LAB_BY_KEY,
  MEDICATION_BY_KEY,
  PROCEDURE_BY_KEY,
  REPORT_BY_KEY,
  VACCINES,
  type ConditionDef,
  type LabDef,
  type QuantityDef,
} from './catalog.js';
import {
  allergyResource,
  conditionResource,
  immunizationResource,
  medicationResource,
  observationResource,
  procedureResource,
  reportResource,
  type ObservationValue,
  type ResourceContext,
} from './fhir-resources.js';
import type { PatientPlan } from './patient-plan.js';
import { Random } from './random.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** One generated resource and the label it carries. */
export interface GeneratedResource {
  readonly resource: FhirResource;
  readonly sensitivity: SensitivityLabel | null;
}

type ClinicalType =
  | 'Condition'
  | 'MedicationStatement'
  | 'Observation'
  | 'Immunization'
  | 'AllergyIntolerance'
  | 'Procedure'
  | 'DiagnosticReport';

const TYPE_WEIGHTS: readonly { value: ClinicalType; weight: number }[] = [
  { value: 'Condition', weight: 16 },
  { value: 'MedicationStatement', weight: 18 },
  { value: 'Observation', weight: 34 },
  { value: 'Immunization', weight: 10 },
  { value: 'AllergyIntolerance', weight: 5 },
  { value: 'Procedure', weight: 8 },
  { value: 'DiagnosticReport', weight: 9 },
];

const ID_PREFIX: Readonly<Record<ClinicalType, string>> = {
  Condition: 'cond',
  MedicationStatement: 'med',
  Observation: 'obs',
  Immunization: 'imm',
  AllergyIntolerance: 'alg',
  Procedure: 'proc',
  DiagnosticReport: 'rep',
};

/** Vaccines given again every season; others are given once. */
const SEASONAL = new Set(['influenza', 'covid-19']);

/**
 * A result value: abnormal results (of a problem the patient has) range over the plausible
 * values, others mostly over the reference range; coded results favour their first answer.
 */
function observationValue(rng: Random, def: LabDef, abnormal: boolean): ObservationValue {
  if (def.answers) {
    return { kind: 'coded', answer: (rng.chance(0.7) ? def.answers[0] : undefined) ?? rng.pick(def.answers) };
  }
  const measure = (q: QuantityDef): number => {
    const [lo, hi] = !abnormal && q.normal && rng.chance(0.85) ? q.normal : q.plausible;
    return rng.float(lo, hi, q.decimals);
  };
  if (def.components) {
    return {
      kind: 'components',
      components: def.components.map((quantity) => ({ quantity, value: measure(quantity) })),
    };
  }
  if (!def.quantity) throw new Error(`demo lab ${def.key} has no value definition`);
  return { kind: 'quantity', quantity: def.quantity, value: measure(def.quantity) };
}

/** The clinical records of one patient at one region's hospital, built one at a time. */
class LocationBuilder {
  readonly out: GeneratedResource[] = [];
  readonly #rng: Random;
  readonly #plan: PatientPlan;
  readonly #localId: string;
  readonly #org: Organisation;
  readonly #from: Date;
  readonly #to: Date;
  /** Problems recorded here, with their onset: what they call for comes after it. */
  readonly #active: { def: ConditionDef; onset: Date }[] = [];
  readonly #used = new Set<string>();
  /** Observations by lab key not yet listed in a report. */
  readonly #unreported = new Map<string, { id: string; when: Date }[]>();

  constructor(rng: Random, plan: PatientPlan, localId: string, org: Organisation, window: readonly [Date, Date]) {
    this.#rng = rng;
    this.#plan = plan;
    this.#localId = localId;
    this.#org = org;
    [this.#from, this.#to] = window;
  }

  #context(type: ClinicalType, sensitivity: SensitivityLabel | null, notBefore?: Date): ResourceContext {
    const from = notBefore && notBefore > this.#from ? notBefore : this.#from;
    const when = this.#rng.dateBetween(from, this.#to);
    const lastUpdated = this.#after(when, this.#rng.int(1, 48) * HOUR_MS);
    return {
      id: `${this.#localId}-${ID_PREFIX[type]}-${this.out.length + 1}`,
      localId: this.#localId,
      organisation: this.#org,
      when,
      lastUpdated,
      sensitivity,
    };
  }

  #push(resource: FhirResource, sensitivity: SensitivityLabel | null): void {
    this.out.push({ resource, sensitivity });
  }

  /** The sensitive problem with one of its medications, results and reports, all labelled. */
  sensitiveCase(label: SensitivityLabel): void {
    const cases = CONDITIONS.filter((c) => c.sensitivity === label && fits(c, this.#plan.age, this.#plan.gender));
    const def = this.#rng.weighted(cases.map((c) => ({ value: c, weight: c.weight })));
    this.condition(def, label);
    if (def.medications.length > 0) this.medication(this.#rng.pick(def.medications), label);
    if (def.labs.length > 0) this.observation(entry(LAB_BY_KEY, this.#rng.pick(def.labs)), true, label);
    if (def.reports.length > 0) this.report(this.#rng.pick(def.reports), label);
  }

  condition(def: ConditionDef, label: SensitivityLabel | null = null): void {
    const ctx = this.#context('Condition', label);
    const abatement = def.chronic ? null : this.#after(ctx.when, this.#rng.int(7, 42) * DAY_MS);
    this.#used.add(`condition:${def.key}`);
    this.#active.push({ def, onset: ctx.when });
    this.#push(conditionResource(ctx, def, abatement), label);
  }

  medication(key: string, label: SensitivityLabel | null = null): void {
    const ctx = this.#context('MedicationStatement', label, this.#onsetFor('medications', key));
    const ended = this.#rng.chance(0.25) ? this.#after(ctx.when, this.#rng.int(5, 90) * DAY_MS) : null;
    this.#used.add(`medication:${key}`);
    this.#push(medicationResource(ctx, entry(MEDICATION_BY_KEY, key), ended), label);
  }

  observation(def: LabDef, abnormal: boolean, label: SensitivityLabel | null = null): void {
    const ctx = this.#context('Observation', label, this.#onsetFor('labs', def.key));
    this.#unreported.set(def.key, [...(this.#unreported.get(def.key) ?? []), { id: ctx.id, when: ctx.when }]);
    this.#push(observationResource(ctx, def, observationValue(this.#rng, def, abnormal)), label);
  }

  report(key: string, label: SensitivityLabel | null = null): void {
    const def = entry(REPORT_BY_KEY, key);
    const drawn = this.#context('DiagnosticReport', label, this.#onsetFor('reports', key));
    const results = def.results.flatMap((lab) => this.#unreported.get(lab)?.splice(0, 1) ?? []);
    // A report is issued when its results are: it cannot predate them.
    const latest = results.reduce<Date | null>((max, r) => (max && max > r.when ? max : r.when), null);
    const ctx = latest ? { ...drawn, when: latest, lastUpdated: this.#after(latest, 48 * HOUR_MS) } : drawn;
    this.#push(
      reportResource(
        ctx,
        def,
        this.#rng.pick(def.conclusions),
        results.map((r) => r.id),
      ),
      label,
    );
  }

  /** `ms` after `date`, but never past the end of the window. */
  #after(date: Date, ms: number): Date {
    return new Date(Math.min(this.#to.getTime(), date.getTime() + ms));
  }

  /** The onset of the first problem recorded here that calls for this item. */
  #onsetFor(field: 'medications' | 'labs' | 'procedures' | 'reports', key: string): Date | undefined {
    return this.#active.find((a) => a.def[field].includes(key))?.onset;
  }

  /** Adds one record of a type; types with nothing left to add fall back to a result. */
  add(type: ClinicalType): void {
    const done = this.#tryAdd(type);
    if (!done) this.#anyObservation();
  }

  /** The reason for a visit abroad: an acute problem. */
  acuteCondition(): void {
    const pool = CONDITIONS.filter(
      (c) => !c.chronic && c.sensitivity === undefined && fits(c, this.#plan.age, this.#plan.gender),
    );
    this.condition(this.#rng.weighted(pool.map((c) => ({ value: c, weight: c.weight }))));
  }

  #tryAdd(type: ClinicalType): boolean {
    switch (type) {
      case 'Condition':
        return this.#nextCondition();
      case 'MedicationStatement':
        return this.#fromPool('medication', this.#related('medications', GENERAL_MEDICATIONS), (key) => {
          this.medication(key);
        });
      case 'Observation':
        this.#anyObservation();
        return true;
      case 'Immunization':
        return this.#immunization();
      case 'AllergyIntolerance':
        return this.#fromPool(
          'allergy',
          this.#plan.allergies.map((a) => a.key),
          (key) => {
            this.#allergy(key);
          },
        );
      case 'Procedure':
        return this.#fromPool(
          'procedure',
          this.#related('procedures', GENERAL_PROCEDURES).filter((k) =>
            fits(entry(PROCEDURE_BY_KEY, k), this.#plan.age, this.#plan.gender),
          ),
          (key) => {
            this.#procedure(key);
          },
        );
      case 'DiagnosticReport':
        this.report(this.#rng.pick(this.#related('reports', GENERAL_REPORTS)));
        return true;
    }
  }

  /** Keys of a kind that the active problems call for, else the general ones. */
  #related(field: 'medications' | 'procedures' | 'reports' | 'labs', general: readonly string[]): string[] {
    const related = [
      ...new Set(this.#active.filter((a) => a.def.sensitivity === undefined).flatMap((a) => a.def[field])),
    ];
    return related.length > 0 && this.#rng.chance(0.75) ? related : [...general];
  }

  #fromPool(kind: string, keys: readonly string[], add: (key: string) => void): boolean {
    const fresh = keys.filter((k) => !this.#used.has(`${kind}:${k}`));
    if (fresh.length === 0) return false;
    add(this.#rng.pick(fresh));
    return true;
  }

  #nextCondition(): boolean {
    const problem = this.#plan.problems.find((c) => !this.#used.has(`condition:${c.key}`));
    if (problem) {
      this.condition(problem);
      return true;
    }
    if (!this.#rng.chance(0.5)) return false;
    this.acuteCondition();
    return true;
  }

  #anyObservation(): void {
    const keys = this.#related('labs', GENERAL_LABS);
    const key = this.#rng.pick(keys);
    const abnormal = this.#active.some((a) => a.def.labs.includes(key));
    this.observation(entry(LAB_BY_KEY, key), abnormal);
  }

  #immunization(): boolean {
    const pool = VACCINES.filter(
      (v) => fits(v, this.#plan.age, this.#plan.gender) && (SEASONAL.has(v.key) || !this.#used.has(`vaccine:${v.key}`)),
    );
    if (pool.length === 0) return false;
    const def = this.#rng.pick(pool);
    this.#used.add(`vaccine:${def.key}`);
    const lot = `${def.key.slice(0, 3).toUpperCase()}${this.#rng.int(10000, 99999)}`;
    this.#push(immunizationResource(this.#context('Immunization', null), def, lot), null);
    return true;
  }

  #allergy(key: string): void {
    const def = ALLERGIES.find((a) => a.key === key);
    if (!def) throw new Error(`demo catalog has no allergy "${key}"`);
    this.#used.add(`allergy:${key}`);
    const severity =
      def.criticality === 'high'
        ? this.#rng.pick(['moderate', 'severe'] as const)
        : this.#rng.pick(['mild', 'moderate'] as const);
    this.#push(allergyResource(this.#context('AllergyIntolerance', null), def, severity), null);
  }

  #procedure(key: string): void {
    this.#used.add(`procedure:${key}`);
    const ctx = this.#context('Procedure', null, this.#onsetFor('procedures', key));
    this.#push(procedureResource(ctx, entry(PROCEDURE_BY_KEY, key)), null);
  }

  pickType(): ClinicalType {
    return this.#rng.weighted(TYPE_WEIGHTS);
  }
}

/** Average clinical records per patient and region when not configured. */
export const DEFAULT_RECORDS_PER_LOCATION = 15;

/**
 * How many clinical records a patient has in one region: a third to five thirds of
 * the average (5–25 by default), drawn from its own stream so that changing the
 * average never changes the content of the records that exist.
 */
function recordCount(seed: number, plan: PatientPlan, region: string, average: number): number {
  const lo = Math.max(1, Math.round(average / 3));
  const hi = Math.max(lo, Math.round((average * 5) / 3));
  return Random.derive('meridian-demo', seed, plan.index, region, 'count').int(lo, hi);
}

/** Home records span the last decade of adult life; records abroad, a visit of a few weeks. */
function activityWindow(rng: Random, plan: PatientPlan, home: boolean, reference: Date): [Date, Date] {
  const adult = new Date(plan.birth.getTime() + 18 * 365.25 * DAY_MS);
  const decade = new Date(reference.getTime() - 10 * 365.25 * DAY_MS);
  const from = adult > decade ? adult : decade;
  const to = new Date(reference.getTime() - DAY_MS);
  if (home) return [from, to];
  const start = rng.dateBetween(from, new Date(to.getTime() - 30 * DAY_MS));
  return [start, new Date(start.getTime() + rng.int(3, 28) * DAY_MS)];
}

/** The clinical resources (not the Patient) of one patient in one region. */
export function locationResources(
  seed: number,
  plan: PatientPlan,
  region: RegionConfig,
  localId: string,
  org: Organisation,
  options: { average: number; reference: Date },
): { resources: GeneratedResource[]; window: readonly [Date, Date] } {
  const rng = Random.derive('meridian-demo', seed, plan.index, region.id, 'content');
  const home = region.id === plan.regions[0]?.id;
  const window = activityWindow(rng, plan, home, options.reference);
  const builder = new LocationBuilder(rng, plan, localId, org, window);
  const count = recordCount(seed, plan, region.id, options.average);
  if (plan.sensitivity && plan.sensitiveRegion === region.id) builder.sensitiveCase(plan.sensitivity);
  if (!home) builder.acuteCondition();
  while (builder.out.length < count) builder.add(builder.pickType());
  return { resources: builder.out, window };
}
