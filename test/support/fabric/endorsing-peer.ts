import { createHash, X509Certificate } from 'node:crypto';
import { msp, peer } from '@hyperledger/fabric-protos';
import { isValidFabricSignature } from './ecdsa-signature.js';
import type { TestIdentity } from './identities.js';

/** The peer behind the gateway: it signs endorsements, and its committer checks them. */
export class EndorsingPeer {
  readonly mspId: string;
  readonly address: string;
  readonly #identity: TestIdentity;
  readonly #serializedIdentity: Uint8Array;

  constructor(identity: TestIdentity, address: string) {
    this.mspId = identity.mspId;
    this.address = address;
    this.#identity = identity;
    const serialized = new msp.SerializedIdentity();
    serialized.setMspid(identity.mspId);
    serialized.setIdBytes(new TextEncoder().encode(identity.certificatePem));
    this.#serializedIdentity = serialized.serializeBinary();
  }

  /** Fabric's endorsement: the peer's signature over the ProposalResponsePayload followed by its own identity. */
  async endorse(proposalResponsePayload: Uint8Array): Promise<peer.Endorsement> {
    const digest = createHash('sha256').update(proposalResponsePayload).update(this.#serializedIdentity).digest();
    const endorsement = new peer.Endorsement();
    endorsement.setEndorser(this.#serializedIdentity);
    endorsement.setSignature(await this.#identity.signer(digest));
    return endorsement;
  }

  /** Whether this peer signed `proposalResponsePayload`: the endorsement policy a committer enforces here. */
  hasEndorsed(proposalResponsePayload: Uint8Array, endorsements: readonly peer.Endorsement[]): boolean {
    const publicKey = new X509Certificate(this.#identity.certificatePem).publicKey;
    return endorsements.some((endorsement) => {
      const endorser = endorsement.getEndorser_asU8();
      return (
        Buffer.from(endorser).equals(this.#serializedIdentity) &&
        isValidFabricSignature(
          publicKey,
          Buffer.concat([proposalResponsePayload, endorser]),
          endorsement.getSignature_asU8(),
        )
      );
    });
  }
}
