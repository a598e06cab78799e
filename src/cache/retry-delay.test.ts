import { describe, expect, it } from 'vitest';
import { backoffDelay } from './retry-delay.js';

describe('backoffDelay', () => {
  it('doubles its step per attempt up to the cap, and waits somewhere in the upper half of it', () => {
    const options = { baseMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 9].map((attempt) => backoffDelay(attempt, options, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([0, 1, 2, 3, 4, 9].map((attempt) => backoffDelay(attempt, options, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });
});
