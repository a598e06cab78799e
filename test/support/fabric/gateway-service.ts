import {
  status as GrpcStatus,
  type sendUnaryData,
  type ServerErrorResponse,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { gateway, peer, type common } from '@hyperledger/fabric-protos';
import { streamChaincodeEvents } from './chaincode-events.js';
import type { EndorsingPeer } from './endorsing-peer.js';
import { gatewayError, MalformedRequestError } from './gateway-errors.js';
import type { FailureKind, InjectedFailures } from './injected-failures.js';
import type { Ledger } from './ledger.js';
import { AccessDeniedError, type MspVerifier, type SignedData } from './msp-verifier.js';
import type { Orderer } from './orderer.js';
import { prepareTransaction } from './prepared-transaction.js';
import { EndorserError, type Simulator } from './simulation.js';
import { parseSubmittedTransaction, type SubmittedTransaction } from './submitted-transaction.js';

export interface GatewayServiceOptions {
  readonly channel: string;
  readonly chaincode: string;
  readonly simulator: Simulator;
  readonly verifier: MspVerifier;
  readonly endorser: EndorsingPeer;
  readonly ledger: Ledger;
  readonly orderer: Orderer;
  readonly failures: InjectedFailures;
}

/** The handlers of `gateway.Gateway`, answering as Fabric's gateway does (codes, messages, error details). */
export function createGatewayService(options: Readonly<GatewayServiceOptions>): gateway.IGatewayServer {
  const handlers = new GatewayHandlers(options);
  return {
    evaluate: unary((request: gateway.EvaluateRequest) => handlers.evaluate(request)),
    endorse: unary((request: gateway.EndorseRequest) => handlers.endorse(request)),
    submit: unary((request: gateway.SubmitRequest) => handlers.submit(request)),
    commitStatus: unary((request: gateway.SignedCommitStatusRequest, call) => handlers.commitStatus(request, call)),
    chaincodeEvents: (call) => {
      handlers.chaincodeEvents(call);
    },
  };
}

type UnaryHandler<Request, Response> = (
  request: Request,
  call: ServerUnaryCall<Request, Response>,
) => Response | Promise<Response>;

function unary<Request, Response>(
  handler: UnaryHandler<Request, Response>,
): (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => void {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request, call))
      .then(
        (response) => {
          callback(null, response);
        },
        (err: unknown) => {
          callback(asServiceError(err));
        },
      );
  };
}

class GatewayHandlers {
  readonly #options: Readonly<GatewayServiceOptions>;

  constructor(options: Readonly<GatewayServiceOptions>) {
    this.#options = options;
  }

  async evaluate(request: gateway.EvaluateRequest): Promise<gateway.EvaluateResponse> {
    const { simulator } = this.#options;
    this.#failIfInjected('evaluate');
    try {
      const { result } = await simulator.simulate(request.getProposedTransaction(), 'evaluate');
      const response = new peer.Response();
      response.setStatus(result.status);
      response.setMessage(result.message);
      response.setPayload(result.payload);
      const evaluateResponse = new gateway.EvaluateResponse();
      evaluateResponse.setResult(response);
      return evaluateResponse;
    } catch (err) {
      if (err instanceof EndorserError) {
        throw gatewayError(err.code, `evaluate call to endorser returned error: ${err.message}`, [
          simulator.errorDetail(err),
        ]);
      }
      throw err;
    }
  }

  async endorse(request: gateway.EndorseRequest): Promise<gateway.EndorseResponse> {
    const { simulator, endorser } = this.#options;
    this.#failIfInjected('endorse');
    const unknownOrganisations = request.getEndorsingOrganizationsList().filter((mspId) => mspId !== endorser.mspId);
    if (unknownOrganisations.length > 0) {
      throw gatewayError(
        GrpcStatus.UNAVAILABLE,
        `failed to find any endorsing peers for org(s): ${unknownOrganisations.join(', ')}`,
      );
    }
    try {
      const { proposal, result } = await simulator.simulate(request.getProposedTransaction(), 'endorse');
      const response = new gateway.EndorseResponse();
      response.setPreparedTransaction(await prepareTransaction(proposal, result, endorser));
      return response;
    } catch (err) {
      if (err instanceof EndorserError) {
        const message = 'failed to endorse transaction, see attached details for more info';
        throw gatewayError(GrpcStatus.ABORTED, message, [simulator.errorDetail(err)]);
      }
      throw err;
    }
  }

  /** The orderer's checks (Fabric's gateway relays its refusal), then ordering; answered before the commit. */
  submit(request: gateway.SubmitRequest): gateway.SubmitResponse {
    const { failures, orderer, channel, chaincode, verifier } = this.#options;
    const failure = failures.take('submit');
    const envelope = request.getPreparedTransaction();
    if (!envelope) {
      throw gatewayError(GrpcStatus.INVALID_ARGUMENT, 'a prepared transaction is required');
    }
    if (envelope.getSignature_asU8().length === 0) {
      throw gatewayError(GrpcStatus.INVALID_ARGUMENT, 'prepared transaction must be signed');
    }
    const transaction = parseForOrdering(envelope, chaincode);
    if (transaction.channelId !== channel || request.getChannelId() !== channel) {
      throw gatewayError(GrpcStatus.FAILED_PRECONDITION, `channel '${request.getChannelId()}' not found`);
    }
    if (failure && !failure.afterOrdering) {
      throw gatewayError(failure.code, failure.message, failure.details);
    }
    try {
      verifier.verify({ creator: transaction.creator, data: transaction.payload, signature: transaction.signature });
    } catch (err) {
      throw err instanceof AccessDeniedError ? ordererRefusal('FORBIDDEN', err.message) : err;
    }
    orderer.broadcast(transaction);
    if (failure) {
      throw gatewayError(failure.code, failure.message, failure.details);
    }
    return new gateway.SubmitResponse();
  }

  /** Blocks until the transaction commits, or the call is cancelled (the client's deadline included). */
  async commitStatus(
    signed: gateway.SignedCommitStatusRequest,
    call: ServerUnaryCall<gateway.SignedCommitStatusRequest, gateway.CommitStatusResponse>,
  ): Promise<gateway.CommitStatusResponse> {
    this.#failIfInjected('commitStatus');
    const request = this.#verifySignedRequest(
      signed.getRequest_asU8(),
      signed.getSignature_asU8(),
      'commit status',
      (bytes) => gateway.CommitStatusRequest.deserializeBinary(bytes),
    );
    if (request.getChannelId() !== this.#options.channel) {
      throw gatewayError(GrpcStatus.NOT_FOUND, `channel '${request.getChannelId()}' not found`);
    }
    // grpc-js answers DEADLINE_EXCEEDED by itself but tells the handler nothing, so the wait watches the deadline too.
    const stop = new AbortController();
    call.once('cancelled', () => {
      stop.abort();
    });
    const deadline = call.getDeadline();
    const remainingMs = (deadline instanceof Date ? deadline.getTime() : deadline) - Date.now();
    const timer = Number.isFinite(remainingMs)
      ? setTimeout(
          () => {
            stop.abort();
          },
          Math.max(remainingMs, 0),
        )
      : undefined;
    const transaction = await this.#options.ledger
      .waitForTransaction(request.getTransactionId(), stop.signal)
      .finally(() => {
        clearTimeout(timer);
      });
    const response = new gateway.CommitStatusResponse();
    response.setResult(transaction.code);
    response.setBlockNumber(transaction.blockNumber);
    return response;
  }

  chaincodeEvents(
    call: ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>,
  ): void {
    const { channel, ledger } = this.#options;
    try {
      this.#failIfInjected('chaincodeEvents');
      const request = this.#verifySignedRequest(
        call.request.getRequest_asU8(),
        call.request.getSignature_asU8(),
        'chaincode events',
        (bytes) => gateway.ChaincodeEventsRequest.deserializeBinary(bytes),
      );
      if (request.getChannelId() !== channel) {
        // Fabric checks the channel's Readers policy first, and has no policy manager for it.
        throw gatewayError(
          GrpcStatus.PERMISSION_DENIED,
          `Failed to get policy manager for channel [${request.getChannelId()}]`,
        );
      }
      streamChaincodeEvents(call, request, ledger);
    } catch (err) {
      call.emit('error', asServiceError(err));
    }
  }

  #failIfInjected(kind: FailureKind): void {
    const failure = this.#options.failures.take(kind);
    if (failure) {
      throw gatewayError(failure.code, failure.message, failure.details);
    }
  }

  /** Decodes a signed gateway request; only its own `identity` may have signed it (PERMISSION_DENIED otherwise). */
  #verifySignedRequest<T extends { getIdentity_asU8(): Uint8Array }>(
    bytes: Uint8Array,
    signature: Uint8Array,
    what: string,
    deserialize: (bytes: Uint8Array) => T,
  ): T {
    if (bytes.length === 0) {
      throw gatewayError(GrpcStatus.INVALID_ARGUMENT, `a ${what} request is required`);
    }
    let request: T;
    try {
      request = deserialize(bytes);
    } catch (err) {
      throw gatewayError(GrpcStatus.INVALID_ARGUMENT, `invalid ${what} request: ${String(err)}`);
    }
    const signed: SignedData = { creator: request.getIdentity_asU8(), data: bytes, signature };
    try {
      this.#options.verifier.verify(signed);
    } catch (err) {
      throw err instanceof AccessDeniedError ? gatewayError(GrpcStatus.PERMISSION_DENIED, err.message) : err;
    }
    return request;
  }
}

/** A transaction the orderer cannot read is refused as BAD_REQUEST, which Fabric's gateway relays. */
function parseForOrdering(envelope: common.Envelope, chaincode: string): SubmittedTransaction {
  try {
    return parseSubmittedTransaction(envelope, chaincode);
  } catch (err) {
    throw err instanceof MalformedRequestError ? ordererRefusal('BAD_REQUEST', err.message) : err;
  }
}

function ordererRefusal(status: 'BAD_REQUEST' | 'FORBIDDEN', info: string): ServerErrorResponse {
  return gatewayError(
    GrpcStatus.ABORTED,
    `received unsuccessful response from orderer: status=${status}, info=${info}`,
  );
}

/** Errors already shaped for gRPC pass through; anything else is a defect of this server: INTERNAL. */
function asServiceError(err: unknown): ServerErrorResponse {
  if (err instanceof Error && 'code' in err && typeof err.code === 'number') {
    return err as ServerErrorResponse;
  }
  return gatewayError(
    GrpcStatus.INTERNAL,
    `gateway test server failed: ${err instanceof Error ? err.message : String(err)}`,
  );
}
