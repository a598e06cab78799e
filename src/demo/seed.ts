import type { RecordAnchoring } from '../access/anchoring/record-anchoring.js';
import type { RegionConfig } from '../config/regions.js';
import { anchorEntryOf, type AnchorEntry } from '../domain/record-anchor.js';
import type { StoredRecord } from '../domain/record.js';
import type { ControlPlane, PatientLocation, Persona } from '../stores/control-plane.js';
import type { RecordStore } from '../stores/record-store.js';
import { generateDemoPatients, type DemoPatient } from './generator.js';
import { demoOrganisations, patientPersona, staffPersonas } from './organisations.js';

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
  /**
   * Anchors the content hashes of what was written on the ledger. Without it nothing is
   * anchored, and a verifying read withholds every seeded record.
   */
  readonly anchor?: RecordAnchoring;
  /** Records gathered per region before they are anchored (default 5000, one ledger batch). */
  readonly anchorBatchSize?: number;
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
  /** Records put in new ledger batches (0 without `anchor`). */
  readonly anchored: number;
}

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
    if (home && patient.locations.length > 1) this.personas.push(patientPersona(patient.globalId, home));
  }
}

/**
 * Written records waiting to be anchored, per region, a ledger batch at a time. One batch is
 * anchored while other regions' records are written (never the same region's: PGlite serves
 * one connection); a failure surfaces at the next batch.
 */
class PendingAnchors {
  readonly #anchoring: RecordAnchoring;
  readonly #batchSize: number;
  readonly #pending = new Map<string, AnchorEntry[]>();
  #inFlight: Promise<void> = Promise.resolve();
  #inFlightRegion: string | null = null;
  #anchored = 0;

  constructor(anchoring: RecordAnchoring, batchSize: number) {
    this.#anchoring = anchoring;
    this.#batchSize = batchSize;
  }

  /** Resolves once the region's database is not in use for anchoring. */
  async beforeWrite(region: string): Promise<void> {
    if (this.#inFlightRegion === region) await this.#inFlight;
  }

  async add(region: string, records: readonly Omit<StoredRecord, 'region'>[]): Promise<void> {
    const pending = this.#pending.get(region) ?? [];
    for (const record of records) pending.push(anchorEntryOf(record));
    this.#pending.set(region, pending);
    if (pending.length >= this.#batchSize) await this.#start(region);
  }

  /** Anchors what is left and resolves to how many records were anchored in all. */
  async finish(): Promise<number> {
    for (const region of [...this.#pending.keys()]) await this.#start(region);
    await this.#inFlight;
    return this.#anchored;
  }

  async #start(region: string): Promise<void> {
    const entries = this.#pending.get(region) ?? [];
    this.#pending.delete(region);
    await this.#inFlight;
    this.#inFlightRegion = region;
    this.#inFlight = this.#anchoring.anchorRecords(region, entries).then((r) => {
      this.#anchored += r.anchored;
    });
    // Awaited at the next batch or in finish(); until then a failure must not count as unhandled.
    this.#inFlight.catch(() => undefined);
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
  const anchors = options.anchor ? new PendingAnchors(options.anchor, options.anchorBatchSize ?? 5000) : null;

  const flush = async (batch: PendingBatch): Promise<void> => {
    // Records first: the index never points at a region that does not hold the patient yet.
    for (const [region, records] of batch.records) {
      await anchors?.beforeWrite(region);
      const result = await (stores.get(region) as RecordStore).upsertMany(records);
      totals.inserted += result.inserted;
      totals.updated += result.updated;
      totals.unchanged += result.unchanged;
      totals.records += records.length;
      // Anchored after the write commits; a run cut short leaves some unanchored, and the next run anchors them.
      await anchors?.add(region, records);
    }
    if (batch.links.length > 0)
      await options.control.patientIndex.apply({ kind: 'links', actor: 'seed', links: batch.links });
    // The index as just written, anchored: reads check their rows against it.
    await options.anchor?.anchorPatients(batch.links.map((l) => l.globalId));
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
  const anchored = (await anchors?.finish()) ?? 0;
  // Statistics for what was just written: until autovacuum gets to it, a lookup's plan is made
  // without them (at a million records, a sequential scan of the records and a JIT compile).
  await Promise.all([options.control.analyze(), ...[...stores.values()].map((store) => store.analyze())]);
  return { organisations: organisations.length, ...totals, anchored };
}
