import type { TestProject } from 'vitest/node';
import { killNow, networkPids, startNativeNetwork, type FabricNetworkInfo } from './native-network.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The real Fabric network of this run; null when MERIDIAN_FABRIC_BIN is unset. */
    fabricNetwork: FabricNetworkInfo | null;
  }
}

/**
 * One native Fabric network for every test file of the `fabric` project, started once from
 * MERIDIAN_FABRIC_BIN and stopped by pid at the end, failures included. Without the variable the
 * real-network tests say so in one line and are reported skipped.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const bin = process.env.MERIDIAN_FABRIC_BIN;
  if (bin === undefined || bin === '') {
    console.log(
      'Real Fabric network tests: SKIPPED, MERIDIAN_FABRIC_BIN is unset (point it at Fabric 2.5 binaries, e.g. ../shared/fabric/bin).',
    );
    project.provide('fabricNetwork', null);
    return undefined;
  }
  const started = Date.now();
  const network = await startNativeNetwork(bin);
  const { info } = network;
  // Should the run end without teardown (a crash, Ctrl-C), no Fabric process outlives it.
  const onExit = (): void => {
    killNow(networkPids(info).values());
  };
  process.once('exit', onExit);
  console.log(
    `Real Fabric network tests: Hyperledger Fabric ${info.version} from ${bin}, orderer and peers of Org1MSP ` +
      `(${info.peers[0].endpoint}) and Org2MSP (${info.peers[1].endpoint}), channels ${info.channel} and ` +
      `${info.suiteChannel}, up in ${String(Math.round((Date.now() - started) / 100) / 10)} s.`,
  );
  project.provide('fabricNetwork', info);
  return async () => {
    process.removeListener('exit', onExit);
    await network.stop();
  };
}
