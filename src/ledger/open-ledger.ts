import { readConfigFile } from '../config/config-file.js';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { EmbeddedLedger } from './embedded-ledger.js';
import { walletIdentities } from './fabric-identities.js';
import { FabricLedger } from './fabric-ledger.js';
import type { HeadCheckpoint } from './head-checkpoint.js';
import type { Ledger } from './ledger.js';

/**
 * Opens the ledger the configuration names: the Fabric peer of `config.fabric`, its identities
 * read from PEM files, or else the embedded ledger in `<dataDir>/ledger`. Missing or unreadable
 * identity files fail here, at start. The embedded ledger's head is checkpointed in
 * `options.headCheckpoint` when given, and a log that ends before it refuses to open; a state
 * snapshot it cannot use is reported to `options.logger`.
 */
export async function openLedger(
  config: Pick<Config, 'fabric' | 'dataDir'>,
  options: { readonly headCheckpoint?: HeadCheckpoint; readonly logger?: Pick<Logger, 'warn'> } = {},
): Promise<Ledger> {
  const fabric = config.fabric;
  if (fabric === undefined) {
    const dir = path.join(config.dataDir, 'ledger');
    return EmbeddedLedger.open({ dir, headCheckpoint: options.headCheckpoint, logger: options.logger });
  }
  const identities = await walletIdentities({
    mspId: fabric.mspId,
    certFile: fabric.certFile,
    keyFile: fabric.keyFile,
    dir: fabric.walletDir,
  });
  const tlsRootCertPem =
    fabric.tlsCaFile === undefined
      ? undefined
      : (await readConfigFile('MERIDIAN_FABRIC_TLS_CA', fabric.tlsCaFile)).toString('utf8');
  return new FabricLedger({
    peerEndpoint: fabric.peerEndpoint,
    tlsRootCertPem,
    hostnameOverride: fabric.hostnameOverride,
    channel: fabric.channel,
    chaincode: fabric.chaincode,
    identities,
  });
}
