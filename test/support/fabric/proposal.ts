import { createHash } from 'node:crypto';
import { common, peer } from '@hyperledger/fabric-protos';
import { MalformedRequestError } from './gateway-errors.js';

/** What the gateway needs from a client's transaction proposal. */
export interface ParsedProposal {
  readonly txId: string;
  readonly channelId: string;
  readonly chaincodeId: string;
  readonly timestamp: Date;
  /** The serialized msp.SerializedIdentity that signed the proposal. */
  readonly creator: Uint8Array;
  /** The proposal bytes the creator signed, and the signature. */
  readonly signedBytes: Uint8Array;
  readonly signature: Uint8Array;
  /** `contract:function`, the first chaincode argument. */
  readonly fn: string;
  readonly args: readonly string[];
  readonly transient: ReadonlyMap<string, Uint8Array>;
  /** The proposal's header; the prepared transaction reuses it unchanged, as Fabric does. */
  readonly header: common.Header;
  /** The ChaincodeProposalPayload without its transient map: all of it a transaction may carry. */
  readonly visiblePayload: Uint8Array;
  /** What the endorsement binds to: SHA-256 over channel header, signature header and visible payload. */
  readonly proposalHash: Uint8Array;
}

/** Decodes a SignedProposal (its signature is checked separately); throws MalformedRequestError. */
export function parseProposal(signed: peer.SignedProposal | undefined): ParsedProposal {
  if (!signed || signed.getProposalBytes_asU8().length === 0) {
    throw new MalformedRequestError('the proposed transaction must contain a signed proposal');
  }
  try {
    return decode(signed);
  } catch (err) {
    throw err instanceof MalformedRequestError
      ? err
      : new MalformedRequestError(`failed to unpack transaction proposal: ${String(err)}`);
  }
}

function decode(signed: peer.SignedProposal): ParsedProposal {
  const proposal = peer.Proposal.deserializeBinary(signed.getProposalBytes_asU8());
  const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
  const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
  if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) {
    throw new MalformedRequestError(`invalid header type ${channelHeader.getType()}`);
  }
  checkTransactionId(channelHeader.getTxId(), signatureHeader);

  const payload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
  const spec = peer.ChaincodeInvocationSpec.deserializeBinary(payload.getInput_asU8()).getChaincodeSpec();
  const [fn, ...args] = (spec?.getInput()?.getArgsList_asU8() ?? []).map((arg) => Buffer.from(arg).toString('utf8'));
  if (fn === undefined) {
    throw new MalformedRequestError('the chaincode invocation has no function name');
  }
  const transient = new Map<string, Uint8Array>();
  payload.getTransientmapMap().forEach((value, key) => transient.set(key, asBytes(value)));

  const visible = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
  visible.getTransientmapMap().clear();
  const visiblePayload = visible.serializeBinary();

  return {
    txId: channelHeader.getTxId(),
    channelId: channelHeader.getChannelId(),
    chaincodeId: spec?.getChaincodeId()?.getName() ?? '',
    timestamp: channelHeader.getTimestamp()?.toDate() ?? new Date(0),
    creator: signatureHeader.getCreator_asU8(),
    signedBytes: signed.getProposalBytes_asU8(),
    signature: signed.getSignature_asU8(),
    fn,
    args,
    transient,
    header,
    visiblePayload,
    proposalHash: createHash('sha256')
      .update(header.getChannelHeader_asU8())
      .update(header.getSignatureHeader_asU8())
      .update(visiblePayload)
      .digest(),
  };
}

/** Fabric derives a transaction id from the proposal's nonce and creator, so a client cannot choose or reuse one. */
function checkTransactionId(txId: string, signatureHeader: common.SignatureHeader): void {
  const expected = createHash('sha256')
    .update(signatureHeader.getNonce_asU8())
    .update(signatureHeader.getCreator_asU8())
    .digest('hex');
  if (txId !== expected) {
    throw new MalformedRequestError(`incorrectly formed transaction id ${txId}`);
  }
}

function asBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
}
