import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { walletIdentities } from '../../src/ledger/fabric-identities.js';
import { FabricLedger } from '../../src/ledger/fabric-ledger.js';
import { GLOBAL_IDS, LedgerClient } from '../../src/ledger/ledger-client.js';
import { describeOnNetwork } from '../support/fabric-network/describe-on-network.js';
import { freePorts } from '../support/fabric-network/free-ports.js';

const root = path.resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const run = promisify(execFile);

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

describeOnNetwork(
  (network) => `the native Fabric ${network?.version ?? ''} test network`,
  (info) => {
    const env = { ...process.env, ...info.env };
    const stops: (() => void)[] = [];

    afterAll(() => {
      stops.forEach((stop) => {
        stop();
      });
    });

    it('serves health and Prometheus metrics on each peer', async () => {
      for (const peer of info.peers) {
        const health = await fetch(`${peer.operationsUrl}/healthz`);
        expect(health.status).toBe(200);
        const metrics = await (await fetch(`${peer.operationsUrl}/metrics`)).text();
        expect(metrics).toContain('ledger_blockchain_height');
      }
    });

    it('deploy-chaincode.sh run again changes nothing: the committed sequence is the one wanted', async () => {
      const { stdout } = await run(
        path.join(root, 'fabric', 'native', 'env-run.sh'),
        [path.join(root, 'fabric', 'scripts', 'deploy-chaincode.sh')],
        { cwd: root, env: { ...env, CHANNEL: info.suiteChannel } },
      );
      expect(stdout).toContain(
        `sequence 1 of meridian on ${info.suiteChannel} is the definition wanted; nothing to commit`,
      );
      expect(stdout).toMatch(/has meridian_0\.1\.0:[0-9a-f]{64} installed already/);
    });

    it.skipIf(!existsSync(path.join(info.bin, 'fabric-ca-server')))(
      "enrol.sh enrols a user with Org1's Fabric CA without printing its secret; the peer accepts the certificate",
      async () => {
        const [caPort, caOpsPort] = await freePorts(2);
        const caEnv = { ...env, CA_PORT: String(caPort), CA_OPS_PORT: String(caOpsPort) };
        const ca = spawn(path.join(root, 'fabric', 'native', 'ca.sh'), [], { cwd: root, env: caEnv, stdio: 'ignore' });
        stops.push(() => ca.kill('SIGKILL'));
        for (let i = 0; i < 200 && !(await listening(caPort!)); i++) await new Promise((r) => setTimeout(r, 100));

        const { stdout, stderr } = await run(
          path.join(root, 'fabric', 'native', 'env-run.sh'),
          [path.join(root, 'fabric', 'scripts', 'enrol.sh'), 'officer-de-7', 'compliance_officer', 'jurisdiction=DE'],
          { cwd: root, env: caEnv },
        );

        const wallet = path.join(info.env.FABRIC_BUILD!, 'wallet');
        expect(stdout.trim()).toBe(
          `enrolled officer-de-7 (meridian.user=officer-de-7:ecert,meridian.role=compliance_officer:ecert,meridian.jurisdiction=DE:ecert) into ${wallet}/officer-de-7`,
        );
        expect(`${stdout}${stderr}`).not.toMatch(/Password|secret/i);
        expect(await readFile(path.join(wallet, 'officer-de-7', 'cert.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
        // The chaincode reads its attributes: a compliance officer of DE may read DE's history.
        const peer = info.peers[0];
        const ledger = new FabricLedger({
          peerEndpoint: peer.endpoint,
          tlsRootCertPem: await readFile(peer.tlsCaFile, 'utf8'),
          channel: info.channel,
          chaincode: info.chaincode,
          identities: await walletIdentities({
            mspId: peer.mspId,
            certFile: path.join(wallet, 'officer-de-7', 'cert.pem'),
            keyFile: path.join(wallet, 'officer-de-7', 'key.pem'),
            dir: wallet,
          }),
        });
        try {
          const officer = { user: 'officer-de-7', role: 'compliance_officer', jurisdiction: 'DE' };
          expect(await new LedgerClient(ledger, GLOBAL_IDS).getPolicyHistory(officer, 'DE')).toBeInstanceOf(Array);
        } finally {
          await ledger.close();
        }
      },
    );
  },
);
