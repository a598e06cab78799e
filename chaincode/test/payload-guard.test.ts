import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONSENT, type ConsentRecord } from '../src/consent/consent-records.js';
import { ConsentContract } from '../src/consent/consent-contract.js';
import { putRecord } from '../src/ledger/record-store.js';
import { ledgerOf } from '../src/ledger/ledger-context.js';
import { POLICY_VERSION } from '../src/policy/policy-records.js';
import { guardPayload } from '../src/validation/payload-guard.js';
import { gateway, PATIENT_REF, sha256 } from './fixtures.js';
import { createTestContext, TestWorld } from './test-context.js';

const consentRecord = {
  consentId: 'c-0001',
  patientRef: PATIENT_REF,
  hash: sha256('c'),
  version: '1',
  status: 'active',
  recordedAt: '2025-01-01T00:00:01.000Z',
};

const fhirPatient = {
  resourceType: 'Patient',
  id: 'p1',
  name: [{ family: 'Mustermann', given: ['Erika'] }],
  birthDate: '1964-08-12',
};

describe('payload guard', () => {
  it('passes a record holding only its allowed fields', () => {
    assert.doesNotThrow(() => guardPayload(CONSENT, consentRecord));
  });

  for (const [field, value] of [
    ['name', 'Erika Mustermann'],
    ['given', 'Erika'],
    ['birthDate', '1964-08-12'],
    ['resourceType', 'Patient'],
  ] as const) {
    it(`refuses a record with an extra '${field}' field`, () => {
      assert.throws(() => guardPayload(CONSENT, { ...consentRecord, [field]: value }), {
        code: 'PAYLOAD_REFUSED',
        message: new RegExp(`field '${field}' is not allowed in a meridian.consent record`),
      });
    });
  }

  it('refuses a FHIR resource nested in an allowed field', () => {
    assert.throws(() => guardPayload(CONSENT, { ...consentRecord, hash: fhirPatient }), {
      code: 'PAYLOAD_REFUSED',
      message: /field 'hash' .* must be a string or a number/,
    });
  });

  it('refuses a FHIR resource serialised into an allowed field', () => {
    assert.throws(() => guardPayload(POLICY_VERSION, { author: JSON.stringify(fhirPatient) }), {
      code: 'PAYLOAD_REFUSED',
      message: /must not hold a JSON document/,
    });
  });

  it('refuses a FHIR resource as the whole record', () => {
    assert.throws(() => guardPayload(CONSENT, fhirPatient), { code: 'PAYLOAD_REFUSED' });
    assert.throws(() => guardPayload(CONSENT, [consentRecord]), { code: 'PAYLOAD_REFUSED' });
  });

  it('stops a write through the record store before it reaches the world state', async () => {
    const ctx = createTestContext(gateway);
    const { stub } = ledgerOf(ctx);
    const smuggled = { ...consentRecord, name: 'Erika Mustermann' } as unknown as ConsentRecord;
    await assert.rejects(putRecord(stub, CONSENT, 'k', smuggled), { code: 'PAYLOAD_REFUSED' });
    assert.equal(ctx.world.state.size, 0);
  });

  it('refuses a FHIR resource or a name passed as transaction arguments', async () => {
    const world = new TestWorld();
    const consent = new ConsentContract();
    const h = sha256('c');
    const attempts = [
      () => consent.recordConsent(createTestContext(gateway, world), JSON.stringify(fhirPatient), PATIENT_REF, h, '1'),
      () => consent.recordConsent(createTestContext(gateway, world), 'c1', JSON.stringify(fhirPatient), h, '1'),
      () => consent.recordConsent(createTestContext(gateway, world), 'c1', 'Erika Mustermann', h, '1'),
      () =>
        consent.recordConsent(createTestContext(gateway, world), 'c1', PATIENT_REF, h, '{"resourceType":"Consent"}'),
    ];
    for (const attempt of attempts) {
      await assert.rejects(attempt(), { code: 'INVALID_ARGUMENT' });
    }
    assert.equal(world.state.size, 0);
  });
});
