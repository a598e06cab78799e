import { inject, describe, expect, it } from 'vitest';

const network = inject('fabricNetwork');

describe.skipIf(network === null)(`the native Fabric ${network?.version ?? ''} test network`, () => {
  it('serves health and Prometheus metrics on each peer', async () => {
    for (const peer of network!.peers) {
      const health = await fetch(`${peer.operationsUrl}/healthz`);
      expect(health.status).toBe(200);
      const metrics = await (await fetch(`${peer.operationsUrl}/metrics`)).text();
      expect(metrics).toContain('ledger_blockchain_height');
    }
  });
});
