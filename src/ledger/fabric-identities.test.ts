import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificateAuthority, type TestIdentity } from '../../test/support/fabric/identities.js';
import { fabricCaAttributes, walletIdentities, type FabricSigningIdentity } from './fabric-identities.js';
import type { LedgerActor } from './ledger.js';

const officer: LedgerActor = { user: 'officer-de-1', role: 'compliance_officer', jurisdiction: 'DE' };
const gatewayActor: LedgerActor = { user: 'gateway-eu-de', role: 'gateway' };

async function writeIdentity(folder: string, identity: TestIdentity, names = ['cert.pem', 'key.pem']): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, names[0]!), identity.certificatePem);
  await writeFile(path.join(folder, names[1]!), identity.privateKeyPem);
}

/** Whether `signing` signs with the key of `certificatePem`. */
async function signsAs(signing: FabricSigningIdentity, certificatePem: string): Promise<boolean> {
  const digest = createHash('sha256').update('message').digest();
  const signature = await signing.signer(digest);
  return verify('sha256', Buffer.from('message'), createPublicKey(certificatePem), signature);
}

describe('fabricCaAttributes', () => {
  it("names the actor's attributes as the chaincode reads them, leaving out those it lacks", () => {
    expect(fabricCaAttributes(officer)).toEqual({
      'meridian.user': 'officer-de-1',
      'meridian.role': 'compliance_officer',
      'meridian.jurisdiction': 'DE',
    });
    expect(
      fabricCaAttributes({ user: 'org-7', role: 'patient_delegate', delegateFor: 'mp-00112233aabb', patient: 'mp-1' }),
    ).toEqual({
      'meridian.user': 'org-7',
      'meridian.role': 'patient_delegate',
      'meridian.patient': 'mp-1',
      'meridian.delegateFor': 'mp-00112233aabb',
    });
  });
});

describe('walletIdentities', () => {
  let directory: string;
  let gateway: TestIdentity;
  let alice: TestIdentity;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'meridian-wallet-'));
    const ca = await createTestCertificateAuthority('Org1MSP');
    gateway = await ca.issue(gatewayActor.user, { attributes: fabricCaAttributes(gatewayActor) });
    alice = await ca.issue(officer.user, { attributes: fabricCaAttributes(officer) });
    await writeIdentity(path.join(directory, 'gateway'), gateway);
    await writeIdentity(path.join(directory, 'wallet', officer.user), alice);
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const options = () => ({
    mspId: 'Org1MSP',
    certFile: path.join(directory, 'gateway', 'cert.pem'),
    keyFile: path.join(directory, 'gateway', 'key.pem'),
    dir: path.join(directory, 'wallet'),
  });

  it("signs as the gateway with its own identity, and as a user with the user's wallet folder", async () => {
    const wallet = await walletIdentities(options());

    const own = await wallet.gatewayIdentity();
    const user = await wallet.identityFor(officer);

    expect(own.identity.mspId).toBe('Org1MSP');
    expect(Buffer.from(own.identity.credentials).toString()).toBe(gateway.certificatePem);
    expect(await signsAs(own, gateway.certificatePem)).toBe(true);
    expect(Buffer.from(user.identity.credentials).toString()).toBe(alice.certificatePem);
    expect(await signsAs(user, alice.certificatePem)).toBe(true);
  });

  it('refuses an actor with no wallet folder, naming where its files belong; role gateway falls back', async () => {
    const wallet = await walletIdentities(options());

    await expect(wallet.identityFor({ ...officer, user: 'officer-de-9' })).rejects.toThrow(
      `no Fabric identity for ledger user officer-de-9: enrol it and copy its cert.pem and key.pem to ${path.join(directory, 'wallet', 'officer-de-9')}/`,
    );
    await expect(wallet.identityFor({ ...officer, user: '../gateway' })).rejects.toThrow(/no Fabric identity/u);
    const fallback = await wallet.identityFor({ user: 'gateway-eu-fr', role: 'gateway' });
    expect(await signsAs(fallback, gateway.certificatePem)).toBe(true);
  });

  it('finds a user enrolled after start', async () => {
    const wallet = await walletIdentities(options());
    const late: LedgerActor = { ...officer, user: 'officer-de-late' };
    await expect(wallet.identityFor(late)).rejects.toThrow(/no Fabric identity/u);

    await writeIdentity(path.join(directory, 'wallet', late.user), alice);

    expect(await signsAs(await wallet.identityFor(late), alice.certificatePem)).toBe(true);
  });

  it("fails at once when the gateway's own files are missing or not PEM", async () => {
    await expect(walletIdentities({ ...options(), certFile: path.join(directory, 'missing.pem') })).rejects.toThrow(
      /MERIDIAN_FABRIC_CERT: .*missing\.pem does not exist/u,
    );
    await expect(walletIdentities({ ...options(), keyFile: options().certFile })).rejects.toThrow(
      /MERIDIAN_FABRIC_KEY: .* is not a PEM private key/u,
    );
  });
});
