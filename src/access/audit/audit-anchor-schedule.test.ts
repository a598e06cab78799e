import { describe, expect, it, vi } from 'vitest';
import { scheduleAuditAnchoring } from './audit-anchor-schedule.js';
import type { AnchoredAuditBatch } from './audit-anchoring.js';

function batchOf(count: number): AnchoredAuditBatch {
  return {
    batchId: `audit:${count}`,
    merkleRoot: '0'.repeat(64),
    count,
    fromSeq: 1n,
    toSeq: BigInt(count),
    fromTime: '2026-01-01T00:00:00.000Z',
    toTime: '2026-01-01T00:00:00.000Z',
    txId: 'tx',
  };
}

describe('scheduleAuditAnchoring', () => {
  it('anchors on every tick one run at a time, drains full batches, and anchors once more on stop', async () => {
    const pending = [2, 2, 1];
    let active = 0;
    let overlapped = false;
    const anchored: number[] = [];
    const errors: unknown[] = [];
    const schedule = scheduleAuditAnchoring({
      intervalMs: 5,
      batchSize: 2,
      anchorBatch: async () => {
        overlapped ||= active > 0;
        active++;
        await new Promise((resolve) => setTimeout(resolve, 15));
        active--;
        const next = pending.shift();
        return next === undefined ? null : batchOf(next);
      },
      onBatch: (b) => anchored.push(b.count),
      onError: (err) => errors.push(err),
    });
    await vi.waitFor(() => {
      expect(anchored).toEqual([2, 2, 1]);
    });
    pending.push(1);
    await schedule.stop();
    expect(anchored).toEqual([2, 2, 1, 1]);
    expect(overlapped).toBe(false);
    expect(errors).toEqual([]);
  });

  it('reports a failed run and tries again at the next tick', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const schedule = scheduleAuditAnchoring({
      intervalMs: 5,
      batchSize: 10,
      anchorBatch: () => (++calls === 1 ? Promise.reject(new Error('ledger down')) : Promise.resolve(null)),
      onError: (err) => errors.push(err),
    });
    await vi.waitFor(() => {
      expect(calls).toBeGreaterThan(2);
    });
    await schedule.stop();
    expect(errors).toHaveLength(1);
  });
});
