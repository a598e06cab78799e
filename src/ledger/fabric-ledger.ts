import * as grpc from '@grpc/grpc-js';
import { connect, hash, type Checkpointer, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import { queryChannelStatus, type FabricChannelStatus } from './fabric-channel-status.js';
import { commitFailure, isReadConflict, toLedgerError } from './fabric-errors.js';
import { FabricEventStream } from './fabric-event-stream.js';
import type { FabricIdentityProvider, FabricSigningIdentity } from './fabric-identities.js';
import { LedgerError } from './ledger-error.js';
import type { Committed, Ledger, LedgerActor, LedgerEventStream } from './ledger.js';

/** Per-call gRPC deadlines, in milliseconds. */
export interface FabricDeadlines {
  readonly evaluateMs: number;
  readonly endorseMs: number;
  readonly submitMs: number;
  /** How long to wait for the block that commits a submitted transaction. */
  readonly commitStatusMs: number;
}

export interface FabricLedgerOptions {
  /** The gateway peer, `host:port`. */
  readonly peerEndpoint: string;
  /** PEM of the CA that signed the peer's TLS certificate; absent: plaintext gRPC. */
  readonly tlsRootCertPem?: string;
  /** The name the peer's TLS certificate carries, when it differs from the endpoint's host. */
  readonly hostnameOverride?: string;
  readonly channel: string;
  readonly chaincode: string;
  readonly identities: FabricIdentityProvider;
  readonly deadlines?: Partial<FabricDeadlines>;
  /** Fresh endorsements after an MVCC read conflict; default 3. */
  readonly maxConflictRetries?: number;
}

/** Fabric's own sample defaults: commits wait for a block, which can take a while under load. */
export const DEFAULT_FABRIC_DEADLINES: FabricDeadlines = {
  evaluateMs: 5_000,
  endorseMs: 15_000,
  submitMs: 5_000,
  commitStatusMs: 60_000,
};

const utf8 = new TextDecoder();
/** Cache key of the gateway's own identity; actor keys are JSON arrays, so never equal. */
const GATEWAY_KEY = 'gateway';

/**
 * The ledger on a Fabric peer through fabric-gateway. One gRPC connection serves every
 * identity; each actor signs with its own enrolled certificate, whose attributes the
 * chaincode checks. Writes resolve only once committed in a block.
 */
export class FabricLedger implements Ledger {
  readonly #options: Readonly<FabricLedgerOptions>;
  readonly #deadlines: FabricDeadlines;
  readonly #client: grpc.Client;
  readonly #gateways = new Map<string, Promise<Gateway>>();
  readonly #streams = new Set<FabricEventStream>();
  #closed = false;

  constructor(options: Readonly<FabricLedgerOptions>) {
    this.#options = options;
    this.#deadlines = { ...DEFAULT_FABRIC_DEADLINES, ...options.deadlines };
    this.#client = newGrpcClient(options);
  }

  async submit(actor: LedgerActor, fn: string, args: readonly string[]): Promise<Committed> {
    const contract = await this.#contractFor(actor);
    const maxRetries = this.#options.maxConflictRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      // Each attempt is a new proposal with a new transaction id, endorsed against current state.
      const submitted = await contract.submitAsync(fn, { arguments: [...args] }).catch((err: unknown) => {
        throw toLedgerError(err);
      });
      const txId = submitted.getTransactionId();
      const status = await submitted.getStatus().catch((err: unknown) => {
        throw toLedgerError(err, txId);
      });
      if (status.successful) {
        return { result: utf8.decode(submitted.getResult()), txId, blockNumber: status.blockNumber };
      }
      if (!isReadConflict(status.code) || attempt >= maxRetries) throw commitFailure(status);
    }
  }

  async evaluate(actor: LedgerActor, fn: string, args: readonly string[]): Promise<string> {
    const contract = await this.#contractFor(actor);
    const proposal = contract.newProposal(fn, { arguments: [...args] });
    try {
      return utf8.decode(await proposal.evaluate());
    } catch (err) {
      throw toLedgerError(err, proposal.getTransactionId());
    }
  }

  async events(checkpointer: Checkpointer): Promise<LedgerEventStream> {
    const gateway = await this.#gateway(GATEWAY_KEY, () => this.#options.identities.gatewayIdentity());
    const network = gateway.getNetwork(this.#options.channel);
    // The checkpoint's position wins when it has one; block 0 (the genesis block) is the
    // start of the channel, so a new checkpointer sees every event ever emitted.
    const events = await network
      .getChaincodeEvents(this.#options.chaincode, { checkpoint: checkpointer, startBlock: 0n })
      .catch((err: unknown) => {
        throw toLedgerError(err);
      });
    const stream = new FabricEventStream(events, () => this.#streams.delete(stream));
    this.#streams.add(stream);
    return stream;
  }

  /**
   * The channel as the peer sees it, asked as the gateway's own identity: height, the chaincode's
   * committed definition, the MSP. Rejects with a LedgerError when the peer does not answer.
   */
  async channelStatus(): Promise<FabricChannelStatus> {
    const own = await this.#options.identities.gatewayIdentity();
    const gateway = await this.#gateway(GATEWAY_KEY, () => Promise.resolve(own));
    return queryChannelStatus(
      gateway.getNetwork(this.#options.channel),
      this.#options.chaincode,
      own.identity.mspId,
    ).catch((err: unknown) => {
      throw toLedgerError(err);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    [...this.#streams].forEach((stream) => {
      stream.close();
    });
    const gateways = await Promise.allSettled(this.#gateways.values());
    gateways.forEach((gateway) => {
      if (gateway.status === 'fulfilled') gateway.value.close();
    });
    this.#gateways.clear();
    this.#client.close();
  }

  async #contractFor(actor: LedgerActor): Promise<Contract> {
    const gateway = await this.#gateway(actorKey(actor), () => this.#options.identities.identityFor(actor));
    return gateway.getNetwork(this.#options.channel).getContract(this.#options.chaincode);
  }

  #gateway(key: string, identity: () => Promise<FabricSigningIdentity>): Promise<Gateway> {
    if (this.#closed) {
      return Promise.reject(
        new LedgerError('unavailable', `the Fabric ledger at ${this.#options.peerEndpoint} is closed`),
      );
    }
    let gateway = this.#gateways.get(key);
    if (gateway === undefined) {
      gateway = identity().then(
        (signing) => this.#connect(signing),
        (err: unknown) => {
          // A failed lookup (an actor not yet enrolled) is not remembered.
          this.#gateways.delete(key);
          throw err;
        },
      );
      this.#gateways.set(key, gateway);
    }
    return gateway;
  }

  #connect({ identity, signer }: FabricSigningIdentity): Gateway {
    const within = (ms: number) => (): grpc.CallOptions => ({ deadline: Date.now() + ms });
    return connect({
      client: this.#client,
      identity,
      signer,
      hash: hash.sha256,
      evaluateOptions: within(this.#deadlines.evaluateMs),
      endorseOptions: within(this.#deadlines.endorseMs),
      submitOptions: within(this.#deadlines.submitMs),
      commitStatusOptions: within(this.#deadlines.commitStatusMs),
    });
  }
}

function newGrpcClient(options: Readonly<FabricLedgerOptions>): grpc.Client {
  if (options.tlsRootCertPem === undefined) {
    return new grpc.Client(options.peerEndpoint, grpc.credentials.createInsecure());
  }
  const channelOptions: grpc.ChannelOptions =
    options.hostnameOverride === undefined ? {} : { 'grpc.ssl_target_name_override': options.hostnameOverride };
  return new grpc.Client(
    options.peerEndpoint,
    grpc.credentials.createSsl(Buffer.from(options.tlsRootCertPem)),
    channelOptions,
  );
}

/** Actors with the same attributes are the same certificate, so they share a Gateway. */
function actorKey(actor: LedgerActor): string {
  return JSON.stringify([actor.user, actor.role, actor.jurisdiction, actor.patient, actor.delegateFor]);
}
