import { describe, inject, it } from 'vitest';
import type { FabricNetworkInfo } from './native-network.js';

/**
 * A suite that runs on the real Fabric network of this test run. Without one (no
 * MERIDIAN_FABRIC_BIN) it is reported skipped and its body, which needs the network, is not
 * called: vitest calls the body of a `describe.skipIf` suite too, to collect its tests.
 */
export function describeOnNetwork(
  title: (network: FabricNetworkInfo | null) => string,
  body: (network: FabricNetworkInfo) => void,
): void {
  const network = inject('fabricNetwork');
  if (network === null) {
    describe.skip(title(null), () => {
      it('needs the Fabric binaries (MERIDIAN_FABRIC_BIN)', () => undefined);
    });
    return;
  }
  describe(title(network), () => {
    body(network);
  });
}
