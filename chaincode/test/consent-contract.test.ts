import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsentContract } from '../src/consent/consent-contract.js';
import { delegate, gateway, OTHER_PATIENT_REF, otherPatient, patient, PATIENT_REF, sha256 } from './fixtures.js';
import { createTestContext, TestWorld } from './test-context.js';

const consent = new ConsentContract();
const HASH = sha256('consent document');

async function recorded(world: TestWorld, consentId = 'c-0001'): Promise<void> {
  await consent.recordConsent(createTestContext(gateway, world), consentId, PATIENT_REF, HASH, '3');
}

describe('ConsentContract', () => {
  it("moves the patient's consent epoch on every grant and revocation, and no other patient's", async () => {
    const world = new TestWorld();
    const epochs = async (ref = PATIENT_REF): Promise<unknown> =>
      JSON.parse(await consent.getEpochs(createTestContext(gateway, world), ref));
    assert.deepEqual(await epochs(), { patientRef: PATIENT_REF, consents: 0, policies: 0 });
    const ctx = createTestContext(gateway, world);
    await consent.recordConsent(ctx, 'c-0001', PATIENT_REF, HASH, '3');
    assert.deepEqual(ctx.event(), {
      name: 'ConsentRecorded',
      payload: { consentId: 'c-0001', patientRef: PATIENT_REF, version: '3', epoch: 1 },
    });
    await consent.revokeConsent(createTestContext(patient, world), 'c-0001', '');
    assert.deepEqual(await epochs(), { patientRef: PATIENT_REF, consents: 2, policies: 0 });
    assert.deepEqual(await epochs(OTHER_PATIENT_REF), { patientRef: OTHER_PATIENT_REF, consents: 0, policies: 0 });
    await assert.rejects(consent.getEpochs(createTestContext(gateway, world), 'Alice Smith'), /patientRef/);
  });

  it('records a consent and reports it active', async () => {
    const world = new TestWorld();
    const out = JSON.parse(
      await consent.recordConsent(createTestContext(gateway, world), 'c-0001', PATIENT_REF, HASH, '3'),
    );
    const expected = {
      consentId: 'c-0001',
      patientRef: PATIENT_REF,
      hash: HASH,
      version: '3',
      status: 'active',
      recordedAt: '2025-01-01T00:00:01.000Z',
    };
    assert.deepEqual(out, expected);
    assert.deepEqual(JSON.parse(await consent.getConsentStatus(createTestContext(gateway, world), 'c-0001')), expected);
  });

  it('lets the patient revoke, emits ConsentRevoked, and keeps the history', async () => {
    const world = new TestWorld();
    await recorded(world);
    const ctx = createTestContext(patient, world);
    const out = JSON.parse(await consent.revokeConsent(ctx, 'c-0001', 'patient_request'));
    assert.equal(out.status, 'revoked');
    assert.equal(out.revokedAt, '2025-01-01T00:00:02.000Z');
    assert.deepEqual(ctx.event(), {
      name: 'ConsentRevoked',
      payload: { consentId: 'c-0001', patientRef: PATIENT_REF, version: '3', epoch: 2 },
    });

    const status = JSON.parse(await consent.getConsentStatus(createTestContext(gateway, world), 'c-0001'));
    assert.deepEqual(status, out);

    const history = JSON.parse(await consent.getConsentHistory(createTestContext(gateway, world), 'c-0001'));
    assert.deepEqual(history, [
      {
        action: 'recorded',
        actorMsp: 'ChariteMSP',
        at: '2025-01-01T00:00:01.000Z',
        consentId: 'c-0001',
        hash: HASH,
        patientRef: PATIENT_REF,
        txId: 'tx000001',
        version: '3',
      },
      {
        action: 'revoked',
        actorMsp: 'ChariteMSP',
        at: '2025-01-01T00:00:02.000Z',
        consentId: 'c-0001',
        hash: HASH,
        patientRef: PATIENT_REF,
        reason: 'patient_request',
        revokedAs: 'patient',
        txId: 'tx000002',
        version: '3',
      },
    ]);
  });

  it('lets a delegate for the patient revoke, with no reason given', async () => {
    const world = new TestWorld();
    await recorded(world);
    const out = JSON.parse(await consent.revokeConsent(createTestContext(delegate, world), 'c-0001', ''));
    assert.equal(out.status, 'revoked');
    const history = JSON.parse(await consent.getConsentHistory(createTestContext(gateway, world), 'c-0001'));
    assert.equal(history[1].revokedAs, 'patient_delegate');
    assert.equal('reason' in history[1], false);
  });

  it('refuses revocation by a different patient and changes nothing', async () => {
    const world = new TestWorld();
    await recorded(world);
    const before = world.snapshot();
    const ctx = createTestContext(otherPatient, world);
    await assert.rejects(consent.revokeConsent(ctx, 'c-0001', ''), {
      code: 'FORBIDDEN',
      message: /only the patient/,
    });
    assert.equal(ctx.event(), undefined);
    assert.equal(world.snapshot(), before);
    const status = JSON.parse(await consent.getConsentStatus(createTestContext(gateway, world), 'c-0001'));
    assert.equal(status.status, 'active');
  });

  it('refuses revocation by an organisation without the delegate role, or delegated for someone else', async () => {
    const world = new TestWorld();
    await recorded(world);
    await assert.rejects(consent.revokeConsent(createTestContext(gateway, world), 'c-0001', ''), { code: 'FORBIDDEN' });
    const otherDelegate = {
      mspId: 'ChariteMSP',
      attributes: { 'meridian.role': 'patient_delegate', 'meridian.delegateFor': OTHER_PATIENT_REF },
    };
    await assert.rejects(consent.revokeConsent(createTestContext(otherDelegate, world), 'c-0001', ''), {
      code: 'FORBIDDEN',
    });
    const notDelegate = { mspId: 'ChariteMSP', attributes: { 'meridian.delegateFor': PATIENT_REF } };
    await assert.rejects(consent.revokeConsent(createTestContext(notDelegate, world), 'c-0001', ''), {
      code: 'FORBIDDEN',
    });
  });

  it('refuses to revoke twice, to reuse a consent id, or to revoke an unknown consent', async () => {
    const world = new TestWorld();
    await recorded(world);
    await consent.revokeConsent(createTestContext(patient, world), 'c-0001', '');
    await assert.rejects(consent.revokeConsent(createTestContext(patient, world), 'c-0001', ''), {
      code: 'CONFLICT',
      message: /already revoked/,
    });
    await assert.rejects(recorded(world), { code: 'CONFLICT', message: /already recorded/ });
    await assert.rejects(consent.revokeConsent(createTestContext(patient, world), 'c-0404', ''), {
      code: 'NOT_FOUND',
    });
    await assert.rejects(consent.getConsentHistory(createTestContext(patient, world), 'c-0404'), {
      code: 'NOT_FOUND',
    });
  });

  it('keeps histories of consents whose ids share a prefix apart', async () => {
    const world = new TestWorld();
    await recorded(world, 'c-1');
    await recorded(world, 'c-10');
    const history = JSON.parse(await consent.getConsentHistory(createTestContext(gateway, world), 'c-1'));
    assert.deepEqual(
      history.map((e: { consentId: string }) => e.consentId),
      ['c-1'],
    );
  });
});
