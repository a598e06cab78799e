import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchContract } from '../src/batch/batch-contract.js';
import { gateway, sha256 } from './fixtures.js';
import { createTestContext, TestWorld } from './test-context.js';

const batch = new BatchContract();
const ROOT = sha256('merkle root');

describe('BatchContract', () => {
  it('anchors a batch and returns it', async () => {
    const world = new TestWorld();
    const args = [
      'b-2025-01-01-eu-de',
      'audit',
      'eu-de',
      ROOT,
      '42',
      '2025-01-01T00:00:00Z',
      '2025-01-01T01:00:00Z',
    ] as const;
    const out = JSON.parse(await batch.anchorBatch(createTestContext(gateway, world), ...args));
    const expected = {
      batchId: 'b-2025-01-01-eu-de',
      kind: 'audit',
      region: 'eu-de',
      merkleRoot: ROOT,
      count: 42,
      fromTime: '2025-01-01T00:00:00Z',
      toTime: '2025-01-01T01:00:00Z',
      anchoredAt: '2025-01-01T00:00:01.000Z',
      anchoredBy: 'ChariteMSP',
      txId: 'tx000001',
    };
    assert.deepEqual(out, expected);
    assert.deepEqual(
      JSON.parse(await batch.getBatch(createTestContext(gateway, world), 'b-2025-01-01-eu-de')),
      expected,
    );
  });

  it('anchors a batch once only', async () => {
    const world = new TestWorld();
    await batch.anchorBatch(
      createTestContext(gateway, world),
      'b1',
      'records',
      'us-ma',
      ROOT,
      '1',
      '2025-01-01T00:00:00Z',
      '2025-01-01T00:00:00Z',
    );
    const before = world.snapshot();
    await assert.rejects(
      batch.anchorBatch(
        createTestContext(gateway, world),
        'b1',
        'records',
        'us-ma',
        sha256('other'),
        '1',
        '2025-01-01T00:00:00Z',
        '2025-01-01T00:00:00Z',
      ),
      { code: 'CONFLICT', message: /batch b1 is already anchored/ },
    );
    assert.equal(world.snapshot(), before);
  });

  it('answers NOT_FOUND for an unknown batch', async () => {
    await assert.rejects(batch.getBatch(createTestContext(gateway), 'b404'), { code: 'NOT_FOUND' });
  });
});
