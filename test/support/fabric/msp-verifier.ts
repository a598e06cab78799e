import { X509Certificate } from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';
import type { Invoker } from '../../../src/ledger/chaincode-executor.js';
import { isValidFabricSignature } from './ecdsa-signature.js';

/** An MSP whose members a peer accepts: its id and root CA certificate (a TestCertificateAuthority fits). */
export interface TrustedMsp {
  readonly mspId: string;
  readonly certificatePem: string;
}

/** A signed message the peer refuses; each handler maps it to the status code Fabric uses for that call. */
export class AccessDeniedError extends Error {
  constructor(message: string) {
    super(`access denied: ${message}`);
    this.name = 'AccessDeniedError';
  }
}

export interface SignedData {
  /** A serialized msp.SerializedIdentity (MSP id + PEM certificate). */
  readonly creator: Uint8Array;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
}

/** Checks what a Fabric MSP checks before anything runs: who signed, whether their CA is trusted, and the signature. */
export class MspVerifier {
  /** null: every MSP is accepted, and a certificate is only checked against its own signature. */
  readonly #roots: ReadonlyMap<string, X509Certificate> | null;

  constructor(trusted: readonly TrustedMsp[] | undefined) {
    this.#roots = trusted ? new Map(trusted.map((t) => [t.mspId, new X509Certificate(t.certificatePem)])) : null;
  }

  /** The signer of `signed`, once their certificate and signature check out; throws AccessDeniedError otherwise. */
  verify(signed: SignedData): Invoker {
    const { mspId, certificatePem, certificate } = parseCreator(signed.creator);
    this.#checkIssuer(mspId, certificate);
    if (!isValidFabricSignature(certificate.publicKey, signed.data, signed.signature)) {
      throw new AccessDeniedError(`signature of ${mspId} member is invalid`);
    }
    return { mspId, certificatePem };
  }

  #checkIssuer(mspId: string, certificate: X509Certificate): void {
    const now = Date.now();
    if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) {
      throw new AccessDeniedError('creator certificate is expired or not yet valid');
    }
    if (this.#roots === null) {
      return;
    }
    const root = this.#roots.get(mspId);
    if (!root) {
      throw new AccessDeniedError(`creator org unknown: ${mspId}`);
    }
    if (!certificate.checkIssued(root) || !certificate.verify(root.publicKey)) {
      throw new AccessDeniedError('creator org unknown, creator is malformed');
    }
    // Fabric's MSP validates the chain as of the certificate's own notBefore, not now, and tells
    // the client no more than for a stranger (its log says "certificate has expired or is not yet valid").
    const issuedAt = Date.parse(certificate.validFrom);
    if (issuedAt < Date.parse(root.validFrom) || issuedAt > Date.parse(root.validTo)) {
      throw new AccessDeniedError('creator org unknown, creator is malformed');
    }
  }
}

function parseCreator(creator: Uint8Array): { mspId: string; certificatePem: string; certificate: X509Certificate } {
  try {
    const identity = msp.SerializedIdentity.deserializeBinary(creator);
    const certificatePem = Buffer.from(identity.getIdBytes_asU8()).toString('utf8');
    return { mspId: identity.getMspid(), certificatePem, certificate: new X509Certificate(certificatePem) };
  } catch {
    throw new AccessDeniedError('creator is malformed');
  }
}
