import { describe, expect, it } from 'vitest';
import { CallGuard } from './call-guard.js';

const never = (): Promise<never> => new Promise<never>(() => undefined);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('CallGuard', () => {
  it('fails a call that never answers, opens after repeated failures, probes again and closes on success', async () => {
    const events: string[] = [];
    const guard = new CallGuard({
      timeoutMs: 20,
      breakerFailures: 3,
      breakerRetryMs: 100,
      onOpen: () => events.push('open'),
      onClose: () => events.push('close'),
    });
    let calls = 0;
    const hung = (): Promise<never> => {
      calls++;
      return never();
    };
    for (let i = 0; i < 3; i++) await expect(guard.run(hung)).rejects.toThrow(/timed out/);
    expect(calls).toBe(3);
    expect(guard.degraded).toBe(true);
    expect(events).toEqual(['open']);

    // Open: calls fail without reaching the service.
    await expect(guard.run(hung)).rejects.toThrow(/open|broken/i);
    expect(calls).toBe(3);

    // After the retry delay one probe goes through; it succeeds and the breaker closes.
    await sleep(150);
    await expect(guard.run(() => Promise.resolve('pong'))).resolves.toBe('pong');
    expect(guard.degraded).toBe(false);
    expect(events).toEqual(['open', 'close']);
  });

  it('reopens when the probe fails too, and a success in between resets the count', async () => {
    const guard = new CallGuard({ timeoutMs: 20, breakerFailures: 2, breakerRetryMs: 50 });
    const fail = (): Promise<never> => Promise.reject(new Error('connection refused'));
    await expect(guard.run(fail)).rejects.toThrow('connection refused');
    await expect(guard.run(() => Promise.resolve(1))).resolves.toBe(1);
    await expect(guard.run(fail)).rejects.toThrow('connection refused');
    expect(guard.degraded).toBe(false); // not two in a row
    await expect(guard.run(fail)).rejects.toThrow('connection refused');
    expect(guard.degraded).toBe(true);
    await sleep(80);
    await expect(guard.run(never)).rejects.toThrow(/timed out/);
    expect(guard.degraded).toBe(true);
    await expect(guard.run(() => Promise.resolve(2))).rejects.toThrow(/open|broken/i);
  });
});
