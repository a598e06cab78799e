import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBundle } from '../src/access/import/import-service.js';
import { RecordAnchorer } from '../src/access/anchoring/record-anchoring.js';
import { RecordVerifier } from '../src/access/records/record-verifier.js';
import type { CliDeps } from '../src/cli/cli-deps.js';
import { registerImport } from '../src/cli/import.command.js';
import { registerRecords } from '../src/cli/records.command.js';
import { loadConfig } from '../src/config/config.js';
import { regionListSchema } from '../src/config/regions.js';
import { seedDemo } from '../src/demo/seed.js';
import { contentHash } from '../src/domain/canonical-json.js';
import { MeridianError } from '../src/domain/errors.js';
import type { StoredRecord } from '../src/domain/record.js';
import { EmbeddedLedger } from '../src/ledger/embedded-ledger.js';
import { LedgerClient } from '../src/ledger/ledger-client.js';
import { LedgerError } from '../src/ledger/ledger-error.js';
import type { Ledger, LedgerActor } from '../src/ledger/ledger.js';
import { PrismaControlPlane } from '../src/stores/control-plane.js';
import { openDatabase, type Database } from '../src/stores/database.js';
import { applyMigrations } from '../src/stores/migrate.js';
import type { RecordAnchorStore } from '../src/stores/record-anchor-store.js';
import { PrismaRecordStore } from '../src/stores/record-store.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { PatientKeys } from '../src/access/patient-keys.js';

const regions = regionListSchema.parse('eu-de=DE,eu-fr=FR');
const DE = 'eu-de';

/** The embedded ledger, which can be made unreachable the way a Fabric peer that is down is. */
class SwitchableLedger implements Ledger {
  down = false;
  readonly #inner: Ledger;

  constructor(inner: Ledger) {
    this.#inner = inner;
  }

  submit(actor: LedgerActor, fn: string, args: readonly string[]) {
    if (this.down) return Promise.reject(new LedgerError('unavailable', 'the ledger is down'));
    return this.#inner.submit(actor, fn, args);
  }

  evaluate(actor: LedgerActor, fn: string, args: readonly string[]) {
    if (this.down) return Promise.reject(new LedgerError('unavailable', 'the ledger is down'));
    return this.#inner.evaluate(actor, fn, args);
  }

  events(...args: Parameters<Ledger['events']>) {
    return this.#inner.events(...args);
  }

  close() {
    return this.#inner.close();
  }
}

describe('record anchors on the ledger, against PostgreSQL', () => {
  const dbs = new Map<string, TestDatabase>();
  const opened: Database[] = [];
  const stores = new Map<string, PrismaRecordStore>();
  const anchors = new Map<string, RecordAnchorStore>();
  let control: PrismaControlPlane;
  let ledgerDir: string;
  let embedded: EmbeddedLedger;
  let ledger: SwitchableLedger;
  let client: LedgerClient;
  let anchorer: RecordAnchorer;

  const verifier = () => new RecordVerifier({ stores: anchors, ledger: client });

  async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(
    region: string,
    text: string,
    values: unknown[] = [],
  ): Promise<T[]> {
    const c = new pg.Client({ connectionString: dbs.get(region)!.url });
    await c.connect();
    try {
      return (await c.query<T>(text, values)).rows;
    } finally {
      await c.end();
    }
  }

  async function allRecords(region: string): Promise<StoredRecord[]> {
    const ids = await sql<{ patient_id: string }>(region, 'SELECT DISTINCT patient_id FROM records');
    return stores.get(region)!.find({ patientIds: ids.map((r) => r.patient_id), limit: 100_000 });
  }

  async function record(region: string, key: string): Promise<StoredRecord> {
    const found = (await allRecords(region)).find((r) => `${r.resourceType}/${r.resourceId}` === key);
    if (!found) throw new Error(`no record ${key}`);
    return found;
  }

  /** Keys of records in one region of one type, in a stable order. */
  async function keys(region: string, type: string): Promise<string[]> {
    const rows = await sql<{ key: string }>(
      region,
      'SELECT key FROM records WHERE resource_type = $1 ORDER BY key COLLATE "C"',
      [type],
    );
    return rows.map((r) => r.key);
  }

  async function batchOf(region: string, key: string): Promise<string> {
    const rows = await sql<{ batch_id: string }>(
      region,
      `SELECT a.batch_id FROM record_anchors a JOIN record_anchor_batches b ON b.id = a.batch_id
       WHERE a.key = $1 ORDER BY b.seq DESC LIMIT 1`,
      [key],
    );
    return rows[0]!.batch_id;
  }

  /** Sets a field of a record's resource in the database, and its content_hash column to match, as a careful tamperer would. */
  async function tamper(region: string, key: string, field: string, json: string): Promise<string> {
    await sql(region, `UPDATE records SET resource = jsonb_set(resource, $2::text[], $3::jsonb) WHERE key = $1`, [
      key,
      `{${field}}`,
      json,
    ]);
    const [row] = await sql<{ resource: unknown }>(region, 'SELECT resource FROM records WHERE key = $1', [key]);
    const hash = contentHash(row!.resource);
    await sql(region, 'UPDATE records SET content_hash = $2 WHERE key = $1', [key, hash]);
    return hash;
  }

  const violationKeys = (v: { violations: { record: StoredRecord }[] }) =>
    v.violations.map((x) => `${x.record.resourceType}/${x.record.resourceId}`).sort();

  /** CLI dependencies on this test's stores and ledger, which stay open after the command. */
  function cliDeps() {
    const out: string[] = [];
    const deps: CliDeps = {
      loadConfig: () => loadConfig({ MERIDIAN_REGIONS: 'eu-de=DE,eu-fr=FR', MERIDIAN_DATA_DIR: ledgerDir }),
      openStores: () => Promise.resolve({ stores, anchors, control, close: () => Promise.resolve() }),
      openLedger: () =>
        Promise.resolve({
          submit: (...a) => ledger.submit(...a),
          evaluate: (...a) => ledger.evaluate(...a),
          events: (...a) => ledger.events(...a),
          close: () => Promise.resolve(),
        }),
      out: (text) => out.push(text),
      err: () => undefined,
    };
    return { out, deps };
  }

  beforeAll(async () => {
    for (const name of ['control', ...regions.map((r) => r.id)]) {
      const test = await createTestDatabase(`anchors_${name}`);
      dbs.set(name, test);
      const db = await openDatabase(name, { kind: 'postgres', url: test.url });
      opened.push(db);
      await applyMigrations(db, name === 'control' ? 'control' : 'records');
      if (name === 'control') control = new PrismaControlPlane(db);
      else {
        const store = new PrismaRecordStore(name, db);
        stores.set(name, store);
        anchors.set(name, store.anchors);
      }
    }
    ledgerDir = await mkdtemp(path.join(os.tmpdir(), 'meridian-record-anchors-'));
    embedded = await EmbeddedLedger.open({ dir: ledgerDir });
    ledger = new SwitchableLedger(embedded);
    client = new LedgerClient(ledger, new PatientKeys(control.patientKeys));
    // Small batches, so a handful of patients spans several of them.
    anchorer = new RecordAnchorer({ stores: anchors, ledger: client, batchSize: 40, patients: { control, stores } });
  });

  afterAll(async () => {
    for (const store of stores.values()) await store.close();
    await control.close();
    for (const db of opened) await db.close();
    for (const db of dbs.values()) await db.drop();
    await embedded.close();
    await rm(ledgerDir, { recursive: true, force: true });
  });

  it('seeds and anchors every record written; every one verifies, and a second seed anchors nothing', async () => {
    const first = await seedDemo({ stores, control, regions, patients: 6, anchor: anchorer, anchorBatchSize: 50 });
    expect(first.anchored).toBe(first.records);
    const batches = await sql<{ n: string }>(DE, 'SELECT count(*) AS n FROM record_anchor_batches');
    expect(Number(batches[0]!.n)).toBeGreaterThan(1);
    for (const region of regions) {
      const records = await allRecords(region.id);
      expect(records.length).toBeGreaterThan(0);
      const result = await verifier().verify(region.id, records);
      expect(result.violations).toEqual([]);
      expect(result.verified).toHaveLength(records.length);
    }

    const height = embedded.height;
    const again = await seedDemo({ stores, control, regions, patients: 6, anchor: anchorer });
    expect(again).toMatchObject({ unchanged: first.records, anchored: 0 });
    expect(embedded.height).toBe(height);
  });

  it('withholds a record whose resource was altered in PostgreSQL, even with content_hash updated to match', async () => {
    const [key] = await keys(DE, 'Condition');
    const warm = verifier();
    const all = await allRecords(DE);
    expect((await warm.verify(DE, all)).violations).toEqual([]);

    await tamper(DE, key!, 'meta,versionId', '"2"');
    const records = await allRecords(DE);
    for (const v of [warm, verifier()]) {
      const result = await v.verify(DE, records);
      expect(violationKeys(result)).toEqual([key]);
      expect(result.violations[0]!.message).toBe(
        `Record ${key} in region eu-de does not match its anchored content hash.`,
      );
      expect(result.verified).toHaveLength(records.length - 1);
    }
  });

  it('fails the whole batch when one of its anchor rows is altered or deleted', async () => {
    const [, key] = await keys(DE, 'Condition');
    const batchId = await batchOf(DE, key!);
    const inBatch = (
      await sql<{ key: string }>(DE, 'SELECT key FROM record_anchors WHERE batch_id = $1', [batchId])
    ).map((r) => r.key);
    const records = (await allRecords(DE)).filter((r) => inBatch.includes(`${r.resourceType}/${r.resourceId}`));
    const warm = verifier();
    expect((await warm.verify(DE, records)).violations.length).toBeLessThanOrEqual(1); // the record tampered before

    // Altering the record and its anchor row alike: a fresh check finds the batch broken, a remembered one the leaf missing.
    const forged = await tamper(DE, key!, 'meta,versionId', '"7"');
    await sql(DE, 'UPDATE record_anchors SET content_hash = $2 WHERE key = $1 AND batch_id = $3', [
      key,
      forged,
      batchId,
    ]);
    const altered = (await allRecords(DE)).filter((r) => inBatch.includes(`${r.resourceType}/${r.resourceId}`));
    const fresh = await verifier().verify(DE, altered);
    expect(fresh.verified).toEqual([]);
    expect(violationKeys(fresh)).toEqual([...inBatch].sort());
    expect(fresh.violations.map((v) => v.message)).toContain(
      `Record ${key} in region eu-de is anchored in batch ${batchId}, which does not verify against the ledger.`,
    );
    expect(violationKeys(await warm.verify(DE, altered))).toContain(key);

    // A deleted row breaks the batch too (its count and root no longer match the ledger).
    const [other] = inBatch.filter((k) => k !== key);
    await sql(DE, 'DELETE FROM record_anchors WHERE key = $1 AND batch_id = $2', [other, batchId]);
    const afterDelete = await verifier().verify(DE, altered);
    expect(afterDelete.verified).toEqual([]);
    expect(afterDelete.violations.find((v) => v.record.resourceId === other!.split('/')[1])?.message).toBe(
      `Record ${other} in region eu-de has no ledger anchor.`,
    );
  });

  it('withholds a record anchored only by a batch the ledger never saw', async () => {
    const [key] = await keys(DE, 'Observation');
    const hash = await tamper(DE, key!, 'status', '"amended"');
    await sql(
      DE,
      `INSERT INTO record_anchor_batches (id, merkle_root, count, tx_id) VALUES ('records:eu-de:forged', $1, 1, 'tx')`,
      ['a'.repeat(64)],
    );
    await sql(
      DE,
      `INSERT INTO record_anchors (batch_id, key, content_hash, leaf_index) VALUES ('records:eu-de:forged', $1, $2, 0)`,
      [key, hash],
    );
    const result = await verifier().verify(DE, [await record(DE, key!)]);
    expect(result.violations.map((v) => v.message)).toEqual([
      `Record ${key} in region eu-de is anchored in batch records:eu-de:forged, which does not verify against the ledger.`,
    ]);
  });

  it('withholds a record whose filtering columns were changed behind its resource', async () => {
    const sensitive = await sql<{ key: string }>(
      DE,
      'SELECT key FROM records WHERE cardinality(sensitivity) > 0 ORDER BY key COLLATE "C" DESC LIMIT 1',
    );
    const key = sensitive[0]!.key;
    expect((await verifier().verify(DE, [await record(DE, key)])).violations).toEqual([]);
    await sql(DE, "UPDATE records SET sensitivity = '{}' WHERE key = $1", [key]);
    const result = await verifier().verify(DE, [await record(DE, key)]);
    expect(result.violations.map((v) => v.message)).toEqual([
      `Record ${key} in region eu-de has a sensitivity column that disagrees with its anchored content.`,
    ]);

    // A record moved to another patient in the index columns would be disclosed to the wrong patient.
    const [observation] = (await keys(DE, 'Observation')).slice(-1);
    const [other] = await sql<{ patient_id: string }>(
      DE,
      `SELECT patient_id FROM records WHERE resource_type = 'Patient' AND key <> $1 ORDER BY key COLLATE "C" LIMIT 1`,
      [`Patient/${(await record(DE, observation!)).patientId}`],
    );
    await sql(DE, 'UPDATE records SET patient_id = $2 WHERE key = $1', [observation, other!.patient_id]);
    const moved = await verifier().verify(DE, [await record(DE, observation!)]);
    expect(moved.violations.map((v) => v.message)).toEqual([
      `Record ${observation} in region eu-de has a patient_id column that disagrees with its anchored content.`,
    ]);
  });

  it('withholds a record that has no anchor, until an operator anchors the unanchored records', async () => {
    const [patientKey] = await keys(DE, 'Patient');
    const template = await record(DE, patientKey!);
    const resource = { ...template.resource, id: 'late-1' };
    const late = {
      ...template,
      resourceId: 'late-1',
      patientId: 'late-1',
      resource,
      contentHash: contentHash(resource),
    };
    const tampered = { ...resource, id: 'late-2' };
    const late2 = {
      ...late,
      resourceId: 'late-2',
      patientId: 'late-2',
      resource: tampered,
      contentHash: contentHash(tampered),
    };
    await stores.get(DE)!.upsertMany([late, late2]);
    // late-2 is altered after it was written, without its content_hash column.
    await sql(
      DE,
      `UPDATE records SET resource = jsonb_set(resource, '{gender}', '"other"') WHERE key = 'Patient/late-2'`,
    );

    const before = await verifier().verify(DE, [await record(DE, 'Patient/late-1')]);
    expect(before.violations.map((v) => v.message)).toEqual([
      'Record Patient/late-1 in region eu-de has no ledger anchor.',
    ]);

    // The row deleted from a batch above left its record unanchored too: this anchors it as it now is.
    const [{ n }] = (await sql<{ n: string }>(
      DE,
      'SELECT count(*) AS n FROM records r WHERE NOT EXISTS (SELECT 1 FROM record_anchors a WHERE a.key = r.key)',
    )) as [{ n: string }];
    const result = await anchorer.anchorUnanchored(DE);
    expect(result).toMatchObject({ anchored: Number(n) - 1, mismatched: ['Patient/late-2'] });
    expect(result.anchored).toBeGreaterThan(0);
    expect(await anchorer.anchorUnanchored(DE)).toMatchObject({ anchored: 0, batches: [] });
    const after = await verifier().verify(DE, [await record(DE, 'Patient/late-1'), await record(DE, 'Patient/late-2')]);
    expect(after.verified.map((r) => r.resourceId)).toEqual(['late-1']);
    expect(violationKeys(after)).toEqual(['Patient/late-2']);
  });

  it('still verifies a record anchored under the canonical form before RFC 8785, and withholds it once altered', async () => {
    const [patientKey] = await keys(DE, 'Patient');
    const template = await record(DE, patientKey!);
    // Array-index-like keys are where the two forms differ: {"9","10"} before, {"10","9"} in JCS.
    const resource = { ...template.resource, id: 'legacy-1', _indexed: { b: 1, '10': 2, '9': 3 } };
    const legacyHash = contentHash(resource, 'sorted-keys-v0');
    expect(legacyHash).not.toBe(contentHash(resource));
    const legacy = { ...template, resourceId: 'legacy-1', patientId: 'legacy-1', resource, contentHash: legacyHash };
    await stores.get(DE)!.upsertMany([legacy]);
    // Anchored as the gateway did before the change: the row's own (old-form) hash in a Merkle batch.
    const result = await anchorer.anchorUnanchored(DE);
    expect(result.anchored).toBe(1);
    expect(result.mismatched).not.toContain('Patient/legacy-1');
    const before = await verifier().verify(DE, [await record(DE, 'Patient/legacy-1')]);
    expect(before.violations).toEqual([]);
    expect(before.verified.map((r) => r.resourceId)).toEqual(['legacy-1']);

    await sql(
      DE,
      `UPDATE records SET resource = jsonb_set(resource, '{_indexed,9}', '4') WHERE key = 'Patient/legacy-1'`,
    );
    const after = await verifier().verify(DE, [await record(DE, 'Patient/legacy-1')]);
    expect(violationKeys(after)).toEqual(['Patient/legacy-1']);
  });

  it('`meridian records anchor` anchors what has no anchor and lists, exit 1, rows that no longer match their hash', async () => {
    const { out, deps } = cliDeps();
    const program = new Command('meridian').exitOverride();
    registerRecords(program, deps);
    const [patientKey] = await keys(DE, 'Patient');
    const template = await record(DE, patientKey!);
    const resource = { ...template.resource, id: 'late-3' };
    await stores
      .get(DE)!
      .upsertMany([
        { ...template, resourceId: 'late-3', patientId: 'late-3', resource, contentHash: contentHash(resource) },
      ]);
    try {
      await program.parseAsync(['records', 'anchor', '--region', DE], { from: 'user' });
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = undefined;
    }
    expect(out.join('\n')).toBe(
      [
        'Anchored 1 records of eu-de in 1 ledger batch.',
        'Left unanchored, withheld from reads: 1 records whose content no longer matches their content_hash column:',
        '  Patient/late-2',
        '  patient-index entries anchored: 3',
      ].join('\n'),
    );
    expect((await verifier().verify(DE, [await record(DE, 'Patient/late-3')])).violations).toEqual([]);
    await expect(program.parseAsync(['records', 'anchor', '--region', 'eu-xx'], { from: 'user' })).rejects.toThrow(
      'unknown region "eu-xx"; configured regions: eu-de, eu-fr',
    );
  });

  it('verifies from remembered batches while the ledger is down, and refuses with LEDGER_UNAVAILABLE otherwise', async () => {
    const records = (await allRecords('eu-fr')).slice(0, 30);
    const warm = verifier();
    expect((await warm.verify('eu-fr', records)).violations).toEqual([]);
    ledger.down = true;
    try {
      const remembered = await warm.verify('eu-fr', records);
      expect(remembered.verified).toHaveLength(records.length);
      const err = await verifier()
        .verify('eu-fr', records)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MeridianError);
      expect(err).toMatchObject({ code: 'LEDGER_UNAVAILABLE', details: { region: 'eu-fr' } });
    } finally {
      ledger.down = false;
    }
  });

  it('anchors what an import writes or changes; the imported records verify', async () => {
    await control.upsertOrganisations([{ id: 'charite-berlin', name: 'Charité', jurisdiction: 'DE' }]);
    const subject = { reference: 'Patient/imp-1' };
    const resources = [
      { resourceType: 'Patient', id: 'imp-1', gender: 'female', birthDate: '1970-01-01' },
      {
        resourceType: 'Observation',
        id: 'imp-1-o1',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '2823-3' }] },
        subject,
        effectiveDateTime: '2025-11-02T08:00:00Z',
        valueQuantity: { value: 4.2, unit: 'mmol/L' },
      },
    ];
    const run = () =>
      importBundle({
        store: stores.get(DE)!,
        control,
        region: DE,
        organisationId: 'charite-berlin',
        anchor: anchorer,
        bundle: { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) },
      });
    expect(await run()).toMatchObject({ inserted: 2, anchored: 2 });
    expect(await run()).toMatchObject({ unchanged: 2, anchored: 0 });
    resources[1]!.valueQuantity = { value: 5.1, unit: 'mmol/L' };
    expect(await run()).toMatchObject({ updated: 1, unchanged: 1, anchored: 1 });

    const imported = await stores.get(DE)!.find({ patientIds: ['imp-1'], limit: 10 });
    const result = await verifier().verify(DE, imported);
    expect(result.violations).toEqual([]);
    expect(result.verified).toHaveLength(2);
  });

  it('`meridian import` with the ledger down stores but withholds the records; importing again anchors them', async () => {
    const file = path.join(ledgerDir, 'bundle.json');
    const patient = { resourceType: 'Patient', id: 'imp-2', gender: 'male', birthDate: '1980-02-02' };
    await writeFile(
      file,
      JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient }] }),
    );
    const { out, deps } = cliDeps();
    const program = new Command('meridian').exitOverride();
    registerImport(program, deps);
    const args = ['import', file, '--region', DE, '--organisation', 'charite-berlin'];
    ledger.down = true;
    try {
      await expect(program.parseAsync(args, { from: 'user' })).rejects.toThrow(
        `${file}: the records were stored but could not be anchored on the ledger (the ledger is down); ` +
          'reads withhold them until they are: import the same file again once the ledger is reachable',
      );
    } finally {
      ledger.down = false;
    }
    expect((await verifier().verify(DE, [await record(DE, 'Patient/imp-2')])).violations.map((v) => v.message)).toEqual(
      ['Record Patient/imp-2 in region eu-de has no ledger anchor.'],
    );
    await program.parseAsync(args, { from: 'user' });
    expect(out.join('\n')).toContain('1 records kept (0 new, 0 updated, 1 unchanged; 1 newly anchored on the ledger)');
    expect((await verifier().verify(DE, [await record(DE, 'Patient/imp-2')])).violations).toEqual([]);
  });
});
