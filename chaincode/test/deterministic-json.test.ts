import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchContract } from '../src/batch/batch-contract.js';
import { ConsentContract } from '../src/consent/consent-contract.js';
import { canonicalJson } from '../src/ledger/canonical-json.js';
import { txTime } from '../src/ledger/ledger-context.js';
import { PolicyContract } from '../src/policy/policy-contract.js';
import { deOfficerA, deOfficerB, gateway, patient, PATIENT_REF, sha256 } from './fixtures.js';
import { createTestContext, TestWorld } from './test-context.js';

const policy = new PolicyContract();
const consent = new ConsentContract();
const batch = new BatchContract();

/** The same transactions, in the same order, as two endorsing peers would run them. */
async function scenario(): Promise<{ world: TestWorld; outputs: string[] }> {
  const world = new TestWorld();
  const outputs = [
    await policy.recordPolicyVersion(createTestContext(deOfficerA, world), 'DE', '1', sha256('p'), 'de-co-0001'),
    await policy.approvePolicyVersion(createTestContext(deOfficerB, world), 'DE', '1', 'de-co-0002'),
    await policy.activatePolicyVersion(createTestContext(deOfficerA, world), 'DE', '1'),
    await policy.getPolicyHistory(createTestContext(gateway, world), 'DE'),
    await consent.recordConsent(createTestContext(gateway, world), 'c1', PATIENT_REF, sha256('c'), '1'),
    await consent.revokeConsent(createTestContext(patient, world), 'c1', ''),
    await consent.getConsentHistory(createTestContext(gateway, world), 'c1'),
    await batch.anchorBatch(
      createTestContext(gateway, world),
      'b1',
      'audit',
      'eu-de',
      sha256('m'),
      '3',
      '2025-01-01T00:00:00Z',
      '2025-01-01T00:00:00Z',
    ),
  ];
  return { world, outputs };
}

function keysSortedAtEveryDepth(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(keysSortedAtEveryDepth);
  if (value === null || typeof value !== 'object') return true;
  const keys = Object.keys(value);
  const sorted = [...keys].sort();
  return keys.every((k, i) => k === sorted[i]) && Object.values(value).every(keysSortedAtEveryDepth);
}

describe('deterministic JSON', () => {
  it('sorts keys at every depth and drops undefined', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } }),
      '{"a":{"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('returns and stores canonical JSON only', async () => {
    const { world, outputs } = await scenario();
    for (const out of outputs) {
      assert.equal(out, canonicalJson(JSON.parse(out)));
      assert.ok(keysSortedAtEveryDepth(JSON.parse(out)));
    }
    for (const value of world.state.values()) {
      const text = Buffer.from(value).toString('utf8');
      assert.equal(text, canonicalJson(JSON.parse(text)));
    }
  });

  it('produces byte-identical results and writes when run twice', async () => {
    const first = await scenario();
    const second = await scenario();
    assert.deepEqual(second.outputs, first.outputs);
    assert.equal(second.world.snapshot(), first.world.snapshot());
  });

  it('takes time from the transaction timestamp, in UTC with milliseconds', () => {
    const stub = { getTxTimestamp: () => ({ seconds: 1_735_689_600, nanos: 987_654_321 }) };
    assert.equal(txTime(stub as never), '2025-01-01T00:00:00.987Z');
  });
});

describe('canonical JSON is RFC 8785 (JCS)', () => {
  it('sorts keys by UTF-16 code units, array-index-like keys included, as the RFC does', () => {
    assert.equal(canonicalJson({ b: 1, '10': 2, '9': 3 }), '{"10":2,"9":3,"b":1}');
    // RFC 8785 section 3.2.3's sorting example: code-unit order, not locale or code-point order.
    assert.equal(
      canonicalJson({
        '\u20ac': 'Euro Sign',
        '\r': 'Carriage Return',
        '\ufb33': 'Hebrew',
        '1': 'One',
        '\ud83d\ude00': 'Emoji',
        '\u0080': 'Control',
        '\u00f6': 'Latin',
      }),
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji","\ufb33":"Hebrew"}',
    );
    assert.equal(canonicalJson({ n: [1e21, 0.000001, -0, 4.5] }), '{"n":[1e+21,0.000001,0,4.5]}');
  });
});
