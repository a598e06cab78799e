import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBundle, type ImportProgress } from '../src/access/import/import-service.js';
import { MeridianError } from '../src/domain/errors.js';
import { PrismaControlPlane } from '../src/stores/control-plane.js';
import { openDatabase, type Database } from '../src/stores/database.js';
import { GLOBAL_ID_SYSTEM } from '../src/fhir/patient-identifiers.js';
import { applyMigrations } from '../src/stores/migrate.js';
import { PrismaRecordStore } from '../src/stores/record-store.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';

const REGION = 'eu-de';
const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';

function patientBundle(patientId: string, extra: Record<string, unknown> = {}) {
  const subject = { reference: `Patient/${patientId}` };
  return [
    { resourceType: 'Patient', id: patientId, gender: 'male', birthDate: '1961-07-02', ...extra },
    {
      resourceType: 'Condition',
      id: `${patientId}-c1`,
      code: { coding: [{ system: SNOMED, code: '59621000' }] },
      subject,
    },
    {
      resourceType: 'Observation',
      id: `${patientId}-o1`,
      status: 'final',
      code: { coding: [{ system: LOINC, code: '2823-3' }] },
      subject,
      effectiveDateTime: '2025-11-02T08:00:00Z',
      valueQuantity: { value: 4.2, unit: 'mmol/L' },
    },
  ];
}

const bundle = (resources: readonly unknown[]) => ({
  resourceType: 'Bundle',
  type: 'transaction',
  entry: resources.map((resource) => ({ resource, request: { method: 'PUT', url: 'x' } })),
});

describe('importBundle against PostgreSQL', () => {
  const dbs: TestDatabase[] = [];
  const opened: Database[] = [];
  let store: PrismaRecordStore;
  let control: PrismaControlPlane;

  beforeAll(async () => {
    const regionDb = await createTestDatabase('import_region');
    const controlDb = await createTestDatabase('import_control');
    dbs.push(regionDb, controlDb);
    const region = await openDatabase(REGION, { kind: 'postgres', url: regionDb.url });
    const ctl = await openDatabase('control', { kind: 'postgres', url: controlDb.url });
    opened.push(region, ctl);
    await applyMigrations(region, 'records');
    await applyMigrations(ctl, 'control');
    store = new PrismaRecordStore(REGION, region);
    control = new PrismaControlPlane(ctl);
    await control.upsertOrganisations([
      { id: 'charite-berlin', name: 'Charité – Universitätsmedizin Berlin', jurisdiction: 'DE' },
    ]);
  });

  afterAll(async () => {
    await store.close();
    await control.close();
    for (const db of opened) await db.close();
    for (const db of dbs) await db.drop();
  });

  const run = (input: unknown, onProgress?: (p: ImportProgress) => void) =>
    importBundle({ store, control, region: REGION, bundle: input, organisationId: 'charite-berlin', onProgress });

  async function refusal(input: unknown): Promise<MeridianError> {
    const err = await run(input).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MeridianError);
    expect((err as MeridianError).code).toBe('BAD_USER_INPUT');
    return err as MeridianError;
  }

  it('imports a bundle, links its patient under a new pseudonymous global id, and re-importing changes nothing', async () => {
    const phases: string[] = [];
    const first = await run(bundle(patientBundle('de-100')), (p) => phases.push(p.phase));
    expect(first).toMatchObject({ region: REGION, records: 3, inserted: 3, updated: 0, unchanged: 0 });
    expect(phases).toEqual(expect.arrayContaining(['validated', 'writing', 'linking']));
    expect(await store.count()).toBe(3);
    const globalId = await control.globalIdOf({ region: REGION, localId: 'de-100' });
    expect(globalId).toMatch(/^mp-[0-9a-f]{12}$/);
    expect(first.patients).toEqual([{ localId: 'de-100', globalId, link: 'new' }]);
    const stored = await store.find({ patientIds: ['de-100'], limit: 10 });
    expect(stored.map((r) => r.sourceOrg)).toEqual(['charite-berlin', 'charite-berlin', 'charite-berlin']);

    const again = await run(bundle(patientBundle('de-100')));
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
    expect(again.patients).toEqual([{ localId: 'de-100', globalId, link: 'existing' }]);
    expect(await store.count()).toBe(3);
    expect(await control.locatePatient(globalId!)).toEqual([{ region: REGION, localId: 'de-100' }]);
  });

  it('updates a changed resource in place', async () => {
    const resources = patientBundle('de-100');
    (resources[2] as { valueQuantity: { value: number } }).valueQuantity.value = 5.3;
    const result = await run(bundle(resources));
    expect(result).toMatchObject({ inserted: 0, updated: 1, unchanged: 2 });
    expect(await store.count()).toBe(3);
  });

  it('refuses a bundle with one bad entry in the middle and changes nothing', async () => {
    const resources = [...patientBundle('de-200'), ...patientBundle('de-201')];
    delete (resources[2] as { status?: string }).status;
    const err = await refusal(bundle(resources));
    expect(err.details.errors).toEqual(['entry[2] (Observation/de-200-o1): status: Missing required property']);
    expect(await store.count()).toBe(3);
    expect(await control.globalIdOf({ region: REGION, localId: 'de-200' })).toBeNull();
    expect(await control.globalIdOf({ region: REGION, localId: 'de-201' })).toBeNull();
  });

  it('accepts records for a patient already in the region, and refuses ones for a patient that is nowhere', async () => {
    const forKnown = patientBundle('de-100')
      .slice(1)
      .map((r) => ({ ...r, id: `${r.id}-later` }));
    expect(await run(bundle(forKnown))).toMatchObject({ inserted: 2, patients: [] });
    expect(await store.count()).toBe(5);

    const forUnknown = patientBundle('ghost').slice(1);
    const err = await refusal(bundle(forUnknown));
    expect(err.details.errors).toEqual([
      'entry[0] (Condition/ghost-c1): subject.reference: Patient/ghost is neither in the bundle nor in region eu-de',
      'entry[1] (Observation/ghost-o1): subject.reference: Patient/ghost is neither in the bundle nor in region eu-de',
    ]);
    expect(await store.count()).toBe(5);
  });

  it('reports bad fields and unknown patients of one bundle together', async () => {
    const resources = [...patientBundle('de-500'), ...patientBundle('ghost').slice(1)];
    (resources[1] as { onsetDateTime?: string }).onsetDateTime = '2025-13-45';
    const err = await refusal(bundle(resources));
    expect(err.details.errors).toEqual([
      'entry[1] (Condition/de-500-c1): onset[x]: Invalid dateTime format',
      'entry[3] (Condition/ghost-c1): subject.reference: Patient/ghost is neither in the bundle nor in region eu-de',
      'entry[4] (Observation/ghost-o1): subject.reference: Patient/ghost is neither in the bundle nor in region eu-de',
    ]);
    expect(await store.count()).toBe(5);
  });

  it('links a Patient with a global-id identifier to that patient, joining its other regions', async () => {
    const globalId = 'mp-00000000beef';
    await control.linkPatient(globalId, { region: 'eu-fr', localId: 'fr-77' });
    const identifier = [{ system: GLOBAL_ID_SYSTEM, value: globalId }];
    const result = await run(bundle(patientBundle('de-300', { identifier })));
    expect(result.patients).toEqual([{ localId: 'de-300', globalId, link: 'new' }]);
    expect(await control.globalIdOf({ region: REGION, localId: 'de-300' })).toBe(globalId);
    expect(await control.locatePatient(globalId)).toEqual([
      { region: 'eu-de', localId: 'de-300' },
      { region: 'eu-fr', localId: 'fr-77' },
    ]);
  });

  it('never moves an existing link silently', async () => {
    const before = await store.count();
    const otherId = [{ system: GLOBAL_ID_SYSTEM, value: 'mp-00000000cafe' }];
    const relink = await refusal(bundle(patientBundle('de-300', { identifier: otherId })));
    expect(relink.details.errors).toEqual([
      `Patient/de-300: identifier (${GLOBAL_ID_SYSTEM}): the patient is already linked to global id mp-00000000beef, not mp-00000000cafe`,
    ]);
    const taken = [{ system: GLOBAL_ID_SYSTEM, value: 'mp-00000000beef' }];
    const steal = await refusal(bundle(patientBundle('de-301', { identifier: taken })));
    expect(steal.details.errors).toEqual([
      `Patient/de-301: identifier (${GLOBAL_ID_SYSTEM}): global id mp-00000000beef already belongs to Patient/de-300 in region eu-de`,
    ]);
    expect(await store.count()).toBe(before);
  });

  it('refuses an organisation the control plane does not know', async () => {
    const err = (await importBundle({
      store,
      control,
      region: REGION,
      bundle: bundle(patientBundle('de-400')),
      organisationId: 'nobody',
    }).catch((e: unknown) => e)) as MeridianError;
    expect(err.message).toBe('unknown organisation "nobody"; known organisations: charite-berlin');
    expect(await control.globalIdOf({ region: REGION, localId: 'de-400' })).toBeNull();
  });
});
