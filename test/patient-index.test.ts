import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBundle } from '../src/access/import/import-service.js';
import { anchorerOf } from '../src/access/anchoring/record-anchoring.js';
import { PatientIndexCheck } from '../src/access/records/patient-index-check.js';
import { registerPatients } from '../src/cli/patients.command.js';
import type { CliDeps } from '../src/cli/cli-deps.js';
import { loadConfig } from '../src/config/config.js';
import { trustedSystemsFor } from '../src/fhir/patient-identifiers.js';
import { EmbeddedLedger } from '../src/ledger/embedded-ledger.js';
import { LedgerClient } from '../src/ledger/ledger-client.js';
import type { Ledger } from '../src/ledger/ledger.js';
import { PrismaControlPlane } from '../src/stores/control-plane.js';
import { openDatabase, type Database } from '../src/stores/database.js';
import { applyMigrations } from '../src/stores/migrate.js';
import { PrismaRecordStore } from '../src/stores/record-store.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { PatientKeys } from '../src/access/patient-keys.js';

const BSN = 'urn:oid:2.16.840.1.113883.2.4.6.3';
const KVNR = 'http://fhir.de/sid/gkv/kvid-10';

/** A document-free collection: one Patient and one Condition, as a hospital would send it. */
function bundle(id: string, identifier: { system: string; value: string } | null, family = 'Jansen') {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      {
        resource: {
          resourceType: 'Patient',
          id,
          ...(identifier ? { identifier: [identifier] } : {}),
          name: [{ family, given: ['Eva'] }],
          birthDate: '1950-06-07',
        },
      },
      {
        resource: {
          resourceType: 'Condition',
          id: `${id}-c`,
          code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003' }] },
          subject: { reference: `Patient/${id}` },
          recordedDate: '2024-01-02',
        },
      },
    ],
  };
}

describe('master patient index: trusted identifiers, review, merge and unmerge', () => {
  const dbs: TestDatabase[] = [];
  const opened: Database[] = [];
  const stores = new Map<string, PrismaRecordStore>();
  const anchors = new Map<string, PrismaRecordStore['anchors']>();
  let control: PrismaControlPlane;
  let ledgerDir: string;
  let ledger: EmbeddedLedger;
  /** The ledger as a command gets it: its close leaves the test's ledger open. */
  const lent = (): Ledger =>
    new Proxy(ledger, {
      get: (target, key) => {
        if (key === 'close') return () => Promise.resolve();
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  /** What a read of the patient would find wrong with its index entries, checked against the ledger. */
  const violations = async (globalId: string): Promise<string[]> => {
    const check = new PatientIndexCheck({
      ledger: new LedgerClient(ledger, new PatientKeys(control.patientKeys)),
      actor: { user: 'clinician', role: 'clinician' },
    });
    const checked = await check.check(globalId, await control.locatePatient(globalId));
    return checked.violations.map((v) => `${v.region}: ${v.message}`);
  };
  const out: string[] = [];
  const deps: CliDeps = {
    loadConfig: () => loadConfig({ MERIDIAN_REGIONS: 'eu-de=DE,eu-fr=FR' }),
    openStores: () => Promise.resolve({ stores, anchors, control, close: () => Promise.resolve() }),
    openLedger: () => Promise.resolve(lent()),
    out: (text) => out.push(text),
    err: () => undefined,
  };
  const cli = async (...args: string[]): Promise<string> => {
    out.length = 0;
    const program = new Command('meridian').exitOverride();
    registerPatients(program, deps);
    await program.parseAsync(args, { from: 'user' });
    return out.join('\n');
  };
  const run = (region: string, input: unknown) =>
    importBundle({
      store: stores.get(region)!,
      control,
      region,
      bundle: input,
      organisationId: region === 'eu-de' ? 'charite-berlin' : 'aphp-paris',
      trustedSystems: trustedSystemsFor(region === 'eu-de' ? 'DE' : 'FR'),
      anchor: anchorerOf({ anchors, control, stores }, new LedgerClient(ledger, new PatientKeys(control.patientKeys))),
    });

  beforeAll(async () => {
    ledgerDir = await mkdtemp(path.join(tmpdir(), 'meridian-mpi-'));
    ledger = await EmbeddedLedger.open({ dir: ledgerDir });
    for (const name of ['control', 'eu-de', 'eu-fr']) {
      const test = await createTestDatabase(`mpi_${name}`);
      dbs.push(test);
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
    await control.upsertOrganisations([
      { id: 'charite-berlin', name: 'Charité', jurisdiction: 'DE' },
      { id: 'aphp-paris', name: 'AP-HP', jurisdiction: 'FR' },
    ]);
  });

  afterAll(async () => {
    for (const s of stores.values()) await s.close();
    await control.close();
    for (const db of opened) await db.close();
    for (const db of dbs) await db.drop();
    await ledger.close();
    await rm(ledgerDir, { recursive: true, force: true });
  });

  it('joins two Patients of one region with one trusted identifier under one global patient, reading both', async () => {
    const first = await run('eu-de', bundle('doc1-pat', { system: BSN, value: '123456782' }));
    const second = await run('eu-de', bundle('doc2-pat', { system: BSN, value: '123456782' }));
    expect(second.patients).toEqual([{ localId: 'doc2-pat', globalId: first.patients[0]!.globalId, link: 'matched' }]);
    expect(await control.locatePatient(first.patients[0]!.globalId)).toEqual([
      { region: 'eu-de', localId: 'doc1-pat', localIds: ['doc1-pat', 'doc2-pat'] },
    ]);
  });

  it('does not trust an identifier system the jurisdiction does not list', async () => {
    const a = await run(
      'eu-de',
      bundle('nz-1', { system: 'https://standards.digital.health.nz/ns/nhi-id', value: 'ZZZ0016' }, 'Tane'),
    );
    const b = await run(
      'eu-fr',
      bundle('nz-2', { system: 'https://standards.digital.health.nz/ns/nhi-id', value: 'ZZZ0016' }, 'Tane'),
    );
    expect(b.patients[0]!.globalId).not.toBe(a.patients[0]!.globalId);
    expect(b.patients[0]!.link).toBe('review');
  });

  it('lists a probable match for review, merges it on a decision and unmerges it, each step in the history', async () => {
    const de = await run('eu-de', bundle('de-eva', { system: KVNR, value: 'A123456780' }, 'Müller'));
    const fr = await run('eu-fr', bundle('fr-eva', null, 'Muller'));
    const keep = de.patients[0]!.globalId;
    const other = fr.patients[0]!.globalId;
    expect(fr.patients[0]).toMatchObject({ link: 'review', probableMatch: keep });

    const listing = await cli('patients', 'review');
    expect(listing).toContain(other);
    expect(listing).toContain(keep);
    expect(await control.locatePatient(keep)).toEqual([{ region: 'eu-de', localId: 'de-eva' }]);

    const merged = await cli('patients', 'merge', keep, other, '--by', 'officer-schmidt');
    const seq = /merge event (\d+)/.exec(merged)?.[1];
    expect(seq).toBeDefined();
    expect(await control.locatePatient(keep)).toEqual([
      { region: 'eu-de', localId: 'de-eva' },
      { region: 'eu-fr', localId: 'fr-eva' },
    ]);
    expect(await control.locatePatient(other)).toEqual([]);
    expect(await cli('patients', 'review')).not.toContain(other);
    // The ledger was told: both read cleanly, the merged-away one as a patient with no records.
    expect(await violations(keep)).toEqual([]);
    expect(await violations(other)).toEqual([]);

    await cli('patients', 'unmerge', seq!, '--by', 'officer-dubois');
    expect(await control.locatePatient(keep)).toEqual([{ region: 'eu-de', localId: 'de-eva' }]);
    expect(await control.locatePatient(other)).toEqual([{ region: 'eu-fr', localId: 'fr-eva' }]);
    expect(await violations(keep)).toEqual([]);
    expect(await violations(other)).toEqual([]);
    await expect(cli('patients', 'unmerge', seq!, '--by', 'officer-dubois')).rejects.toThrow(/already undone/);

    const history = await cli('patients', 'history', other);
    expect(history).toMatch(/unmerge\s+officer-dubois/);
    expect(history).toMatch(/merge\s+officer-schmidt/);
  });

  it('settles a review as two people on dismissal', async () => {
    const [review] = (await control.patientIndex.openReviews()).filter((r) => r.localId === 'nz-2');
    await cli('patients', 'dismiss', review!.id, '--by', 'officer-dubois');
    expect((await control.patientIndex.openReviews()).map((r) => r.id)).not.toContain(review!.id);
    await expect(cli('patients', 'dismiss', review!.id, '--by', 'officer-dubois')).rejects.toThrow(/no open review/);
  });
});
