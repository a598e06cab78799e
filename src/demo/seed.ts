import type { RegionConfig } from '../config/regions.js';
import type { StoredRecord } from '../domain/record.js';
import type { ControlPlane, PatientLocation, Persona } from '../stores/control-plane.js';
import type { RecordStore } from '../stores/record-store.js';
import { generateDemoPatients, type DemoPatient } from './generator.js';
import { demoOrganisations, hospitalOf, patientPersona, staffPersonas } from './organisations.js';

export interface SeedProgress {
  readonly patientsDone: number;
  readonly patientsTotal: number;
  readonly recordsWritten: number;
}

export interface SeedOptions {
  readonly stores: ReadonlyMap<string, RecordStore>;
  readonly control: ControlPlane;
  readonly regions: readonly RegionConfig[];
  readonly patients: number;
  readonly seed?: number;
  readonly recordsPerPatient?: number;
  /** Records per write transaction (default 2000). */
  readonly batchSize?: number;
  readonly onProgress?: (progress: SeedProgress) => void;
}

export interface SeedResult {
  readonly organisations: number;
  readonly personas: number;
  readonly patients: number;
  /** Master patient index entries (patient × region). */
  readonly links: number;
  readonly records: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

const LINK_CONCURRENCY = 16;

/** What is generated but not yet written: bounded by the batch size, whatever the patient count. */
class PendingBatch {
  readonly records = new Map<string, Omit<StoredRecord, 'region'>[]>();
  readonly links: { globalId: string; location: PatientLocation }[] = [];
  readonly personas: Persona[] = [];
  size = 0;

  add(patient: DemoPatient, regions: readonly RegionConfig[]): void {
    for (const location of patient.locations) {
      const list = this.records.get(location.region) ?? [];
      list.push(...location.records);
      this.records.set(location.region, list);
      this.links.push({ globalId: patient.globalId, location: { region: location.region, localId: location.localId } });
      this.size += location.records.length;
    }
    const home = regions.find((r) => r.id === patient.homeRegion);
    if (home && patient.locations.length > 1) this.personas.push(patientPersona(patient.globalId, hospitalOf(home)));
  }
}

function storesFor(options: SeedOptions): ReadonlyMap<string, RecordStore> {
  const missing = options.regions.filter((r) => !options.stores.has(r.id)).map((r) => r.id);
  if (missing.length > 0) throw new Error(`no record store for region(s) ${missing.join(', ')}`);
  return options.stores;
}

/**
 * Writes the demo data set: hospitals, personas, master patient index and records.
 * Patients are generated and written a batch at a time, so 100,000+ records need no
 * more memory than one batch; each batch is one transaction per region. Idempotent:
 * a second run finds every record unchanged and every link in place.
 */
export async function seedDemo(options: SeedOptions): Promise<SeedResult> {
  const stores = storesFor(options);
  const batchSize = options.batchSize ?? 2000;
  const organisations = demoOrganisations(options.regions);
  await options.control.upsertOrganisations(organisations);
  const staff = staffPersonas(organisations);
  await options.control.upsertPersonas(staff);
  const totals = { personas: staff.length, patients: 0, links: 0, records: 0, inserted: 0, updated: 0, unchanged: 0 };

  const flush = async (batch: PendingBatch): Promise<void> => {
    // Records first: the index never points at a region that does not hold the patient yet.
    for (const [region, records] of batch.records) {
      const result = await (stores.get(region) as RecordStore).upsertMany(records);
      totals.inserted += result.inserted;
      totals.updated += result.updated;
      totals.unchanged += result.unchanged;
      totals.records += records.length;
    }
    for (let i = 0; i < batch.links.length; i += LINK_CONCURRENCY) {
      await Promise.all(
        batch.links.slice(i, i + LINK_CONCURRENCY).map((l) => options.control.linkPatient(l.globalId, l.location)),
      );
    }
    if (batch.personas.length > 0) await options.control.upsertPersonas(batch.personas);
    totals.links += batch.links.length;
    totals.personas += batch.personas.length;
    options.onProgress?.({
      patientsDone: totals.patients,
      patientsTotal: options.patients,
      recordsWritten: totals.records,
    });
  };

  let batch = new PendingBatch();
  for (const patient of generateDemoPatients(options)) {
    batch.add(patient, options.regions);
    totals.patients++;
    if (batch.size >= batchSize) {
      await flush(batch);
      batch = new PendingBatch();
    }
  }
  if (batch.size > 0 || batch.links.length > 0) await flush(batch);
  return { organisations: organisations.length, ...totals };
}
