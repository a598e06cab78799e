import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificateAuthority, type TestIdentity } from '../../test/support/fabric/identities.js';
import { fabricCaAttributes, walletIdentities, type FabricSigningIdentity } from './fabric-identities.js';
import { LedgerError } from './ledger-error.js';
import { LedgerClient } from './ledger-client.js';
import type { Ledger, LedgerActor } from './ledger.js';

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

    const refusal = wallet.identityFor({ ...officer, user: 'officer-de-9' });
    // A ledger refusal (LEDGER_REJECTED to a client), not an internal error, and no server path.
    await expect(refusal).rejects.toBeInstanceOf(LedgerError);
    await expect(refusal).rejects.toMatchObject({ code: 'LEDGER_REJECTED', chaincodeCode: 'NOT_ENROLLED' });
    await expect(refusal).rejects.toThrow(
      "no Fabric identity is enrolled for ledger user officer-de-9: an operator enrols it (fabric/scripts/enrol.sh) and puts its cert.pem and key.pem in the gateway's wallet, MERIDIAN_FABRIC_WALLET/officer-de-9/",
    );
    await expect(refusal).rejects.not.toThrow(directory);
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

describe("README's enrol example", () => {
  it("names a patient's wallet folder as the gateway looks it up: the patient's ledger id, as `meridian patients ledger-id` prints it", async () => {
    const readme = await readFile(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/^enrol (\S+) patient patient=(\S+)$/gmu)];

    expect(examples.length).toBeGreaterThan(0);
    for (const [, user, patient] of examples) expect(user).toBe(patient);
    expect(readme).toMatch(/^ID=\$\(npx meridian patients ledger-id mp-[0-9a-f]+\)/mu);

    // The actor the gateway asks the wallet for: named and attributed by the ledger id alone.
    const asked: LedgerActor[] = [];
    const ledger = {
      evaluate: (actor: LedgerActor) => {
        asked.push(actor);
        return Promise.resolve('{"consents":0,"policies":0}');
      },
    } as unknown as Ledger;
    const client = new LedgerClient(ledger, { ledgerRef: (id) => Promise.resolve(`${id}-on-ledger`) });
    await client.getEpochs(
      { user: 'patient-mp-0123456789ab', role: 'patient', patient: 'mp-0123456789ab' },
      'mp-0123456789ab',
    );
    expect(asked).toEqual([
      { user: 'mp-0123456789ab-on-ledger', role: 'patient', patient: 'mp-0123456789ab-on-ledger' },
    ]);
  });
});
