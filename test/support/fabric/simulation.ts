import { status as GrpcStatus, type ServerErrorResponse } from '@grpc/grpc-js';
import type { peer } from '@hyperledger/fabric-protos';
import type {
  ChaincodeExecutor,
  Invoker,
  TransactionRequest,
  TransactionResult,
} from '../../../src/ledger/chaincode-executor.js';
import { gatewayError, MalformedRequestError, type ErrorDetail } from './gateway-errors.js';
import type { EndorsingPeer } from './endorsing-peer.js';
import type { Ledger } from './ledger.js';
import { AccessDeniedError, type MspVerifier } from './msp-verifier.js';
import { parseProposal, type ParsedProposal } from './proposal.js';

/**
 * A proposal the endorsing peer refused or the chaincode failed, with the gRPC code Fabric's
 * gateway derives from the peer's answer (its `responseStatus`): a failed check before execution
 * is FAILED_PRECONDITION, a failure of the chaincode runtime ABORTED, a contract error UNKNOWN.
 */
export class EndorserError extends Error {
  readonly code: GrpcStatus;

  constructor(code: GrpcStatus, message: string) {
    super(message);
    this.name = 'EndorserError';
    this.code = code;
  }
}

export interface Simulation {
  readonly proposal: ParsedProposal;
  readonly result: TransactionResult;
}

export interface SimulatorOptions {
  readonly executor: ChaincodeExecutor;
  readonly channel: string;
  readonly chaincode: string;
  readonly verifier: MspVerifier;
  readonly endorser: EndorsingPeer;
  readonly ledger: Ledger;
}

/** The endorsing peer's ProcessProposal: decode, check the signer, run the chaincode on committed state. */
export class Simulator {
  readonly #options: SimulatorOptions;

  constructor(options: Readonly<SimulatorOptions>) {
    this.#options = options;
  }

  /**
   * Throws a ServerErrorResponse for a request the gateway itself refuses, and EndorserError
   * for one the peer or the chaincode refuses (each call reports those differently).
   */
  async simulate(signed: peer.SignedProposal | undefined, call: 'evaluate' | 'endorse'): Promise<Simulation> {
    const { executor, ledger } = this.#options;
    const proposal = this.#parse(signed, call);
    const invoker = this.#verify(proposal);
    const request: TransactionRequest = {
      txId: proposal.txId,
      timestamp: proposal.timestamp,
      invoker,
      fn: proposal.fn,
      args: proposal.args,
      transient: proposal.transient,
    };
    const result = await executor.execute(request, ledger.state).catch((err: unknown) => {
      throw new EndorserError(
        GrpcStatus.ABORTED,
        `chaincode execution failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    if (result.status < 200 || result.status >= 400) {
      throw new EndorserError(GrpcStatus.UNKNOWN, `chaincode response ${result.status}, ${result.message}`);
    }
    return { proposal, result };
  }

  /** One endpoint's report of `error`, as the gateway attaches it to its own error. */
  errorDetail(error: EndorserError): ErrorDetail {
    return { address: this.#options.endorser.address, mspId: this.#options.endorser.mspId, message: error.message };
  }

  #verify(proposal: ParsedProposal): Invoker {
    const { creator, signedBytes, signature } = proposal;
    try {
      return this.#options.verifier.verify({ creator, data: signedBytes, signature });
    } catch (err) {
      if (!(err instanceof AccessDeniedError)) throw err;
      // As a Fabric peer words it: the channel's MSPs refused the creator.
      const reason = err.message.replace(/^access denied: /, '');
      throw new EndorserError(
        GrpcStatus.FAILED_PRECONDITION,
        `error validating proposal: access denied: channel [${this.#options.channel}] ${reason}`,
      );
    }
  }

  #parse(signed: peer.SignedProposal | undefined, call: 'evaluate' | 'endorse'): ParsedProposal {
    const { channel, chaincode } = this.#options;
    let proposal: ParsedProposal;
    try {
      proposal = parseProposal(signed);
    } catch (err) {
      throw err instanceof MalformedRequestError ? gatewayError(GrpcStatus.INVALID_ARGUMENT, err.message) : err;
    }
    if (proposal.channelId !== channel) {
      throw unknownChannel(proposal.channelId, proposal.chaincodeId, call);
    }
    if (proposal.chaincodeId !== chaincode) {
      throw notServedHere(`no peers available to evaluate chaincode ${proposal.chaincodeId} in channel ${channel}`);
    }
    return proposal;
  }
}

/**
 * What Fabric 2.5's gateway answers for a channel its peer has not joined: evaluate looks up the
 * channel's configuration first (UNAVAILABLE), endorse its chaincode's endorsement plan.
 */
function unknownChannel(channel: string, chaincode: string, call: 'evaluate' | 'endorse'): ServerErrorResponse {
  return call === 'evaluate'
    ? gatewayError(
        GrpcStatus.UNAVAILABLE,
        `failed to get config for channel [${channel}]: could not get last config for channel ${channel}`,
      )
    : gatewayError(
        GrpcStatus.FAILED_PRECONDITION,
        `no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode ${chaincode} in channel ${channel}`,
      );
}

/** This gateway knows one channel and chaincode; Fabric answers others as having no peers to ask. */
function notServedHere(message: string): ServerErrorResponse {
  return gatewayError(GrpcStatus.FAILED_PRECONDITION, message);
}
