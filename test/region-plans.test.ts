import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../src/domain/fhir.js';
import { openDatabase, type Database } from '../src/stores/database.js';
import { applyMigrations } from '../src/stores/migrate.js';
import { PrismaRecordStore } from '../src/stores/record-store.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';

const PATIENTS = 3000;
const RECORDS_EACH = 5;

// PostgreSQL estimates `patient_id = ANY($1)` as some ten patients, so a named statement in that
// form looked cheaper planned afresh at every read (0.2 ms, about what the read takes) than
// planned once; compared as `= $1` (a patient's one local id in a region), PostgreSQL's own choice
// settles on one plan after five reads. The plan depends on the table's statistics, so the
// region here holds thousands of patients.
describe("a region's disclosure read, planned by PostgreSQL", () => {
  let test: TestDatabase;
  let db: Database;
  let store: PrismaRecordStore;

  beforeAll(async () => {
    test = await createTestDatabase('region_plans');
    // One connection: the statement's plans are counted on the connection that prepared it.
    db = await openDatabase('eu-de', { kind: 'postgres', url: test.url }, { poolSize: 1 });
    await applyMigrations(db, 'records');
    await db.pool.query(
      `INSERT INTO records (key, resource_type, resource_id, patient_id, category, source_org, last_updated, content_hash, resource)
       SELECT 'Observation/p' || p || '-' || r, 'Observation', 'p' || p || '-' || r, 'p' || p,
         (ARRAY['results', 'problems', 'allergies'])[1 + r % 3], 'charite-berlin',
         timestamptz '2026-01-01' + (p * 10 + r) * interval '1 minute', 'hash-' || p || '-' || r,
         jsonb_build_object('resourceType', 'Observation', 'id', 'p' || p || '-' || r)
       FROM generate_series(1, $1::int) p, generate_series(1, $2::int) r`,
      [PATIENTS, RECORDS_EACH],
    );
    await db.pool.query('ANALYZE records');
    store = new PrismaRecordStore('eu-de', db);
  });

  afterAll(async () => {
    await store.close();
    await db.close();
    await test.drop();
  });

  const read = (patientIds: string[]) =>
    store.reading((region) =>
      region.forDisclosure([{ patientIds, categories: CATEGORIES, excludeSensitivity: [], limit: 2001 }], patientIds),
    );

  it('is planned once per connection for a patient of one local id, and that plan serves every read after', async () => {
    for (let i = 0; i < 8; i++) {
      const { found, census } = await read([`p${String(1 + i)}`]);
      expect(found[0]!.map((r) => r.patientId)).toEqual(Array(RECORDS_EACH).fill(`p${String(1 + i)}`));
      expect(census).toHaveLength(RECORDS_EACH);
    }
    const { rows } = await db.pool.query<{ generic: number; custom: number }>(
      `SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements
       WHERE statement LIKE '%SELECT -1 AS part%'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual({ custom: 5, generic: 3 });
  });

  it('reads every record of a patient with two local ids in the region', async () => {
    const { found, census } = await read(['p10', 'p11']);
    expect(census).toHaveLength(2 * RECORDS_EACH);
    const patients = found[0]!.map((r) => r.patientId);
    expect(patients.filter((p) => p === 'p10')).toHaveLength(RECORDS_EACH);
    expect(patients.filter((p) => p === 'p11')).toHaveLength(RECORDS_EACH);
  });
});
