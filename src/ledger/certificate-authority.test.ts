import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CA_FILES, CertificateAuthority } from './certificate-authority.js';

x509.cryptoProvider.set(webcrypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A root CA made a few minutes ago, as cryptogen or Fabric CA makes one for a new network. */
async function youngCaFiles(dir: string, ageMs: number): Promise<Date> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const notBefore = new Date(Math.floor((Date.now() - ageMs) / 1000) * 1000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'C=US,ST=North Carolina,O=org1.example.com,CN=ca.org1.example.com',
    notBefore,
    notAfter: new Date(Date.now() + 10 * 365 * 86_400_000),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, 1, true)],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  await writeFile(path.join(dir, CA_FILES.certificate), certificate.toString('pem'));
  await writeFile(path.join(dir, CA_FILES.privateKey), x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
  return notBefore;
}

describe('CertificateAuthority', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-ca-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("never dates a certificate before its CA's own notBefore, which Fabric would refuse", async () => {
    const caNotBefore = await youngCaFiles(dir, 5 * 60_000);
    const ca = await CertificateAuthority.load(dir, 'Org1MSP');

    const issued = new X509Certificate((await ca.issue('officer-de-1')).certificatePem);

    expect(Date.parse(issued.validFrom)).toBeGreaterThanOrEqual(caNotBefore.getTime());
    expect(issued.checkIssued(new X509Certificate(ca.certificatePem))).toBe(true);
  });

  it('still backdates by up to an hour under an older CA, for clocks that disagree a little', async () => {
    const ca = await CertificateAuthority.create('Org2MSP');

    const issued = new X509Certificate((await ca.issue('officer-fr-1')).certificatePem);

    expect(Date.now() - Date.parse(issued.validFrom)).toBeGreaterThan(30 * 60_000);
    expect(Date.parse(issued.validFrom)).toBeGreaterThanOrEqual(
      Date.parse(new X509Certificate(ca.certificatePem).validFrom),
    );
  });
});
