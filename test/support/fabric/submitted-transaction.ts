import { common, peer } from '@hyperledger/fabric-protos';
import { MalformedRequestError } from './gateway-errors.js';
import { decodeReadWriteSet, type ReadWriteSet } from './rwset.js';

/** What the orderer and committer need from a signed transaction envelope. */
export interface SubmittedTransaction {
  readonly txId: string;
  readonly channelId: string;
  /** The client's serialized msp.SerializedIdentity from the signature header. */
  readonly creator: Uint8Array;
  /** The bytes the client signed (the envelope payload) and its signature. */
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
  readonly proposalResponsePayload: Uint8Array;
  readonly endorsements: readonly peer.Endorsement[];
  readonly rwset: ReadWriteSet;
  readonly event: peer.ChaincodeEvent | null;
}

/** Decodes an endorser transaction envelope as a committer reads it; throws MalformedRequestError. */
export function parseSubmittedTransaction(envelope: common.Envelope, namespace: string): SubmittedTransaction {
  try {
    return decode(envelope, namespace);
  } catch (err) {
    throw err instanceof MalformedRequestError
      ? err
      : new MalformedRequestError(`malformed transaction envelope: ${String(err)}`);
  }
}

function decode(envelope: common.Envelope, namespace: string): SubmittedTransaction {
  const payloadBytes = envelope.getPayload_asU8();
  const payload = common.Payload.deserializeBinary(payloadBytes);
  const header = payload.getHeader();
  if (!header) {
    throw new MalformedRequestError('transaction envelope has no header');
  }
  const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
  const [action] = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList();
  const endorsedAction = action && peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8()).getAction();
  if (!endorsedAction) {
    throw new MalformedRequestError('transaction has no endorsed action');
  }
  const responsePayload = endorsedAction.getProposalResponsePayload_asU8();
  const chaincodeAction = peer.ChaincodeAction.deserializeBinary(
    peer.ProposalResponsePayload.deserializeBinary(responsePayload).getExtension_asU8(),
  );
  const eventBytes = chaincodeAction.getEvents_asU8();
  return {
    txId: channelHeader.getTxId(),
    channelId: channelHeader.getChannelId(),
    creator: signatureHeader.getCreator_asU8(),
    payload: payloadBytes,
    signature: envelope.getSignature_asU8(),
    proposalResponsePayload: responsePayload,
    endorsements: endorsedAction.getEndorsementsList(),
    rwset: decodeReadWriteSet(chaincodeAction.getResults_asU8(), namespace),
    event: eventBytes.length > 0 ? peer.ChaincodeEvent.deserializeBinary(eventBytes) : null,
  };
}
