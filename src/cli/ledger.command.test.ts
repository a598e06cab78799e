import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { CertificateAuthority } from '../ledger/certificate-authority.js';
import { EmbeddedLedger } from '../ledger/embedded-ledger.js';
import { GLOBAL_IDS, LedgerClient } from '../ledger/ledger-client.js';
import type { LedgerActor } from '../ledger/ledger.js';
import {
  embeddedLedgerDir,
  formatStatus,
  formatVerification,
  ledgerStatus,
  registerLedger,
  verifyLedger,
} from './ledger.command.js';

const alice: LedgerActor = { user: 'officer-alice', role: 'compliance_officer', jurisdiction: 'FR' };
const bob: LedgerActor = { user: 'officer-bob', role: 'compliance_officer', jurisdiction: 'FR' };
const gateway: LedgerActor = { user: 'gateway-eu-fr', role: 'gateway' };
const PATIENT = 'mp-00112233445566';
const patient: LedgerActor = { user: 'patient-1', role: 'patient', patient: PATIENT };
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

let dataDir: string;
let dir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'meridian-ledger-cli-'));
  dir = embeddedLedgerDir({ dataDir });
});

afterEach(async () => {
  process.exitCode = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

/** Seven transactions: a policy through activation, two consents (one revoked), a batch. */
async function populate(): Promise<string[]> {
  const ledger = await EmbeddedLedger.open({ dir });
  const client = new LedgerClient(ledger, GLOBAL_IDS);
  try {
    const txIds = [
      await client.recordPolicyVersion(alice, { jurisdiction: 'FR', version: 'v1', hash: sha('v1') }),
      await client.approvePolicyVersion(bob, { jurisdiction: 'FR', version: 'v1' }),
      await client.activatePolicyVersion(bob, { jurisdiction: 'FR', version: 'v1' }),
      await client.recordConsent(gateway, { consentId: 'c1', patientRef: PATIENT, hash: sha('c1'), version: '1' }),
      await client.recordConsent(gateway, { consentId: 'c2', patientRef: PATIENT, hash: sha('c2'), version: '1' }),
      await client.revokeConsent(patient, 'c1'),
      await client.anchorBatch(gateway, {
        batchId: 'b1',
        kind: 'audit',
        region: 'eu-fr',
        merkleRoot: sha('root'),
        count: 3,
        fromTime: '2025-01-01T00:00:00Z',
        toTime: '2025-01-01T01:00:00Z',
      }),
    ];
    return txIds.map((t) => t.txId);
  } finally {
    await ledger.close();
  }
}

function cli(env: Record<string, string> = {}) {
  const out: string[] = [];
  const program = new Command('meridian').exitOverride();
  registerLedger(program, {
    loadConfig: () => loadConfig({ MERIDIAN_DATA_DIR: dataDir, ...env }),
    out: (t) => out.push(t),
  });
  return { out, run: (...args: string[]) => program.parseAsync(args, { from: 'user' }) };
}

describe('meridian ledger status', () => {
  it('reports a folder with no ledger yet, creating nothing', async () => {
    const report = await ledgerStatus(dir);
    expect(report).toMatchObject({ exists: false, ok: true, transactions: 0 });
    expect(formatStatus(report)).toContain('none yet');
    await expect(readFile(path.join(dir, 'transactions.log'))).rejects.toThrow(/ENOENT/);
  });

  it('counts transactions and anchors and names the last block', async () => {
    const txIds = await populate();
    const report = await ledgerStatus(dir);
    expect(report).toMatchObject({ ok: true, transactions: 7, verified: 7, events: 4, reexecuted: false });
    expect(report.last).toMatchObject({ sequence: 7, txId: txIds[6] });
    const text = formatStatus(report);
    expect(text).toContain(`Last block:    #7, tx ${txIds[6]!}`);
    expect(text).toContain('policy versions 1 (1 approved, 1 activated); consents 2 (1 revoked); batches 1');
    expect(text).toContain('Chain:         verified');
    expect(text).toMatch(/Signing key: {3}sha256:[0-9a-f]{64}/);
  });

  it("exits 1 when the gateway's Fabric identity cannot be read", async () => {
    const { out, run } = cli({
      MERIDIAN_FABRIC_PEER: 'peer0.org1.example.com:7051',
      MERIDIAN_FABRIC_MSP_ID: 'Org1MSP',
      MERIDIAN_FABRIC_CERT: '/nonexistent/cert.pem',
      MERIDIAN_FABRIC_KEY: '/nonexistent/key.pem',
    });
    await run('ledger', 'status');
    expect(out.join('\n')).toContain('Fabric, peer peer0.org1.example.com:7051, channel meridian');
    expect(out.join('\n')).toMatch(/Identity: +CANNOT BE READ: .*\/nonexistent\/cert\.pem/);
    expect(process.exitCode).toBe(1);
  });
});

describe('meridian ledger verify', () => {
  it('re-executes every transaction of a sound ledger and says OK', async () => {
    await populate();
    const report = await verifyLedger(dir);
    expect(report).toMatchObject({ ok: true, verified: 7, reexecuted: true, firstBad: null });
    expect(formatVerification(report)).toMatch(/^Verified all 7 transactions .*chaincode re-execution\)\.\n.*\nOK$/s);

    const { out, run } = cli();
    await run('ledger', 'verify');
    expect(out.join('\n')).toMatch(/OK$/);
    expect(process.exitCode).toBeUndefined();
  });

  it('names the first bad transaction of a tampered ledger and fails', async () => {
    const txIds = await populate();
    const file = path.join(dir, 'transactions.log');
    const lines = (await readFile(file, 'utf8')).split('\n');
    // The consent's hash in its write set, one character changed.
    lines[4] = lines[4]!.replace(/"value":"(.)/, (_m, c: string) => `"value":"${c === 'e' ? 'f' : 'e'}`);
    await writeFile(file, lines.join('\n'));

    const report = await verifyLedger(dir);
    expect(report).toMatchObject({ ok: false, verified: 4, transactions: 7 });
    expect(report.firstBad).toMatchObject({ sequence: 5, txId: txIds[4], problem: 'hash' });
    expect(formatVerification(report)).toContain(
      `FAILED: transaction #5 (txid ${txIds[4]!}): hash does not match its contents`,
    );

    const { out, run } = cli();
    await run('ledger', 'verify');
    expect(out.join('\n')).toContain(
      `First bad transaction: #5 (txid ${txIds[4]!}), line 5 of the log; #1 to #4 before it verified`,
    );
    expect(process.exitCode).toBe(1);

    process.exitCode = undefined;
    await run('ledger', 'status');
    expect(out.join('\n')).toContain('Chain:         NOT VERIFIED: transaction #5');
    expect(process.exitCode).toBe(1);
  });
});

describe('meridian ledger status with a Fabric peer configured', () => {
  it('asks the peer, and exits 1 naming the failure when it does not answer', async () => {
    const ca = await CertificateAuthority.create('Org1MSP');
    const identity = await ca.issue('gateway-eu-de', { attributes: { 'meridian.user': 'gateway-eu-de' } });
    await writeFile(path.join(dataDir, 'cert.pem'), identity.certificatePem);
    await writeFile(path.join(dataDir, 'key.pem'), identity.privateKeyPem);
    // A port nothing listens on.
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const { port } = gone.address() as AddressInfo;
    await new Promise((resolve) => gone.close(resolve));

    const { out, run } = cli({
      MERIDIAN_FABRIC_PEER: `127.0.0.1:${String(port)}`,
      MERIDIAN_FABRIC_MSP_ID: 'Org1MSP',
      MERIDIAN_FABRIC_CERT: path.join(dataDir, 'cert.pem'),
      MERIDIAN_FABRIC_KEY: path.join(dataDir, 'key.pem'),
    });
    await run('ledger', 'status');

    expect(out.join('\n')).toContain(`Ledger:        Fabric, peer 127.0.0.1:${String(port)}, channel meridian`);
    expect(out.join('\n')).toMatch(/Peer: +NOT ANSWERING: the ledger did not answer/);
    expect(process.exitCode).toBe(1);
  });
});
