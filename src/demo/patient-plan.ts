import type { RegionConfig } from '../config/regions.js';
import { ACT_CODE_LABELS, type SensitivityLabel } from '../domain/fhir.js';
import { ALLERGIES, CITIES, CONDITIONS, fits, type AllergyDef, type ConditionDef, type Gender } from './catalog.js';
import { givenNames, namesFor } from './names.js';
import { fhirDate } from './fhir-resources.js';
import { Random, stableHex } from './random.js';

/** Demo dates count back from here, never from the clock, so every run gives the same data. */
export const REFERENCE_DATE = new Date('2026-01-01T00:00:00Z');
const YEAR_MS = 365.25 * 86_400_000;

/** Who a demo patient is and where they were treated; the records follow from it. */
export interface PatientPlan {
  readonly index: number;
  readonly globalId: string;
  readonly given: string;
  readonly family: string;
  readonly gender: Gender;
  readonly birth: Date;
  readonly birthDate: string;
  readonly age: number;
  readonly country: string;
  readonly city: string | undefined;
  /** Home region first, then the regions visited. */
  readonly regions: readonly RegionConfig[];
  readonly problems: readonly ConditionDef[];
  readonly allergies: readonly AllergyDef[];
  readonly sensitivity: SensitivityLabel | null;
  /** Region whose records carry the sensitive problem. */
  readonly sensitiveRegion: string | null;
}

/** The showcase patients: a French resident treated in Germany, a US traveller in France, one in all three. */
const SCENARIOS: Readonly<Record<number, readonly string[]>> = {
  0: ['eu-fr', 'eu-de'],
  1: ['us-ma', 'eu-fr'],
  2: ['eu-de', 'eu-fr', 'us-ma'],
};

/** Pseudonymous global id: derived from seed and index, so it is stable but reveals nothing. */
export function globalIdOf(seed: number, index: number): string {
  return `mp-${stableHex(12, 'meridian-demo', 'global', seed, index)}`;
}

/** Region-local patient id: unrelated to the global id and different in every region. */
export function localIdOf(seed: number, index: number, region: string): string {
  return `${region}-${stableHex(12, 'meridian-demo', 'local', seed, index, region)}`;
}

function chooseRegions(rng: Random, index: number, regions: readonly RegionConfig[]): RegionConfig[] {
  const scenario = SCENARIOS[index]?.map((id) => regions.find((r) => r.id === id));
  if (scenario?.every((r) => r !== undefined)) return scenario;
  const home = rng.pick(regions);
  const others = regions.filter((r) => r !== home);
  const r = rng.next();
  // About 8% are treated in three regions and 25% in two.
  const visits = others.length >= 2 && r < 0.08 ? 2 : others.length >= 1 && r < 0.33 ? 1 : 0;
  return [home, ...rng.sample(others, visits)];
}

/**
 * Which patients carry a sensitive record, and of which kind: every eighth patient,
 * the kind rotating, so any 40 consecutive patients show every label. The offset
 * keeps the three showcase patients free of sensitive records.
 */
function sensitivityOf(seed: number, index: number): SensitivityLabel | null {
  const offset = 3 + (Math.abs(Math.trunc(seed)) % 5);
  if (index % 8 !== offset) return null;
  return ACT_CODE_LABELS[Math.floor(index / 8) % ACT_CODE_LABELS.length] ?? null;
}

function weightedDistinct(rng: Random, pool: readonly ConditionDef[], count: number): ConditionDef[] {
  const left = [...pool];
  const out: ConditionDef[] = [];
  while (out.length < count && left.length > 0) {
    const pick = rng.weighted(left.map((c) => ({ value: c, weight: c.weight })));
    out.push(pick);
    left.splice(left.indexOf(pick), 1);
  }
  return out;
}

function problemCount(rng: Random, age: number): number {
  if (age < 40) return rng.int(0, 1);
  if (age < 65) return rng.int(1, 3);
  return rng.int(2, 4);
}

function allergyCount(rng: Random): number {
  const r = rng.next();
  return r < 0.08 ? 2 : r < 0.3 ? 1 : 0;
}

/** Plans demo patient number `index`: the same seed and index always give the same plan. */
export function planPatient(seed: number, index: number, regions: readonly RegionConfig[]): PatientPlan {
  const rng = Random.derive('meridian-demo', seed, index, 'patient');
  const chosen = chooseRegions(rng, index, regions);
  const home = chosen[0] as RegionConfig;
  const country = home.jurisdiction.split('-')[0] ?? home.jurisdiction;
  const gender: Gender = rng.chance(0.5) ? 'female' : 'male';
  const names = namesFor(country);
  const given = rng.pick(givenNames(names, gender));
  const family = rng.pick(names.family);
  const age = rng.int(18, 90);
  const birth = rng.dateBetween(
    new Date(REFERENCE_DATE.getTime() - (age + 1) * YEAR_MS),
    new Date(REFERENCE_DATE.getTime() - age * YEAR_MS),
  );
  const cities = CITIES[country];
  const city = cities ? rng.pick(cities) : undefined;
  const chronic = CONDITIONS.filter((c) => c.chronic && c.sensitivity === undefined && fits(c, age, gender));
  const problems = weightedDistinct(rng, chronic, problemCount(rng, age));
  const allergies = rng.sample(ALLERGIES, allergyCount(rng));
  const sensitivity = sensitivityOf(seed, index);
  const sensitiveRegion = sensitivity ? (rng.chance(0.7) ? home.id : rng.pick(chosen).id) : null;
  return {
    index,
    globalId: globalIdOf(seed, index),
    given,
    family,
    gender,
    birth,
    birthDate: fhirDate(birth),
    age,
    country,
    city,
    regions: chosen,
    problems,
    allergies,
    sensitivity,
    sensitiveRegion,
  };
}
