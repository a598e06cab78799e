import type { ServerWritableStream } from '@grpc/grpc-js';
import { gateway, orderer, peer } from '@hyperledger/fabric-protos';
import { MalformedRequestError } from './gateway-errors.js';
import type { Block, Ledger } from './ledger.js';

type EventMatcher = (event: peer.ChaincodeEvent) => boolean;

/**
 * Where a chaincode events stream starts, as Fabric's gateway decides it: the block holding
 * `after_transaction_id` when the ledger has it, else the seek position. Specified is that block;
 * next commit (the client's default) and an unset position are the next block to be committed.
 * Fabric's gateway refuses oldest and newest; here oldest is the genesis block and newest the
 * last committed block, as the Deliver service reads them.
 */
export function chaincodeEventsStartBlock(
  request: gateway.ChaincodeEventsRequest,
  ledger: Pick<Ledger, 'height' | 'transaction'>,
): number {
  const afterTransaction = ledger.transaction(request.getAfterTransactionId());
  if (afterTransaction) {
    return afterTransaction.blockNumber;
  }
  const position = request.getStartPosition();
  const Type = orderer.SeekPosition.TypeCase;
  switch (position?.getTypeCase() ?? Type.TYPE_NOT_SET) {
    case Type.SPECIFIED:
      return position?.getSpecified()?.getNumber() ?? 0;
    case Type.OLDEST:
      return 0;
    case Type.NEWEST:
      return ledger.height - 1;
    case Type.NEXT_COMMIT:
    case Type.TYPE_NOT_SET:
      return ledger.height;
    default:
      throw new MalformedRequestError('invalid start position type');
  }
}

/**
 * Streams the chaincode's events from committed blocks, then live ones, one response per block
 * that has any. With `after_transaction_id`, every event up to and including that transaction's
 * is skipped, which is how the client resumes from a checkpoint inside a block. The stream ends
 * only when the client cancels it or the connection drops.
 */
export function streamChaincodeEvents(
  call: ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>,
  request: gateway.ChaincodeEventsRequest,
  ledger: Ledger,
): void {
  const startBlock = chaincodeEventsStartBlock(request, ledger);
  const matches = eventMatcher(request);
  const send = (block: Block): void => {
    if (block.number < startBlock) {
      return;
    }
    const events = block.transactions
      .flatMap((transaction) => (transaction.event ? [transaction.event] : []))
      .filter(matches);
    if (events.length > 0) {
      const response = new gateway.ChaincodeEventsResponse();
      response.setBlockNumber(block.number);
      response.setEventsList(events);
      call.write(response);
    }
  };
  // Committed blocks are sent and the listener added in one synchronous step, so no block falls in between.
  ledger.blocksFrom(startBlock).forEach(send);
  const unsubscribe = ledger.onBlock(send);
  call.once('cancelled', unsubscribe);
  call.once('close', unsubscribe);
}

function eventMatcher(request: gateway.ChaincodeEventsRequest): EventMatcher {
  const chaincodeId = request.getChaincodeId();
  const afterTransactionId = request.getAfterTransactionId();
  let passedAfterTransaction = afterTransactionId === '';
  return (event) => {
    if (!passedAfterTransaction) {
      passedAfterTransaction = event.getTxId() === afterTransactionId;
      return false;
    }
    return event.getChaincodeId() === chaincodeId;
  };
}
