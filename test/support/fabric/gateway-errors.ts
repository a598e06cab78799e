import { Metadata, status as GrpcStatus, type ServerErrorResponse } from '@grpc/grpc-js';
import { gateway, google } from '@hyperledger/fabric-protos';
import anyPb from 'google-protobuf/google/protobuf/any_pb.js';

/** One endpoint's part in a failure, as Fabric's gateway attaches it (the client's GatewayError.details). */
export interface ErrorDetail {
  readonly address: string;
  readonly mspId: string;
  readonly message: string;
}

/** A failure for a test to inject into the next call of one kind (see FabricGatewayServer.failNext). */
export interface InjectedFailure {
  readonly code: GrpcStatus;
  readonly message: string;
  readonly details?: readonly ErrorDetail[];
}

/** A request that cannot be decoded or does not fit this gateway: INVALID_ARGUMENT, as Fabric answers it. */
export class MalformedRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedRequestError';
  }
}

/**
 * A gRPC error as Fabric's gateway sends it: the status code and message, plus a google.rpc.Status
 * in the `grpc-status-details-bin` trailer whose details are gateway.ErrorDetail messages.
 */
export function gatewayError(
  code: GrpcStatus,
  message: string,
  details: readonly ErrorDetail[] = [],
): ServerErrorResponse {
  const status = new google.rpc.Status();
  status.setCode(code);
  status.setMessage(message);
  status.setDetailsList(details.map(packErrorDetail));
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(status.serializeBinary()));
  return Object.assign(new Error(message), { code, details: message, metadata });
}

function packErrorDetail(detail: ErrorDetail): anyPb.Any {
  const message = new gateway.ErrorDetail();
  message.setAddress(detail.address);
  message.setMspId(detail.mspId);
  message.setMessage(detail.message);
  const packed = new anyPb.Any();
  packed.pack(message.serializeBinary(), 'gateway.ErrorDetail');
  return packed;
}
