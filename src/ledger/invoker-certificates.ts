// Before the chaincode classes load.
import './chaincode-logging.js';
import { X509Certificate } from 'node:crypto';
import { ClientIdentity, type ChaincodeStub } from 'fabric-shim';
import { ATTRIBUTES } from 'meridian-chaincode';

/** An invoker's certificate as the chaincode sees it, and whether this ledger's CA issued it. */
export interface InvokerCertificate {
  /** `x509::<subject>::<issuer>`, fabric-shim's `ClientIdentity.getID()`. */
  readonly id: string;
  /** The `meridian.*` attributes the certificate carries. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly notAfter: Date;
  /** False when the certificate is not signed by the ledger's CA. */
  readonly issuedByLedgerCa: boolean;
}

/**
 * Reads invoker certificates once each: a log repeats the same few certificates on every
 * transaction, and parsing and signature checks are the expensive part of opening it.
 */
export class InvokerCertificates {
  readonly #ca: X509Certificate;
  readonly #mspId: string;
  readonly #seen = new Map<string, InvokerCertificate>();

  constructor(options: Readonly<{ caCertificatePem: string; mspId: string }>) {
    this.#ca = new X509Certificate(options.caCertificatePem);
    this.#mspId = options.mspId;
  }

  /** Throws when `pem` is not a certificate at all. */
  inspect(pem: string): InvokerCertificate {
    const known = this.#seen.get(pem);
    if (known) return known;
    const certificate = new X509Certificate(pem);
    const identity = new ClientIdentity(creatorStub(this.#mspId, pem));
    const attributes: Record<string, string> = {};
    for (const name of Object.values(ATTRIBUTES)) {
      const value = identity.getAttributeValue(name);
      if (value !== null) attributes[name] = value;
    }
    const inspected: InvokerCertificate = {
      id: identity.getID(),
      attributes,
      notAfter: new Date(certificate.validTo),
      issuedByLedgerCa: certificate.checkIssued(this.#ca) && certificate.verify(this.#ca.publicKey),
    };
    this.#seen.set(pem, inspected);
    return inspected;
  }
}

/** fabric-shim's ClientIdentity reads the creator from a stub, as on a peer. */
function creatorStub(mspId: string, pem: string): ChaincodeStub {
  const stub = {
    getChannelID: () => 'meridian',
    getTxID: () => '',
    getCreator: () => ({ mspid: mspId, idBytes: Buffer.from(pem) }),
  };
  return stub as unknown as ChaincodeStub;
}
