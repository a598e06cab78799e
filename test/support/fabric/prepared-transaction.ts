import { common, peer } from '@hyperledger/fabric-protos';
import type { TransactionResult } from '../../../src/ledger/chaincode-executor.js';
import type { EndorsingPeer } from './endorsing-peer.js';
import type { ParsedProposal } from './proposal.js';
import { encodeReadWriteSet } from './rwset.js';

/**
 * Endorses a successful simulation and assembles the unsigned transaction envelope the client
 * signs and submits, laid out as Fabric's protoutil.CreateTx does:
 * Payload{ header, Transaction{ [TransactionAction{ signature header, ChaincodeActionPayload{
 * visible proposal payload, ChaincodeEndorsedAction{ ProposalResponsePayload, endorsements } } }] } }.
 */
export async function prepareTransaction(
  proposal: ParsedProposal,
  result: TransactionResult,
  endorser: EndorsingPeer,
): Promise<common.Envelope> {
  const responsePayload = proposalResponsePayload(proposal, result).serializeBinary();
  const endorsedAction = new peer.ChaincodeEndorsedAction();
  endorsedAction.setProposalResponsePayload(responsePayload);
  endorsedAction.setEndorsementsList([await endorser.endorse(responsePayload)]);

  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(proposal.visiblePayload);
  actionPayload.setAction(endorsedAction);

  const action = new peer.TransactionAction();
  action.setHeader(proposal.header.getSignatureHeader_asU8());
  action.setPayload(actionPayload.serializeBinary());

  const transaction = new peer.Transaction();
  transaction.setActionsList([action]);

  const payload = new common.Payload();
  payload.setHeader(proposal.header);
  payload.setData(transaction.serializeBinary());

  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  return envelope;
}

/** What the peer vouches for: the proposal it ran (by hash) and the ChaincodeAction it produced. */
function proposalResponsePayload(proposal: ParsedProposal, result: TransactionResult): peer.ProposalResponsePayload {
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(proposal.chaincodeId);

  const response = new peer.Response();
  response.setStatus(result.status);
  response.setMessage(result.message);
  response.setPayload(result.payload);

  const action = new peer.ChaincodeAction();
  action.setResults(encodeReadWriteSet(proposal.chaincodeId, result));
  action.setEvents(result.event ? chaincodeEvent(proposal, result.event).serializeBinary() : new Uint8Array(0));
  action.setResponse(response);
  action.setChaincodeId(chaincodeId);

  const payload = new peer.ProposalResponsePayload();
  payload.setProposalHash(proposal.proposalHash);
  payload.setExtension$(action.serializeBinary());
  return payload;
}

function chaincodeEvent(proposal: ParsedProposal, event: NonNullable<TransactionResult['event']>): peer.ChaincodeEvent {
  const result = new peer.ChaincodeEvent();
  result.setChaincodeId(proposal.chaincodeId);
  result.setTxId(proposal.txId);
  result.setEventName(event.name);
  result.setPayload(event.payload);
  return result;
}
