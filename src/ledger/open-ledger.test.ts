import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkpointers } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFabricGatewayServer, type FabricGatewayServer } from '../../test/support/fabric/gateway-server.js';
import { createTestCertificateAuthority, type TestIdentity } from '../../test/support/fabric/identities.js';
import { loadConfig } from '../config/config.js';
import { ContractExecutor } from './contract-executor.js';
import { EmbeddedLedger } from './embedded-ledger.js';
import { fabricCaAttributes } from './fabric-identities.js';
import { FabricLedger } from './fabric-ledger.js';
import { GLOBAL_IDS, LedgerClient } from './ledger-client.js';
import type { LedgerActor } from './ledger.js';
import { openLedger } from './open-ledger.js';

const author: LedgerActor = { user: 'officer-fr-1', role: 'compliance_officer', jurisdiction: 'FR' };
const approver: LedgerActor = { user: 'officer-fr-2', role: 'compliance_officer', jurisdiction: 'FR' };
const gatewayActor: LedgerActor = { user: 'gateway-eu-fr', role: 'gateway' };
const hash = createHash('sha256').update('policy FR 1').digest('hex');

async function writeIdentity(folder: string, identity: TestIdentity): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'cert.pem'), identity.certificatePem);
  await writeFile(path.join(folder, 'key.pem'), identity.privateKeyPem);
}

describe('openLedger', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'meridian-open-ledger-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('opens the embedded ledger in <dataDir>/ledger without Fabric settings', async () => {
    const config = loadConfig({ MERIDIAN_DATA_DIR: path.join(directory, 'data') });

    const ledger = await openLedger(config);
    try {
      expect(ledger).toBeInstanceOf(EmbeddedLedger);
      expect((ledger as EmbeddedLedger).dir).toBe(path.join(directory, 'data', 'ledger'));
      await new LedgerClient(ledger, GLOBAL_IDS).recordPolicyVersion(author, {
        jurisdiction: 'FR',
        version: '1',
        hash,
      });
    } finally {
      await ledger.close();
    }
  });

  describe('with MERIDIAN_FABRIC_PEER', () => {
    let server: FabricGatewayServer;

    beforeAll(async () => {
      const ca = await createTestCertificateAuthority('Org1MSP');
      server = await startFabricGatewayServer({
        executor: new ContractExecutor(),
        channel: 'health-eu',
        chaincode: 'meridian',
        trustedMsps: [ca],
      });
      for (const actor of [gatewayActor, author, approver]) {
        const identity = await ca.issue(actor.user, { attributes: fabricCaAttributes(actor) });
        await writeIdentity(path.join(directory, 'wallet', actor.user), identity);
      }
    });

    afterAll(async () => {
      await server.close();
    });

    const fabricEnv = () => ({
      MERIDIAN_DATA_DIR: path.join(directory, 'unused'),
      MERIDIAN_FABRIC_PEER: server.address,
      MERIDIAN_FABRIC_CHANNEL: 'health-eu',
      MERIDIAN_FABRIC_MSP_ID: 'Org1MSP',
      MERIDIAN_FABRIC_CERT: path.join(directory, 'wallet', gatewayActor.user, 'cert.pem'),
      MERIDIAN_FABRIC_KEY: path.join(directory, 'wallet', gatewayActor.user, 'key.pem'),
      MERIDIAN_FABRIC_WALLET: path.join(directory, 'wallet'),
    });

    it("signs each actor's transactions with its wallet identity and reads events as the gateway", async () => {
      const ledger = await openLedger(loadConfig(fabricEnv()));
      try {
        expect(ledger).toBeInstanceOf(FabricLedger);
        const client = new LedgerClient(ledger, GLOBAL_IDS);
        await client.recordPolicyVersion(author, { jurisdiction: 'FR', version: '1', hash });
        await client.approvePolicyVersion(approver, { jurisdiction: 'FR', version: '1' });
        const activated = await client.activatePolicyVersion(approver, { jurisdiction: 'FR', version: '1' });

        const stream = await ledger.events(checkpointers.inMemory());
        const [event] = await (async () => {
          for await (const next of stream) return [next];
          return [];
        })();
        expect(event).toMatchObject({ eventName: 'PolicyActivated', txId: activated.txId });
        expect(await client.getActivePolicy(gatewayActor, 'FR')).toMatchObject({
          author: author.user,
          approver: approver.user,
        });
        await expect(
          client.recordPolicyVersion({ ...author, user: 'officer-fr-9' }, { jurisdiction: 'FR', version: '2', hash }),
        ).rejects.toThrow(/no Fabric identity is enrolled for ledger user officer-fr-9/u);
      } finally {
        await ledger.close();
      }
      expect(server.blockHeight()).toBe(4);
    });

    it("fails at start when the gateway's identity files are missing", async () => {
      const env = { ...fabricEnv(), MERIDIAN_FABRIC_KEY: path.join(directory, 'missing-key.pem') };
      await expect(openLedger(loadConfig(env))).rejects.toThrow(/missing-key\.pem/u);
    });
  });
});
