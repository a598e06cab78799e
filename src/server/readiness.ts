import { withDeadline } from '../access/records/deadline.js';
import type { Stores } from '../stores/open-stores.js';
import type { ReadinessReport } from './http-server.js';

/**
 * A part the gateway works without, slower or less protected (the Redis cache, Redis-backed
 * rate limits): reported as `ok` or `degraded`, never a reason to be unready.
 */
export type DegradableCheck = () => Promise<'ok' | 'degraded'>;

/**
 * `/readyz`: pings the control plane and every region, each within `timeoutMs`, and reports
 * each degradable part by name.
 */
export function readiness(
  stores: Stores,
  timeoutMs: number,
  degradable: Readonly<Record<string, DegradableCheck>> = {},
): () => Promise<ReadinessReport> {
  return async () => {
    const targets: [string, () => Promise<void>][] = [
      ['control', () => stores.control.ping()],
      ...[...stores.stores].map(([region, store]): [string, () => Promise<void>] => [
        `region:${region}`,
        () => store.ping(),
      ]),
    ];
    const parts = Object.entries(degradable);
    const [results, partResults] = await Promise.all([
      Promise.allSettled(targets.map(([name, ping]) => withDeadline(name, timeoutMs, ping()))),
      Promise.allSettled(parts.map(([name, check]) => withDeadline(name, timeoutMs, check()))),
    ]);
    const checks: Record<string, string> = Object.fromEntries(
      targets.map(([name], i) => [name, results[i]?.status === 'fulfilled' ? 'ok' : 'unavailable']),
    );
    parts.forEach(([name], i) => {
      const result = partResults[i];
      checks[name] = result?.status === 'fulfilled' ? result.value : 'degraded';
    });
    // One region down still leaves a useful gateway (partial answers); no control plane or no region does not.
    const ready =
      checks.control === 'ok' && targets.some(([name]) => name.startsWith('region:') && checks[name] === 'ok');
    return { ready, checks };
  };
}
