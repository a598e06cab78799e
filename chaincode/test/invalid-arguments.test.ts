import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchContract } from '../src/batch/batch-contract.js';
import { ConsentContract } from '../src/consent/consent-contract.js';
import { PolicyContract } from '../src/policy/policy-contract.js';
import { gateway, PATIENT_REF, sha256 } from './fixtures.js';
import { createTestContext, TestWorld, type TestContext } from './test-context.js';

const policy = new PolicyContract();
const consent = new ConsentContract();
const batch = new BatchContract();
const H = sha256('x');
const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-01-01T01:00:00Z';

type Call = (ctx: TestContext) => Promise<string>;

// [description, argument the error must name, call]
const cases: [string, string, Call][] = [
  ['jurisdiction lower case', 'jurisdiction', (c) => policy.recordPolicyVersion(c, 'de', '1', H, 'de-co-0001')],
  ['jurisdiction empty', 'jurisdiction', (c) => policy.getActivePolicy(c, '')],
  ['version with a space', 'version', (c) => policy.recordPolicyVersion(c, 'DE', 'v 1', H, 'de-co-0001')],
  ['hash upper case', 'hash', (c) => policy.recordPolicyVersion(c, 'DE', '1', H.toUpperCase(), 'de-co-0001')],
  ['hash too short', 'hash', (c) => policy.recordPolicyVersion(c, 'DE', '1', H.slice(1), 'de-co-0001')],
  ['author as a name', 'author', (c) => policy.recordPolicyVersion(c, 'DE', '1', H, 'Erika Mustermann')],
  ['author as an e-mail', 'author', (c) => policy.recordPolicyVersion(c, 'DE', '1', H, 'erika@example.org')],
  ['approver empty', 'approver', (c) => policy.approvePolicyVersion(c, 'DE', '1', '')],
  ['consentId with braces', 'consentId', (c) => consent.recordConsent(c, '{"id":1}', PATIENT_REF, H, '1')],
  ['patientRef as a name', 'patientRef', (c) => consent.recordConsent(c, 'c1', 'Erika Mustermann', H, '1')],
  ['patientRef not hex', 'patientRef', (c) => consent.recordConsent(c, 'c1', 'mp-erikamusterm', H, '1')],
  ['consent version', 'version', (c) => consent.recordConsent(c, 'c1', PATIENT_REF, H, '')],
  ['reason as free text', 'reason', (c) => consent.revokeConsent(c, 'c1', 'Erika changed her mind')],
  ['batchId too long', 'batchId', (c) => batch.anchorBatch(c, 'b'.repeat(129), 'audit', 'eu-de', H, '1', T0, T1)],
  ['kind unknown', 'kind', (c) => batch.anchorBatch(c, 'b1', 'clinical', 'eu-de', H, '1', T0, T1)],
  ['region upper case', 'region', (c) => batch.anchorBatch(c, 'b1', 'audit', 'EU-DE', H, '1', T0, T1)],
  [
    'merkleRoot not hex',
    'merkleRoot',
    (c) => batch.anchorBatch(c, 'b1', 'audit', 'eu-de', 'z'.repeat(64), '1', T0, T1),
  ],
  ['count zero', 'count', (c) => batch.anchorBatch(c, 'b1', 'audit', 'eu-de', H, '0', T0, T1)],
  ['count negative', 'count', (c) => batch.anchorBatch(c, 'b1', 'audit', 'eu-de', H, '-3', T0, T1)],
  ['count fractional', 'count', (c) => batch.anchorBatch(c, 'b1', 'audit', 'eu-de', H, '1.5', T0, T1)],
  ['count too large', 'count', (c) => batch.anchorBatch(c, 'b1', 'audit', 'eu-de', H, '9'.repeat(20), T0, T1)],
  ['fromTime a date only', 'fromTime', (c) => batch.anchorBatch(c, 'b1', 'audit', 'eu-de', H, '1', '2025-01-01', T1)],
  [
    'fromTime impossible',
    'fromTime',
    (c) => batch.anchorBatch(c, 'b1', 'audit', 'eu-de', H, '1', '2025-02-30T00:00:00Z', T1),
  ],
  [
    'toTime no offset',
    'toTime',
    (c) => batch.anchorBatch(c, 'b1', 'audit', 'eu-de', H, '1', T0, '2025-01-01T01:00:00'),
  ],
  ['toTime before fromTime', 'toTime', (c) => batch.anchorBatch(c, 'b1', 'audit', 'eu-de', H, '1', T1, T0)],
];

// Arguments are checked before the invoker, so any identity sees the same error.
describe('invalid arguments', () => {
  for (const [description, argument, call] of cases) {
    it(`refuses ${description}, naming '${argument}'`, async () => {
      const world = new TestWorld();
      await assert.rejects(call(createTestContext(gateway, world)), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'INVALID_ARGUMENT');
        assert.match(error.message, new RegExp(`^INVALID_ARGUMENT: argument '${argument}' (must|is required)`));
        return true;
      });
      assert.equal(world.state.size, 0);
    });
  }

  it('never echoes the rejected value, which may be personal data', async () => {
    await assert.rejects(
      consent.recordConsent(createTestContext(gateway), 'c1', 'Erika Mustermann', H, '1'),
      (error: Error) => !error.message.includes('Erika'),
    );
  });

  it('accepts ISO-8601 times with fractions and offsets', async () => {
    const out = JSON.parse(
      await batch.anchorBatch(
        createTestContext(gateway),
        'b1',
        'records',
        'eu-fr',
        H,
        '7',
        '2025-01-01T10:00:00.123+01:00',
        '2025-01-01T09:00:00.123456Z',
      ),
    );
    assert.equal(out.count, 7);
  });
});
