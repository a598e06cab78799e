// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect polyfill loaded first.
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { signers, type Identity, type Signer } from '@hyperledger/fabric-gateway';
import * as x509 from '@peculiar/x509';
import { writeFileDurably } from './durable-file.js';

x509.cryptoProvider.set(webcrypto);

/** Where Fabric CA writes a certificate's attributes (`{"attrs":{...}}` as raw JSON bytes). */
export const FABRIC_CA_ATTRIBUTES_OID = '1.2.3.4.5.6.7.8.1';

/** The files a saved authority consists of, inside its folder. */
export const CA_FILES = { certificate: 'ca-cert.pem', privateKey: 'ca-key.pem' } as const;

const ALGORITHM: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
};
const VALIDITY_MS = 365 * 24 * 60 * 60 * 1000;
/**
 * Backdated so a certificate is valid at once even when clocks disagree by a little, but never
 * before its issuer's own notBefore: Fabric checks the chain as of the certificate's notBefore.
 */
const BACKDATE_MS = 60 * 60 * 1000;

/** An MSP member as a Fabric client application holds it. */
export interface IssuedIdentity {
  readonly mspId: string;
  readonly certificatePem: string;
  /** PKCS#8 PEM of the member's P-256 key. */
  readonly privateKeyPem: string;
  /** For `connect({ identity })`. */
  readonly identity: Identity;
  /** For `connect({ signer })`; signs SHA-256 digests with ECDSA (DER, low-S) as Fabric expects. */
  readonly signer: Signer;
}

export type IdentityType = 'client' | 'peer' | 'admin' | 'orderer';

export interface IssueOptions {
  /** Custom attributes, e.g. `{ 'meridian.role': 'compliance_officer' }`. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Fabric CA's `hf.Type`, also the certificate's OU (NodeOUs); default `client`. */
  readonly type?: IdentityType;
  /** The start of validity as given, unchecked (tests of clocks); default: backdated within the CA's own. */
  readonly notBefore?: Date;
}

/**
 * Fabric CA adds `hf.EnrollmentID`, `hf.Type` and `hf.Affiliation` to every enrolment certificate
 * beside the requested attributes; chaincode may rely on them, so they are here too.
 */
export function fabricCaAttributesJson(
  user: string,
  type: IdentityType,
  attributes: Readonly<Record<string, string>>,
): string {
  return JSON.stringify({ attrs: { 'hf.Affiliation': '', 'hf.EnrollmentID': user, 'hf.Type': type, ...attributes } });
}

interface AuthorityOptions {
  readonly mspId: string;
  readonly certificate: x509.X509Certificate;
  readonly privateKey: webcrypto.CryptoKey;
}

/**
 * The root CA of one MSP, issuing enrolment certificates the way Fabric CA does. Its
 * `{ mspId, certificatePem }` is what a peer trusts; the embedded ledger keeps one in its
 * folder so every invoker it records can be checked against it later.
 */
export class CertificateAuthority {
  readonly mspId: string;
  readonly certificatePem: string;
  readonly #certificate: x509.X509Certificate;
  readonly #privateKey: webcrypto.CryptoKey;

  private constructor(options: Readonly<AuthorityOptions>) {
    this.mspId = options.mspId;
    this.certificatePem = options.certificate.toString('pem');
    this.#certificate = options.certificate;
    this.#privateKey = options.privateKey;
  }

  /** A new self-signed root CA for `mspId`, e.g. `Org1MSP`. */
  static async create(mspId: string): Promise<CertificateAuthority> {
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const domain = `${organisation(mspId)}.example.com`;
    // RDNs in the order Fabric CA writes them, so ClientIdentity.getID() reads as on a test network:
    // x509::/C=US/ST=North Carolina/O=Hyperledger/OU=client/CN=alice::/C=US/ST=North Carolina/O=org1.example.com/CN=ca.org1.example.com
    const { notBefore, notAfter } = validity();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serialNumber(),
      name: `C=US,ST=North Carolina,O=${domain},CN=ca.${domain}`,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return new CertificateAuthority({ mspId, certificate, privateKey: keys.privateKey });
  }

  /** The authority `save(dir)` wrote. */
  static async load(dir: string, mspId: string): Promise<CertificateAuthority> {
    const [certificatePem, keyPem] = await Promise.all([
      readFile(path.join(dir, CA_FILES.certificate), 'utf8'),
      readFile(path.join(dir, CA_FILES.privateKey), 'utf8'),
    ]);
    const certificate = new x509.X509Certificate(certificatePem);
    const privateKey = await webcrypto.subtle.importKey(
      'pkcs8',
      x509.PemConverter.decodeFirst(keyPem),
      ALGORITHM,
      true,
      ['sign'],
    );
    return new CertificateAuthority({ mspId, certificate, privateKey });
  }

  /**
   * An existing CA from its PEM files' contents, e.g. the one cryptogen made for an organisation
   * (`ca/ca.org1.example.com-cert.pem` and its PKCS#8 `priv_sk`), as Fabric CA signs with it.
   */
  static async fromPem(mspId: string, certificatePem: string, privateKeyPem: string): Promise<CertificateAuthority> {
    const certificate = new x509.X509Certificate(certificatePem);
    const privateKey = await webcrypto.subtle.importKey(
      'pkcs8',
      x509.PemConverter.decodeFirst(privateKeyPem),
      ALGORITHM,
      true,
      ['sign'],
    );
    return new CertificateAuthority({ mspId, certificate, privateKey });
  }

  /** Writes the certificate and the private key (owner-only) as PEM files into `dir`. */
  async save(dir: string): Promise<void> {
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', this.#privateKey);
    await writeFileDurably(path.join(dir, CA_FILES.privateKey), x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), 0o600);
    await writeFileDurably(path.join(dir, CA_FILES.certificate), this.certificatePem, 0o644);
  }

  /** Enrols `user`: a fresh key pair and a certificate carrying attributes the way Fabric CA writes them. */
  async issue(user: string, options: IssueOptions = {}): Promise<IssuedIdentity> {
    const type = options.type ?? 'client';
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const { notBefore: backdated, notAfter } = validity(this.#certificate);
    const notBefore = options.notBefore ?? backdated;
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: `C=US,ST=North Carolina,O=Hyperledger,OU=${type},CN=${user}`,
      issuer: this.#certificate.subject,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      publicKey: keys.publicKey,
      signingKey: this.#privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.#certificate),
        new x509.Extension(
          FABRIC_CA_ATTRIBUTES_OID,
          false,
          new TextEncoder().encode(fabricCaAttributesJson(user, type, options.attributes ?? {})),
        ),
      ],
    });
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    const privateKeyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
    const certificatePem = certificate.toString('pem');
    return {
      mspId: this.mspId,
      certificatePem,
      privateKeyPem,
      identity: { mspId: this.mspId, credentials: new TextEncoder().encode(certificatePem) },
      signer: signers.newPrivateKeySigner(createPrivateKey(privateKeyPem)),
    };
  }
}

function organisation(mspId: string): string {
  return mspId.replace(/MSP$/u, '').toLowerCase() || mspId;
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  // A DER INTEGER with the top bit set would read as negative.
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

/** A new certificate's validity; within `issuer`'s, when there is one. */
function validity(issuer?: x509.X509Certificate): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  const earliest = issuer === undefined ? -Infinity : issuer.notBefore.getTime();
  const latest = issuer === undefined ? Infinity : issuer.notAfter.getTime();
  return {
    notBefore: new Date(Math.max(now - BACKDATE_MS, earliest)),
    notAfter: new Date(Math.min(now + VALIDITY_MS, latest)),
  };
}
