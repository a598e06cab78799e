import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { gateway } from '@hyperledger/fabric-protos';
import type { ChaincodeExecutor } from '../../../src/ledger/chaincode-executor.js';
import { EndorsingPeer } from './endorsing-peer.js';
import { createGatewayService } from './gateway-service.js';
import { createTestCertificateAuthority } from './identities.js';
import { InjectedFailures, type FailureKind, type FailureOverrides } from './injected-failures.js';
import { Ledger } from './ledger.js';
import { MspVerifier, type TrustedMsp } from './msp-verifier.js';
import { Orderer } from './orderer.js';
import { Simulator } from './simulation.js';

export type { ErrorDetail, InjectedFailure } from './gateway-errors.js';
export type { FailureKind, FailureOverrides } from './injected-failures.js';
export type { TrustedMsp } from './msp-verifier.js';

export interface FabricGatewayServerOptions {
  /** Runs the chaincode: the contract the channel's one chaincode holds. */
  readonly executor: ChaincodeExecutor;
  readonly channel: string;
  readonly chaincode: string;
  /** MSP of the gateway's peer, whose identity signs endorsements; default `Org1MSP`. */
  readonly mspId?: string;
  /**
   * MSPs whose members may call, each with its root CA (a TestCertificateAuthority fits). Absent:
   * any MSP, and a certificate is only checked against its own signature.
   */
  readonly trustedMsps?: readonly TrustedMsp[];
}

/** A Fabric Gateway service (`gateway.Gateway`) for one channel and chaincode, backed by an in-memory ledger. */
export interface FabricGatewayServer {
  /** `127.0.0.1:<port>`, for `new grpc.Client(address, grpc.credentials.createInsecure())`. */
  readonly address: string;
  /** Committed blocks, the genesis block 0 included: the number the next block gets. */
  blockHeight(): number;
  /** Keeps submitted transactions pending (CommitStatus waits) until cutBlock(). */
  holdTransactions(): void;
  /** How many submitted transactions are waiting for a block. */
  pendingTransactions(): number;
  /** Commits every pending transaction as one block, in submission order; returns its number (undefined: none pending). */
  cutBlock(): number | undefined;
  /** Cuts every client connection at the socket, active calls and streams included; new connections are accepted. */
  dropConnections(): void;
  /**
   * Fails the next call of `kind` with a gRPC error. Defaults are what Fabric's gateway answers when
   * its endorser or orderers fail (e.g. endorse: ABORTED with one ErrorDetail).
   */
  failNext(kind: FailureKind, failure?: FailureOverrides): void;
  close(): Promise<void>;
}

/** Starts the server on an ephemeral port of 127.0.0.1. */
export async function startFabricGatewayServer(
  options: Readonly<FabricGatewayServerOptions>,
): Promise<FabricGatewayServer> {
  const mspId = options.mspId ?? 'Org1MSP';
  const peerCa = await createTestCertificateAuthority(mspId);
  const peerIdentity = await peerCa.issue('peer0', { type: 'peer' });

  const grpcServer = new Server();
  // Connections come from our own listener, so dropConnections() can cut their sockets.
  const injector = grpcServer.createConnectionInjector(ServerCredentials.createInsecure());
  const sockets = new Set<Socket>();
  const listener = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    injector.injectConnection(socket);
  });
  const address = await listen(listener);

  const endorser = new EndorsingPeer(peerIdentity, address);
  const ledger = new Ledger(endorser);
  const orderer = new Orderer(ledger);
  const verifier = new MspVerifier(options.trustedMsps);
  const failures = new InjectedFailures({ address, mspId });
  const simulator = new Simulator({ ...options, verifier, endorser, ledger });
  grpcServer.addService(
    gateway.GatewayService,
    createGatewayService({
      channel: options.channel,
      chaincode: options.chaincode,
      simulator,
      verifier,
      endorser,
      ledger,
      orderer,
      failures,
    }),
  );

  const dropConnections = (): void => {
    sockets.forEach((socket) => socket.destroy());
  };
  return {
    address,
    blockHeight: () => ledger.height,
    holdTransactions: () => {
      orderer.hold();
    },
    pendingTransactions: () => orderer.pendingCount,
    cutBlock: () => orderer.cutBlock(),
    dropConnections,
    failNext: (kind, failure) => {
      failures.add(kind, failure);
    },
    close: async () => {
      orderer.stop();
      dropConnections();
      injector.destroy();
      grpcServer.forceShutdown();
      await new Promise<void>((resolve) =>
        listener.close(() => {
          resolve();
        }),
      );
    },
  };
}

function listen(server: NetServer): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { address, port } = server.address() as AddressInfo;
      resolve(`${address}:${port}`);
    });
  });
}
