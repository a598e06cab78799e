import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchContract } from '../src/batch/batch-contract.js';
import { gateway, sha256 } from './fixtures.js';
import { createTestContext, TestWorld } from './test-context.js';

const batch = new BatchContract();
const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-01-01T01:00:00Z';

function anchor(world: TestWorld, id: string, headSeq: string, head: string): Promise<string> {
  return batch.anchorChainBatch(
    createTestContext(gateway, world),
    id,
    'audit',
    'control-plane',
    sha256(`root ${id}`),
    '3',
    T0,
    T1,
    headSeq,
    sha256(head),
  );
}

describe('BatchContract chain batches', () => {
  it('anchors a batch with its chain head and moves the head record on', async () => {
    const world = new TestWorld();
    await anchor(world, 'audit:a', '3', 'event 3');
    const second = JSON.parse(await anchor(world, 'audit:b', '6', 'event 6')) as Record<string, unknown>;
    assert.equal(second.headSeq, 6);
    assert.equal(second.headHash, sha256('event 6'));
    const head = JSON.parse(
      await batch.getChainHead(createTestContext(gateway, world), 'audit', 'control-plane'),
    ) as Record<string, unknown>;
    assert.deepEqual(
      { batchId: head.batchId, batches: head.batches, headSeq: head.headSeq, headHash: head.headHash },
      { batchId: 'audit:b', batches: 2, headSeq: 6, headHash: sha256('event 6') },
    );
    const stored = JSON.parse(await batch.getBatch(createTestContext(gateway, world), 'audit:b')) as Record<
      string,
      unknown
    >;
    assert.equal(stored.headSeq, 6);
  });

  it('refuses a head that does not move forward, and changes nothing', async () => {
    const world = new TestWorld();
    await anchor(world, 'audit:a', '6', 'event 6');
    const before = world.snapshot();
    await assert.rejects(anchor(world, 'audit:b', '4', 'event 4'), {
      code: 'CONFLICT',
      message: /anchored up to #6 already/,
    });
    assert.equal(world.snapshot(), before);
  });

  it('answers NOT_FOUND while no chain batch is anchored', async () => {
    await assert.rejects(batch.getChainHead(createTestContext(gateway), 'audit', 'control-plane'), {
      code: 'NOT_FOUND',
    });
  });
});
