import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CareContract } from '../src/care/care-contract.js';
import { PatientContract } from '../src/patient/patient-contract.js';
import { deClinician, delegate, gateway, otherPatient, patient, PATIENT_REF, sha256 } from './fixtures.js';
import { createTestContext, TestWorld } from './test-context.js';

const care = new CareContract();
const index = new PatientContract();

/** The test world's transactions start at 2025-01-01 and tick by a second. */
function inDays(days: number): string {
  return new Date(Date.parse('2025-01-01T00:00:00Z') + days * 24 * 3600 * 1000).toISOString();
}

async function careSet(world: TestWorld): Promise<{ relationshipId: string; status: string; hash: string }[]> {
  const state = JSON.parse(await index.getPatientState(createTestContext(gateway, world), PATIENT_REF)) as {
    careSet: { relationshipId: string; status: string; hash: string }[];
    consents: number;
  };
  return state.careSet;
}

describe('CareContract', () => {
  it("records a relationship in the patient's care set, moves the epoch, and lets only the patient or a delegate end it", async () => {
    const world = new TestWorld();
    await care.recordCareRelationship(
      createTestContext(gateway, world),
      'care-1',
      PATIENT_REF,
      sha256('a'),
      inDays(30),
    );
    await care.recordCareRelationship(createTestContext(gateway, world), 'care-2', PATIENT_REF, sha256('b'), inDays(1));
    assert.deepEqual(
      (await careSet(world)).map((c) => [c.relationshipId, c.status, c.hash]),
      [
        ['care-1', 'open', sha256('a')],
        ['care-2', 'open', sha256('b')],
      ],
    );
    await assert.rejects(
      care.endCareRelationship(createTestContext(otherPatient, world), 'care-1'),
      /FORBIDDEN|only the patient/,
    );
    await assert.rejects(care.endCareRelationship(createTestContext(deClinician, world), 'care-1'), /only the patient/);
    const endedBy = createTestContext(patient, world);
    const ended = JSON.parse(await care.endCareRelationship(endedBy, 'care-1')) as { endTxId?: string };
    // The ending transaction is on the record: a gateway that stored nothing before a crash finishes with it.
    assert.equal(ended.endTxId, endedBy.stub.getTxID());
    await care.endCareRelationship(createTestContext(delegate, world), 'care-2');
    await assert.rejects(care.endCareRelationship(createTestContext(patient, world), 'care-1'), /already ended/);
    assert.deepEqual(
      (await careSet(world)).map((c) => c.status),
      ['ended', 'ended'],
    );
    const state = JSON.parse(await index.getPatientState(createTestContext(gateway, world), PATIENT_REF)) as {
      consents: number;
    };
    assert.equal(state.consents, 4, 'two openings and two endings each moved the epoch');
  });

  it('refuses anyone but a gateway as the recorder, a reused id, and an expiry in the past or beyond a year', async () => {
    const world = new TestWorld();
    await assert.rejects(
      care.recordCareRelationship(createTestContext(deClinician, world), 'c', PATIENT_REF, sha256('a'), inDays(1)),
      /only a gateway/,
    );
    await assert.rejects(
      care.recordCareRelationship(createTestContext(patient, world), 'c', PATIENT_REF, sha256('a'), inDays(1)),
      /only a gateway/,
    );
    await assert.rejects(
      care.recordCareRelationship(createTestContext(gateway, world), 'c', PATIENT_REF, sha256('a'), inDays(-1)),
      /expiresAt/,
    );
    await assert.rejects(
      care.recordCareRelationship(createTestContext(gateway, world), 'c', PATIENT_REF, sha256('a'), inDays(400)),
      /expiresAt/,
    );
    await care.recordCareRelationship(createTestContext(gateway, world), 'c', PATIENT_REF, sha256('a'), inDays(1));
    await assert.rejects(
      care.recordCareRelationship(createTestContext(gateway, world), 'c', PATIENT_REF, sha256('b'), inDays(1)),
      /already recorded/,
    );
    await assert.rejects(care.getCareRelationship(createTestContext(gateway, world), 'nope'), /not recorded/);
  });
});
