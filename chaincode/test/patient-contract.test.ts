import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CareContract } from '../src/care/care-contract.js';
import { ConsentContract } from '../src/consent/consent-contract.js';
import { PatientContract } from '../src/patient/patient-contract.js';
import { gateway, OTHER_PATIENT_REF, patient, PATIENT_REF, sha256 } from './fixtures.js';
import { createTestContext, TestWorld } from './test-context.js';

const consents = new ConsentContract();
const index = new PatientContract();
const care = new CareContract();
/** The test world's transactions start at 2025-01-01 and tick by a second. */
const inDays = (days: number): string => new Date(Date.parse('2025-01-01T00:00:00Z') + days * 86_400_000).toISOString();

function entry(region: string, localId: string, patientRef = PATIENT_REF): Record<string, unknown> {
  return {
    patientRef,
    region,
    location: sha256(`${patientRef} ${region} ${localId}`),
    records: sha256(`records of ${localId}`),
    recordCount: 3,
  };
}

async function state(world: TestWorld, ref = PATIENT_REF): Promise<Record<string, unknown>> {
  return JSON.parse(await index.getPatientState(createTestContext(gateway, world), ref)) as Record<string, unknown>;
}

describe('PatientContract', () => {
  it("lists the patient's consents with their kind and anchor, and the index entries, in one read", async () => {
    const world = new TestWorld();
    await consents.recordConsent(createTestContext(gateway, world), 'c-1', PATIENT_REF, sha256('a'), '1', 'deny');
    await consents.recordConsent(createTestContext(gateway, world), 'c-2', PATIENT_REF, sha256('b'), '1', '');
    await consents.revokeConsent(createTestContext(patient, world), 'c-2', '');
    await index.recordPatientIndex(
      createTestContext(gateway, world),
      JSON.stringify([entry('eu-de', 'p1'), entry('eu-fr', 'p9'), entry('eu-de', 'q', OTHER_PATIENT_REF)]),
    );
    const s = await state(world);
    assert.deepEqual(
      (s.consentSet as { consentId: string; kind: string; status: string }[]).map((c) => [
        c.consentId,
        c.kind,
        c.status,
      ]),
      [
        ['c-1', 'deny', 'active'],
        ['c-2', 'permit', 'revoked'],
      ],
    );
    assert.deepEqual(
      (s.locations as { region: string; location: string }[]).map((l) => [l.region, l.location]),
      [
        ['eu-de', entry('eu-de', 'p1').location],
        ['eu-fr', entry('eu-fr', 'p9').location],
      ],
    );
    // Two grants, a revocation and an index change each moved the epoch.
    assert.equal(s.consents, 4);
    assert.equal(((await state(world, OTHER_PATIENT_REF)).locations as unknown[]).length, 1);
  });

  it('replaces an entry when a region is re-anchored, and refuses bad entries and patients as writers', async () => {
    const world = new TestWorld();
    await index.recordPatientIndex(createTestContext(gateway, world), JSON.stringify([entry('eu-de', 'p1')]));
    await index.recordPatientIndex(createTestContext(gateway, world), JSON.stringify([entry('eu-de', 'p2')]));
    const locations = (await state(world)).locations as { location: string }[];
    assert.deepEqual(
      locations.map((l) => l.location),
      [entry('eu-de', 'p2').location],
    );
    const ctx = (): ReturnType<typeof createTestContext> => createTestContext(gateway, world);
    await assert.rejects(index.recordPatientIndex(ctx(), '[]'), /entries/);
    await assert.rejects(index.recordPatientIndex(ctx(), 'not json'), /entries/);
    await assert.rejects(
      index.recordPatientIndex(ctx(), JSON.stringify([{ ...entry('eu-de', 'x'), patientRef: 'Alice Smith' }])),
      /entries\[0\]\.patientRef/,
    );
    await assert.rejects(
      index.recordPatientIndex(ctx(), JSON.stringify([{ ...entry('eu-de', 'x'), recordCount: -1 }])),
      /recordCount/,
    );
    await assert.rejects(
      index.recordPatientIndex(createTestContext(patient, world), JSON.stringify([entry('eu-de', 'p3')])),
      /FORBIDDEN/,
    );
    await assert.rejects(
      consents.recordConsent(createTestContext(gateway, world), 'c-9', PATIENT_REF, sha256('z'), '1', 'maybe'),
      /kind/,
    );
  });

  it('erases a patient once, for a gateway only: entries vacated, consents revoked, care ended, nothing recorded after', async () => {
    const world = new TestWorld();
    const ctx = (): ReturnType<typeof createTestContext> => createTestContext(gateway, world);
    await consents.recordConsent(ctx(), 'c-1', PATIENT_REF, sha256('a'), '1', '');
    await care.recordCareRelationship(ctx(), 'care-1', PATIENT_REF, sha256('b'), inDays(7));
    await index.recordPatientIndex(
      ctx(),
      JSON.stringify([entry('eu-de', 'p1'), entry('eu-de', 'q', OTHER_PATIENT_REF)]),
    );
    await assert.rejects(index.erasePatient(createTestContext(patient, world), PATIENT_REF, 'erasure-1'), /FORBIDDEN/);
    const before = (await state(world)).consents as number;
    const erased = JSON.parse(await index.erasePatient(ctx(), PATIENT_REF, 'erasure-1')) as { erasureId: string };
    assert.equal(erased.erasureId, 'erasure-1');
    const s = await state(world);
    assert.equal((s.erasure as { erasureId: string }).erasureId, 'erasure-1');
    // As the gateway's vacatedLocation and censusDigest([]) make them.
    assert.deepEqual(
      (s.locations as { location: string; records: string; recordCount: number }[]).map((l) => [
        l.location,
        l.records,
        l.recordCount,
      ]),
      [[sha256(`meridian.location\n${PATIENT_REF}\neu-de\n`), sha256('meridian.census\n'), 0]],
    );
    assert.deepEqual(
      (s.consentSet as { status: string }[]).map((c) => c.status),
      ['revoked'],
    );
    assert.deepEqual(
      (s.careSet as { status: string }[]).map((c) => c.status),
      ['ended'],
    );
    assert.ok((s.consents as number) > before);
    await assert.rejects(index.erasePatient(ctx(), PATIENT_REF, 'erasure-2'), /CONFLICT/);
    await assert.rejects(index.recordPatientIndex(ctx(), JSON.stringify([entry('eu-de', 'p2')])), /erased/);
    await assert.rejects(consents.recordConsent(ctx(), 'c-2', PATIENT_REF, sha256('c'), '1', ''), /erased/);
    await assert.rejects(care.recordCareRelationship(ctx(), 'care-2', PATIENT_REF, sha256('d'), inDays(7)), /erased/);
    // Another patient is untouched.
    const other = await state(world, OTHER_PATIENT_REF);
    assert.equal(other.erasure, undefined);
    assert.deepEqual(
      (other.locations as { location: string }[]).map((l) => l.location),
      [entry('eu-de', 'q', OTHER_PATIENT_REF).location],
    );
  });
});
