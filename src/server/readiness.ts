import { withDeadline } from '../access/records/deadline.js';
import type { Stores } from '../stores/open-stores.js';
import type { ReadinessReport } from './http-server.js';

/** `/readyz`: pings the control plane and every region, each within `timeoutMs`. */
export function readiness(stores: Stores, timeoutMs: number): () => Promise<ReadinessReport> {
  return async () => {
    const targets: [string, () => Promise<void>][] = [
      ['control', () => stores.control.ping()],
      ...[...stores.stores].map(([region, store]): [string, () => Promise<void>] => [
        `region:${region}`,
        () => store.ping(),
      ]),
    ];
    const results = await Promise.allSettled(targets.map(([name, ping]) => withDeadline(name, timeoutMs, ping())));
    const checks = Object.fromEntries(
      targets.map(([name], i) => [name, results[i]?.status === 'fulfilled' ? 'ok' : 'unavailable']),
    );
    // One region down still leaves a useful gateway (partial answers); no control plane or no region does not.
    const ready =
      checks.control === 'ok' && targets.some(([name]) => name.startsWith('region:') && checks[name] === 'ok');
    return { ready, checks };
  };
}
