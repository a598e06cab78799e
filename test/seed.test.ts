import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regionListSchema } from '../src/config/regions.js';
import { generateDemoData } from '../src/demo/generator.js';
import { seedDemo, type SeedProgress } from '../src/demo/seed.js';
import { PrismaControlPlane } from '../src/stores/control-plane.js';
import { openDatabase, type Database } from '../src/stores/database.js';
import { applyMigrations } from '../src/stores/migrate.js';
import { PrismaRecordStore } from '../src/stores/record-store.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';

const regions = regionListSchema.parse('eu-de=DE,eu-fr=FR,us-ma=US-MA');
const PATIENTS = 10;

describe('seedDemo against PostgreSQL', () => {
  const dbs: TestDatabase[] = [];
  const opened: Database[] = [];
  const stores = new Map<string, PrismaRecordStore>();
  let control: PrismaControlPlane;

  beforeAll(async () => {
    for (const region of regions) {
      const test = await createTestDatabase(`seed_${region.id}`);
      dbs.push(test);
      const db = await openDatabase(region.id, { kind: 'postgres', url: test.url });
      opened.push(db);
      await applyMigrations(db, 'records');
      stores.set(region.id, new PrismaRecordStore(region.id, db));
    }
    const test = await createTestDatabase('seed_control');
    dbs.push(test);
    const db = await openDatabase('control', { kind: 'postgres', url: test.url });
    opened.push(db);
    await applyMigrations(db, 'control');
    control = new PrismaControlPlane(db);
  });

  afterAll(async () => {
    for (const store of stores.values()) await store.close();
    await control.close();
    for (const db of opened) await db.close();
    for (const db of dbs) await db.drop();
  });

  it('writes the demo data in batches, and a second run changes nothing', async () => {
    const expected = generateDemoData({ patients: PATIENTS, regions });
    const records = expected.patients.flatMap((p) => p.locations).reduce((n, l) => n + l.records.length, 0);
    const progress: SeedProgress[] = [];
    const first = await seedDemo({
      stores,
      control,
      regions,
      patients: PATIENTS,
      batchSize: 50,
      onProgress: (p) => progress.push(p),
    });
    expect(first).toMatchObject({
      // A hospital per region and a patient identity provider per jurisdiction.
      organisations: 6,
      patients: PATIENTS,
      records,
      inserted: records,
      updated: 0,
      unchanged: 0,
    });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual({ patientsDone: PATIENTS, patientsTotal: PATIENTS, recordsWritten: records });

    let stored = 0;
    for (const store of stores.values()) stored += await store.count();
    expect(stored).toBe(records);

    const p0 = expected.patients[0]!;
    expect(await control.locatePatient(p0.globalId)).toEqual(
      p0.locations
        .map((l) => ({ region: l.region, localId: l.localId }))
        .sort((a, b) => a.region.localeCompare(b.region)),
    );
    const personas = await control.personas();
    expect(personas.map((p) => p.name).sort()).toEqual(expected.personas.map((p) => p.name).sort());
    expect(await control.organisations()).toHaveLength(6);

    const second = await seedDemo({ stores, control, regions, patients: PATIENTS, batchSize: 50 });
    expect(second).toMatchObject({ records, inserted: 0, updated: 0, unchanged: records, links: first.links });
    let after = 0;
    for (const store of stores.values()) after += await store.count();
    expect(after).toBe(records);
  });

  it('adds patients when asked for more, keeping the ones that exist', async () => {
    const before = (await control.patients(1000)).length;
    const more = await seedDemo({ stores, control, regions, patients: PATIENTS + 3 });
    expect((await control.patients(1000)).length).toBe(before + 3);
    expect(more.inserted).toBeGreaterThan(0);
    expect(more.updated).toBe(0);
  });
});
