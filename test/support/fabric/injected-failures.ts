import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ErrorDetail, InjectedFailure } from './gateway-errors.js';

export type FailureKind = 'evaluate' | 'endorse' | 'submit' | 'commitStatus' | 'chaincodeEvents';

/** What a test overrides of a kind's default failure. */
export interface FailureOverrides extends Partial<InjectedFailure> {
  /**
   * Submit only: the orderer still accepts and commits the transaction, and only the answer fails,
   * as when the connection drops after the orderer took the transaction.
   */
  readonly afterOrdering?: boolean;
}

export interface PendingFailure extends InjectedFailure {
  readonly afterOrdering: boolean;
}

/** Failures queued for the next calls of each kind, first in first out. */
export class InjectedFailures {
  readonly #queues = new Map<FailureKind, PendingFailure[]>();
  readonly #endpoint: Omit<ErrorDetail, 'message'>;

  constructor(endpoint: Omit<ErrorDetail, 'message'>) {
    this.#endpoint = endpoint;
  }

  add(kind: FailureKind, overrides: FailureOverrides = {}): void {
    const failure = { ...this.#defaultFailure(kind), ...overrides };
    const queue = this.#queues.get(kind) ?? [];
    queue.push({ ...failure, afterOrdering: overrides.afterOrdering ?? false });
    this.#queues.set(kind, queue);
  }

  take(kind: FailureKind): PendingFailure | undefined {
    return this.#queues.get(kind)?.shift();
  }

  /** What Fabric's gateway answers when the one endorser, or every orderer, fails. */
  #defaultFailure(kind: FailureKind): InjectedFailure {
    const detail = (message: string): ErrorDetail[] => [{ ...this.#endpoint, message }];
    switch (kind) {
      case 'evaluate':
        return {
          code: GrpcStatus.UNAVAILABLE,
          message: 'failed to evaluate transaction, see attached details for more info',
          details: detail('injected evaluate failure'),
        };
      case 'endorse':
        // An endorser that did not answer, as Fabric's gateway reports its gRPC failure.
        return {
          code: GrpcStatus.ABORTED,
          message: 'failed to endorse transaction, see attached details for more info',
          details: detail('rpc error: code = Unavailable desc = injected endorsement failure'),
        };
      case 'submit':
        return {
          code: GrpcStatus.UNAVAILABLE,
          message: 'no orderers could successfully process transaction',
          details: detail('injected broadcast failure'),
        };
      case 'commitStatus':
        return { code: GrpcStatus.UNAVAILABLE, message: 'injected commit status failure' };
      case 'chaincodeEvents':
        return { code: GrpcStatus.UNAVAILABLE, message: 'injected chaincode events failure' };
    }
  }
}
