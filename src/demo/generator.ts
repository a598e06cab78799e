import type { RegionConfig } from '../config/regions.js';
import { contentHash } from '../domain/canonical-json.js';
import { badInput } from '../domain/errors.js';
import { CATEGORY_OF, isIpsResourceType, type FhirResource, type SensitivityLabel } from '../domain/fhir.js';
import type { StoredRecord } from '../domain/record.js';
import type { Organisation, Persona } from '../stores/control-plane.js';
import type { Gender } from './catalog.js';
import { patientResource } from './fhir-resources.js';
import { DEFAULT_RECORDS_PER_LOCATION, locationResources } from './location-records.js';
import { demoOrganisations, hospitalOf, patientPersona, staffPersonas } from './organisations.js';
import { localIdOf, planPatient, REFERENCE_DATE, type PatientPlan } from './patient-plan.js';

/** The seed of the demo data a fresh gateway starts with, and that `meridian demo` lists. */
export const DEMO_SEED = 20260101;

export interface DemoOptions {
  readonly patients: number;
  readonly seed?: number;
  readonly regions: readonly RegionConfig[];
  /** Average clinical records per patient in each region holding their records (default 15). */
  readonly recordsPerPatient?: number;
}

/** A demo patient's records at one region's hospital. */
export interface DemoLocation {
  readonly region: string;
  readonly localId: string;
  /** The Patient resource first, then the clinical records. */
  readonly records: Omit<StoredRecord, 'region'>[];
}

export interface DemoPatient {
  readonly globalId: string;
  readonly name: string;
  readonly birthDate: string;
  readonly gender: Gender;
  readonly homeRegion: string;
  /** Home region first. */
  readonly locations: DemoLocation[];
}

export interface DemoData {
  readonly organisations: Organisation[];
  readonly personas: Persona[];
  readonly patients: DemoPatient[];
}

function checkOptions(options: DemoOptions): void {
  if (!Number.isInteger(options.patients) || options.patients < 0)
    throw badInput('patients must be a whole number, 0 or more');
  if (options.regions.length === 0) throw badInput('demo data needs at least one region');
  const average = options.recordsPerPatient;
  if (average !== undefined && (!Number.isInteger(average) || average < 1 || average > 10_000)) {
    throw badInput('records per patient must be a whole number from 1 to 10000');
  }
}

function toStoredRecord(
  resource: FhirResource,
  patientId: string,
  sourceOrg: string,
  sensitivity: SensitivityLabel | null,
): Omit<StoredRecord, 'region'> {
  const type = resource.resourceType;
  if (!isIpsResourceType(type) || resource.id === undefined || resource.meta?.lastUpdated === undefined) {
    throw new Error(`demo generator built an incomplete ${type}`);
  }
  return {
    resourceType: type,
    resourceId: resource.id,
    patientId,
    category: CATEGORY_OF[type],
    sensitivity: sensitivity === null ? [] : [sensitivity],
    sourceOrg,
    lastUpdated: new Date(resource.meta.lastUpdated),
    contentHash: contentHash(resource),
    resource,
  };
}

function buildLocation(seed: number, plan: PatientPlan, region: RegionConfig, average: number): DemoLocation {
  const org = hospitalOf(region);
  const localId = localIdOf(seed, plan.index, region.id);
  const { resources, window } = locationResources(seed, plan, region, localId, org, {
    average,
    reference: REFERENCE_DATE,
  });
  const [, subdivision] = (plan.regions[0]?.jurisdiction ?? '').split('-');
  const patient = patientResource({
    localId,
    region: region.id,
    given: plan.given,
    family: plan.family,
    gender: plan.gender,
    birthDate: plan.birthDate,
    address: {
      ...(plan.city ? { city: plan.city } : {}),
      ...(subdivision ? { state: subdivision } : {}),
      country: plan.country,
    },
    organisation: org,
    lastUpdated: window[0],
  });
  return {
    region: region.id,
    localId,
    records: [
      toStoredRecord(patient, localId, org.id, null),
      ...resources.map((r) => toStoredRecord(r.resource, localId, org.id, r.sensitivity)),
    ],
  };
}

/** Demo patient number `index`, with all their records: the same options always give the same patient. */
export function generateDemoPatient(options: DemoOptions, index: number): DemoPatient {
  const seed = options.seed ?? DEMO_SEED;
  const plan = planPatient(seed, index, options.regions);
  const average = options.recordsPerPatient ?? DEFAULT_RECORDS_PER_LOCATION;
  return {
    globalId: plan.globalId,
    name: `${plan.given} ${plan.family}`,
    birthDate: plan.birthDate,
    gender: plan.gender,
    homeRegion: plan.regions[0]?.id ?? '',
    locations: plan.regions.map((region) => buildLocation(seed, plan, region, average)),
  };
}

/**
 * Demo patients one at a time, so that large runs (100,000+ records) need memory for
 * one patient only. Patient `i` does not depend on the count: more patients add, never change.
 */
export function* generateDemoPatients(options: DemoOptions): Generator<DemoPatient> {
  checkOptions(options);
  for (let i = 0; i < options.patients; i++) yield generateDemoPatient(options, i);
}

/** Staff personas of the hospitals, and a persona for every patient treated in more than one region. */
export function demoPersonas(
  organisations: readonly Organisation[],
  patients: Iterable<{
    readonly globalId: string;
    readonly homeRegion: string;
    readonly locations: readonly unknown[];
  }>,
  regions: readonly RegionConfig[],
): Persona[] {
  const personas = staffPersonas(organisations);
  for (const patient of patients) {
    const home = regions.find((r) => r.id === patient.homeRegion);
    if (home && patient.locations.length > 1) personas.push(patientPersona(patient.globalId, home));
  }
  return personas;
}

/**
 * The whole demo data set: hospitals, personas and patients with their FHIR records.
 * Deterministic: the same options give byte-identical output on every run.
 */
export function generateDemoData(options: DemoOptions): DemoData {
  checkOptions(options);
  const organisations = demoOrganisations(options.regions);
  const patients = [...generateDemoPatients(options)];
  return { organisations, personas: demoPersonas(organisations, patients, options.regions), patients };
}
