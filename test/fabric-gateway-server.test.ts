import { createHash, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  checkpointers,
  CommitError,
  CommitStatusError,
  connect,
  EndorseError,
  GatewayError,
  hash,
  StatusCode,
  type ChaincodeEvent,
  type Contract,
  type Gateway,
  type Network,
} from '@hyperledger/fabric-gateway';
import { common, gateway as gatewayProtos, orderer, peer } from '@hyperledger/fabric-protos';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ChaincodeExecutor,
  TransactionRequest,
  TransactionResult,
  VersionedState,
} from '../src/ledger/chaincode-executor.js';
import { chaincodeEventsStartBlock } from './support/fabric/chaincode-events.js';
import { isValidFabricSignature } from './support/fabric/ecdsa-signature.js';
import { startFabricGatewayServer, type FabricGatewayServer } from './support/fabric/gateway-server.js';
import {
  createTestCertificateAuthority,
  FABRIC_CA_ATTRIBUTES_OID,
  type TestCertificateAuthority,
  type TestIdentity,
} from './support/fabric/identities.js';
import { decodeReadWriteSet } from './support/fabric/rwset.js';

const CHANNEL = 'meridian';
const CHAINCODE = 'kv';
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

/** Lets a number of simulations proceed only once all of them have started, so they read the same versions. */
class Barrier {
  readonly #parties: number;
  readonly #waiting: (() => void)[] = [];

  constructor(parties: number) {
    this.#parties = parties;
  }

  arrive(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      if (this.#waiting.length === this.#parties) {
        this.#waiting.forEach((release) => {
          release();
        });
      }
    });
  }
}

/**
 * A key/value contract: put (blind write, event Put), get, increment (read-modify-write, event
 * Incremented), whoami (the invoker's certificate attributes), fail (a contract error).
 */
class KeyValueExecutor implements ChaincodeExecutor {
  readonly requests: TransactionRequest[] = [];
  incrementBarrier: Barrier | undefined;

  async execute(request: TransactionRequest, state: VersionedState): Promise<TransactionResult> {
    this.requests.push(request);
    const [key = '', value = ''] = request.args;
    switch (request.fn) {
      case 'kv:put':
        return success({
          writes: [{ key, value: bytes(value) }],
          event: { name: 'Put', payload: bytes(`${key}=${value}`) },
        });
      case 'kv:get': {
        const entry = state.get(key);
        return success({ payload: entry?.value, reads: [{ key, version: entry?.version ?? null }] });
      }
      case 'kv:increment':
        await this.incrementBarrier?.arrive();
        return increment(key, state);
      case 'kv:whoami':
        return success({ payload: bytes(JSON.stringify(attributesOf(request))) });
      case 'kv:fail':
        return { status: 500, message: key, payload: new Uint8Array(0), reads: [], writes: [], event: null };
      default:
        return {
          status: 500,
          message: `no function ${request.fn}`,
          payload: new Uint8Array(0),
          reads: [],
          writes: [],
          event: null,
        };
    }
  }
}

function increment(key: string, state: VersionedState): TransactionResult {
  const entry = state.get(key);
  const next = String(Number(entry ? text(entry.value) : '0') + 1);
  return success({
    payload: bytes(next),
    reads: [{ key, version: entry?.version ?? null }],
    writes: [{ key, value: bytes(next) }],
    event: { name: 'Incremented', payload: bytes(`${key}=${next}`) },
  });
}

function attributesOf(request: TransactionRequest): Record<string, string> {
  const extension = new x509.X509Certificate(request.invoker.certificatePem).getExtension(FABRIC_CA_ATTRIBUTES_OID);
  const attributes = extension
    ? (JSON.parse(text(new Uint8Array(extension.value))) as { attrs: Record<string, string> }).attrs
    : {};
  return { mspId: request.invoker.mspId, ...attributes };
}

function success(result: Partial<TransactionResult>): TransactionResult {
  return { status: 200, message: '', payload: new Uint8Array(0), reads: [], writes: [], event: null, ...result };
}

function deadline(ms: number): () => grpc.CallOptions {
  return () => ({ deadline: Date.now() + ms });
}

interface Connection {
  readonly gateway: Gateway;
  readonly network: Network;
  readonly contract: Contract;
  close(): void;
}

function connectAs(address: string, identity: TestIdentity, signer = identity.signer): Connection {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const gateway = connect({
    client,
    identity: identity.identity,
    signer,
    hash: hash.sha256,
    evaluateOptions: deadline(5_000),
    endorseOptions: deadline(5_000),
    submitOptions: deadline(5_000),
    commitStatusOptions: deadline(5_000),
  });
  const network = gateway.getNetwork(CHANNEL);
  return {
    gateway,
    network,
    contract: network.getContract(CHAINCODE, 'kv'),
    close: () => {
      gateway.close();
      client.close();
    },
  };
}

/** The next `count` events, or the iterator's error. */
async function nextEvents(iterator: AsyncIterator<ChaincodeEvent>, count: number): Promise<ChaincodeEvent[]> {
  const events: ChaincodeEvent[] = [];
  while (events.length < count) {
    const next = await iterator.next();
    if (next.done) {
      throw new Error(`event stream ended after ${events.length} events`);
    }
    events.push(next.value);
  }
  return events;
}

const payloads = (events: readonly ChaincodeEvent[]): string[] => events.map((event) => text(event.payload));

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('Fabric Gateway test server with the real fabric-gateway client', () => {
  const executor = new KeyValueExecutor();
  let ca: TestCertificateAuthority;
  let alice: TestIdentity;
  let server: FabricGatewayServer;
  let connection: Connection;
  let contract: Contract;
  let network: Network;

  beforeAll(async () => {
    ca = await createTestCertificateAuthority('Org1MSP');
    alice = await ca.issue('alice', { attributes: { 'meridian.role': 'compliance_officer' } });
    server = await startFabricGatewayServer({ executor, channel: CHANNEL, chaincode: CHAINCODE, trustedMsps: [ca] });
    connection = connectAs(server.address, alice);
    ({ contract, network } = connection);
  });

  afterAll(async () => {
    connection.close();
    await server.close();
  });

  describe('transactions', () => {
    it('evaluates against committed state and submits writes that later evaluations see', async () => {
      expect(text(await contract.evaluateTransaction('get', 'greeting'))).toBe('');

      const heightBefore = server.blockHeight();
      const result = await contract.submitTransaction('put', 'greeting', 'hello');

      expect(text(result)).toBe('');
      expect(server.blockHeight()).toBe(heightBefore + 1);
      expect(text(await contract.evaluateTransaction('get', 'greeting'))).toBe('hello');
    });

    it('reports commit status with the block number, after waiting for the block to be cut', async () => {
      server.holdTransactions();
      const transaction = await contract.newProposal('put', { arguments: ['held', 'v1'] }).endorse();
      const submitted = await transaction.submit();

      const timedOut = await rejectionOf(submitted.getStatus({ deadline: Date.now() + 200 }));
      expect(timedOut).toBeInstanceOf(CommitStatusError);
      expect((timedOut as CommitStatusError).code).toBe(grpc.status.DEADLINE_EXCEEDED);

      const status = submitted.getStatus();
      expect(server.pendingTransactions()).toBe(1);
      const blockNumber = server.cutBlock();

      await expect(status).resolves.toEqual({
        blockNumber: BigInt(blockNumber ?? -1),
        code: StatusCode.VALID,
        successful: true,
        transactionId: transaction.getTransactionId(),
      });
    });

    it('gives the contract the transaction id, timestamp, invoker, arguments and transient data', async () => {
      const proposal = contract.newProposal('put', { arguments: ['shape', 'x'], transientData: { secret: 'hush' } });
      const before = Date.now();
      await (await proposal.endorse()).submit();

      const request = executor.requests.at(-1)!;
      expect(request).toMatchObject({ txId: proposal.getTransactionId(), fn: 'kv:put', args: ['shape', 'x'] });
      expect(request.invoker).toEqual({ mspId: 'Org1MSP', certificatePem: alice.certificatePem });
      expect(request.timestamp.getTime()).toBeGreaterThanOrEqual(before - 1_000);
      expect(request.timestamp.getTime()).toBeLessThanOrEqual(Date.now());
      expect(text(request.transient?.get('secret') ?? new Uint8Array(0))).toBe('hush');
    });

    it('reads the Fabric CA attributes of the invoking certificate', async () => {
      const identity = JSON.parse(text(await contract.evaluateTransaction('whoami'))) as Record<string, string>;

      expect(identity).toEqual({
        mspId: 'Org1MSP',
        'meridian.role': 'compliance_officer',
        'hf.EnrollmentID': 'alice',
        'hf.Type': 'client',
        'hf.Affiliation': '',
      });
    });

    it('prepares a Fabric transaction: kvrwset with read versions, the chaincode event, no transient data', async () => {
      await contract.submitTransaction('put', 'layout', '1');
      const transaction = await contract
        .newProposal('increment', { arguments: ['layout'], transientData: { secret: 'hush' } })
        .endorse();

      const envelope = gatewayProtos.PreparedTransaction.deserializeBinary(transaction.getBytes()).getEnvelope()!;
      const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
      const [action] = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList();
      const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action!.getPayload_asU8());
      const responsePayload = peer.ProposalResponsePayload.deserializeBinary(
        actionPayload.getAction()!.getProposalResponsePayload_asU8(),
      );
      const chaincodeAction = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
      const event = peer.ChaincodeEvent.deserializeBinary(chaincodeAction.getEvents_asU8());
      const proposalPayload = peer.ChaincodeProposalPayload.deserializeBinary(
        actionPayload.getChaincodeProposalPayload_asU8(),
      );
      const rwset = decodeReadWriteSet(chaincodeAction.getResults_asU8(), CHAINCODE);

      expect(rwset.reads).toEqual([{ key: 'layout', version: expect.stringMatching(/^\d+:0$/u) as unknown }]);
      expect(rwset.writes.map((write) => [write.key, text(write.value!)])).toEqual([['layout', '2']]);
      expect([event.getEventName(), event.getTxId(), text(event.getPayload_asU8())]).toEqual([
        'Incremented',
        transaction.getTransactionId(),
        'layout=2',
      ]);
      expect(proposalPayload.getTransientmapMap().getLength()).toBe(0);
      expect(actionPayload.getAction()!.getEndorsementsList()).toHaveLength(1);
      expect(text(transaction.getResult())).toBe('2');
    });
  });

  describe('errors', () => {
    it('surfaces a contract error on evaluate as a GatewayError carrying the message in its details', async () => {
      const err = await rejectionOf(contract.evaluateTransaction('fail', 'patient unknown'));

      expect(err).toBeInstanceOf(GatewayError);
      expect(err).not.toBeInstanceOf(EndorseError);
      expect(err).toMatchObject({
        code: grpc.status.UNKNOWN,
        details: [{ address: server.address, mspId: 'Org1MSP', message: 'chaincode response 500, patient unknown' }],
      });
      expect((err as GatewayError).message).toContain('chaincode response 500, patient unknown');
    });

    it('surfaces a contract error on submit as an EndorseError and commits nothing', async () => {
      const heightBefore = server.blockHeight();
      const err = await rejectionOf(contract.submitTransaction('fail', 'consent revoked'));

      expect(err).toBeInstanceOf(EndorseError);
      expect(err).toMatchObject({
        code: grpc.status.ABORTED,
        transactionId: expect.stringMatching(/^[0-9a-f]{64}$/u) as unknown,
        details: [{ address: server.address, mspId: 'Org1MSP', message: 'chaincode response 500, consent revoked' }],
      });
      expect(server.blockHeight()).toBe(heightBefore);
    });

    it('fails the next endorsement with an injected error, then endorses again', async () => {
      const details = [{ address: 'peer0.org2.example.com:9051', mspId: 'Org2MSP', message: 'connection refused' }];
      server.failNext('endorse', { code: grpc.status.UNAVAILABLE, message: 'peers unavailable', details });

      const err = await rejectionOf(contract.submitTransaction('put', 'injected', 'no'));
      expect(err).toBeInstanceOf(EndorseError);
      expect(err).toMatchObject({ code: grpc.status.UNAVAILABLE, details });

      await contract.submitTransaction('put', 'injected', 'yes');
      expect(text(await contract.evaluateTransaction('get', 'injected'))).toBe('yes');
    });

    it('fails a submit the orderer did not take: SubmitError, nothing committed', async () => {
      const heightBefore = server.blockHeight();
      server.failNext('submit');

      const err = await rejectionOf(contract.submitTransaction('put', 'unordered', 'v'));

      expect(err).toBeInstanceOf(GatewayError);
      expect(err).toMatchObject({ name: 'SubmitError', code: grpc.status.UNAVAILABLE });
      expect(server.blockHeight()).toBe(heightBefore);
      expect(text(await contract.evaluateTransaction('get', 'unordered'))).toBe('');
    });

    it('commits a transaction whose submit answer was lost once; resubmitting it is harmless', async () => {
      server.failNext('submit', { afterOrdering: true });
      const transaction = await contract.newProposal('increment', { arguments: ['lost-answer'] }).endorse();

      await expect(transaction.submit()).rejects.toMatchObject({ name: 'SubmitError' });
      const status = await (await transaction.submit()).getStatus();

      expect(status.code).toBe(StatusCode.VALID);
      expect(text(await contract.evaluateTransaction('get', 'lost-answer'))).toBe('1');
    });
  });

  describe('signatures', () => {
    it('refuses proposals signed with a key that does not match the certificate', async () => {
      const mallory = await ca.issue('mallory');
      const forged = connectAs(server.address, alice, mallory.signer);
      const requestsBefore = executor.requests.length;
      try {
        const evaluated = await rejectionOf(forged.contract.evaluateTransaction('get', 'greeting'));
        expect(evaluated).toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
        expect((evaluated as GatewayError).details[0]?.message).toMatch(/signature .* invalid/u);

        const submitted = await rejectionOf(forged.contract.submitTransaction('put', 'forged', 'v'));
        expect(submitted).toBeInstanceOf(EndorseError);
        expect(executor.requests.length).toBe(requestsBefore);
      } finally {
        forged.close();
      }
    });

    it('refuses members of an MSP whose certificate another CA issued', async () => {
      const impostorCa = await createTestCertificateAuthority('Org1MSP');
      const impostor = await impostorCa.issue('alice', { attributes: { 'meridian.role': 'compliance_officer' } });
      const connectionOfImpostor = connectAs(server.address, impostor);
      try {
        const err = await rejectionOf(connectionOfImpostor.contract.evaluateTransaction('whoami'));
        expect((err as GatewayError).details[0]?.message).toContain('creator org unknown, creator is malformed');
      } finally {
        connectionOfImpostor.close();
      }
    });

    it('refuses a transaction envelope, commit status request or events request signed by someone else', async () => {
      const mallory = await ca.issue('mallory');
      const transaction = await contract.newProposal('put', { arguments: ['envelope', 'forged'] }).endorse();
      const forgedTransaction = connection.gateway.newSignedTransaction(
        transaction.getBytes(),
        await mallory.signer(transaction.getDigest()),
      );

      const submitted = await rejectionOf(forgedTransaction.submit());
      expect(submitted).toMatchObject({ name: 'SubmitError', code: grpc.status.ABORTED });
      expect((submitted as Error).message).toContain('status=FORBIDDEN');

      const commit = await (await transaction.submit()).getStatus();
      expect(commit.successful).toBe(true);

      const forged = connectAs(server.address, alice, mallory.signer);
      try {
        const events = await forged.network.getChaincodeEvents(CHAINCODE, { startBlock: 0n });
        const err = await rejectionOf(events[Symbol.asyncIterator]().next());
        expect(err).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
        events.close();
      } finally {
        forged.close();
      }
    });

    it('accepts only low-S signatures, as Fabric peers do', () => {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const data = bytes('message');
      const nodeSignatures = Array.from({ length: 64 }, () => sign('sha256', data, privateKey));

      // Node's signer does not normalise S, so about half of its signatures have a high S.
      const accepted = nodeSignatures.map((signature) => isValidFabricSignature(publicKey, data, signature));
      expect(accepted).toContain(true);
      expect(accepted).toContain(false);
    });

    it('accepts every signature of the fabric-gateway signer', async () => {
      const publicKey = new X509Certificate(alice.certificatePem).publicKey;
      const data = bytes('message');
      const digest = createHash('sha256').update(data).digest();
      const signatures = await Promise.all(Array.from({ length: 32 }, () => alice.signer(digest)));

      expect(signatures.every((signature) => isValidFabricSignature(publicKey, data, signature))).toBe(true);
    });
  });

  describe('MVCC', () => {
    it('invalidates the later of two transactions endorsed on the same version', async () => {
      const first = await contract.newProposal('increment', { arguments: ['mvcc-sequential'] }).endorse();
      const second = await contract.newProposal('increment', { arguments: ['mvcc-sequential'] }).endorse();

      const firstStatus = await (await first.submit()).getStatus();
      const secondStatus = await (await second.submit()).getStatus();

      expect(firstStatus).toMatchObject({ code: StatusCode.VALID, successful: true });
      expect(secondStatus).toMatchObject({
        code: StatusCode.MVCC_READ_CONFLICT,
        successful: false,
        blockNumber: firstStatus.blockNumber + 1n,
      });
      expect(text(await contract.evaluateTransaction('get', 'mvcc-sequential'))).toBe('1');
    });

    it('makes submitTransaction throw CommitError MVCC_READ_CONFLICT for the loser of a race', async () => {
      executor.incrementBarrier = new Barrier(2);
      const results = await Promise.allSettled([
        contract.submitTransaction('increment', 'mvcc-race'),
        contract.submitTransaction('increment', 'mvcc-race'),
      ]);
      executor.incrementBarrier = undefined;

      const fulfilled = results.filter((result) => result.status === 'fulfilled');
      const rejected = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
      expect(fulfilled.map((result) => text(result.value))).toEqual(['1']);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toBeInstanceOf(CommitError);
      expect(rejected[0]).toMatchObject({ code: StatusCode.MVCC_READ_CONFLICT });
      expect(text(await contract.evaluateTransaction('get', 'mvcc-race'))).toBe('1');
    });

    it('validates transactions of one block in order against the writes of earlier ones', async () => {
      const first = await contract.newProposal('increment', { arguments: ['mvcc-block'] }).endorse();
      const second = await contract.newProposal('increment', { arguments: ['mvcc-block'] }).endorse();
      server.holdTransactions();
      const submittedFirst = await first.submit();
      const submittedSecond = await second.submit();
      const blockNumber = BigInt(server.cutBlock() ?? -1);

      await expect(submittedFirst.getStatus()).resolves.toMatchObject({ code: StatusCode.VALID, blockNumber });
      await expect(submittedSecond.getStatus()).resolves.toMatchObject({
        code: StatusCode.MVCC_READ_CONFLICT,
        blockNumber,
      });
    });
  });

  describe('chaincode events', () => {
    it('delivers committed events from a start block, then live ones, grouped by block', async () => {
      const startBlock = server.blockHeight();
      const first = await contract.submitAsync('put', { arguments: ['events-a', '1'] });
      await first.getStatus();
      await contract.submitTransaction('put', 'events-b', '2');

      const events = await network.getChaincodeEvents(CHAINCODE, { startBlock: BigInt(startBlock) });
      try {
        const iterator = events[Symbol.asyncIterator]();
        const committed = await nextEvents(iterator, 2);
        await contract.submitTransaction('put', 'events-c', '3');
        const [live] = await nextEvents(iterator, 1);

        expect(committed[0]).toEqual({
          blockNumber: BigInt(startBlock),
          chaincodeName: CHAINCODE,
          eventName: 'Put',
          transactionId: first.getTransactionId(),
          payload: bytes('events-a=1'),
        });
        expect(payloads([...committed, live!])).toEqual(['events-a=1', 'events-b=2', 'events-c=3']);
        expect(live!.blockNumber).toBe(BigInt(startBlock + 2));
      } finally {
        events.close();
      }
    });

    it('starts at the next commit when no start block is given, and skips invalid transactions', async () => {
      await contract.submitTransaction('put', 'before-stream', 'x');
      const events = await network.getChaincodeEvents(CHAINCODE);
      try {
        const iterator = events[Symbol.asyncIterator]();
        const loser = await contract.newProposal('increment', { arguments: ['events-mvcc'] }).endorse();
        await contract.submitTransaction('increment', 'events-mvcc');
        await (await loser.submit()).getStatus();
        await contract.submitTransaction('put', 'after-stream', 'y');

        expect(payloads(await nextEvents(iterator, 2))).toEqual(['events-mvcc=1', 'after-stream=y']);
      } finally {
        events.close();
      }
    });

    it('resumes from a checkpoint inside a block: no duplicates, no gaps', async () => {
      const directory = await mkdtemp(path.join(os.tmpdir(), 'meridian-checkpoint-'));
      try {
        const checkpointFile = path.join(directory, 'checkpoint.json');
        const startBlock = BigInt(server.blockHeight());
        server.holdTransactions();
        for (const key of ['cp-1', 'cp-2', 'cp-3']) {
          await contract.submitAsync('put', { arguments: [key, 'v'] });
        }
        const sharedBlock = server.cutBlock();
        await contract.submitTransaction('put', 'cp-4', 'v');

        const checkpointer = await checkpointers.file(checkpointFile);
        const events = await network.getChaincodeEvents(CHAINCODE, { checkpoint: checkpointer, startBlock });
        const firstTwo = await nextEvents(events[Symbol.asyncIterator](), 2);
        for (const event of firstTwo) {
          await checkpointer.checkpointChaincodeEvent(event);
        }
        events.close();

        // As after a restart: a new checkpointer reads the saved position.
        const restored = await checkpointers.file(checkpointFile);
        expect(restored.getBlockNumber()).toBe(BigInt(sharedBlock ?? -1));
        expect(restored.getTransactionId()).toBe(firstTwo[1]!.transactionId);
        const resumed = await network.getChaincodeEvents(CHAINCODE, { checkpoint: restored, startBlock: 0n });
        try {
          const rest = await nextEvents(resumed[Symbol.asyncIterator](), 2);
          expect(payloads([...firstTwo, ...rest])).toEqual(['cp-1=v', 'cp-2=v', 'cp-3=v', 'cp-4=v']);
          expect(rest[0]!.blockNumber).toBe(BigInt(sharedBlock ?? -1));
        } finally {
          resumed.close();
        }
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    });

    it('fails the event iterator when the connection drops; reconnecting from the checkpoint misses nothing', async () => {
      const checkpointer = checkpointers.inMemory();
      const startBlock = BigInt(server.blockHeight());
      await contract.submitTransaction('put', 'drop-1', 'v');

      const events = await network.getChaincodeEvents(CHAINCODE, { checkpoint: checkpointer, startBlock });
      const iterator = events[Symbol.asyncIterator]();
      const [first] = await nextEvents(iterator, 1);
      await checkpointer.checkpointChaincodeEvent(first!);
      const waiting = iterator.next();
      server.dropConnections();

      const err = await rejectionOf(waiting);
      expect(err).toBeInstanceOf(GatewayError);
      expect(err).toMatchObject({ code: grpc.status.UNAVAILABLE });
      events.close();

      // Committed while nobody listened; the same client reconnects by itself.
      await contract.submitTransaction('put', 'drop-2', 'v');
      await contract.submitTransaction('put', 'drop-3', 'v');
      const resumed = await network.getChaincodeEvents(CHAINCODE, { checkpoint: checkpointer, startBlock });
      try {
        const iteratorAfter = resumed[Symbol.asyncIterator]();
        const missed = await nextEvents(iteratorAfter, 2);
        await contract.submitTransaction('put', 'drop-4', 'v');
        const [live] = await nextEvents(iteratorAfter, 1);
        expect(payloads([first!, ...missed, live!])).toEqual(['drop-1=v', 'drop-2=v', 'drop-3=v', 'drop-4=v']);
      } finally {
        resumed.close();
      }
    });

    it('resolves seek positions: specified, oldest, newest, next commit, and the block of after_transaction_id', () => {
      const ledger = {
        height: 7,
        transaction: (txId: string) =>
          txId === 'known' ? { txId, blockNumber: 4, code: 0 as const, event: null } : undefined,
      };
      const request = (
        configure: (position: orderer.SeekPosition) => void,
        afterTransactionId = '',
      ): gatewayProtos.ChaincodeEventsRequest => {
        const position = new orderer.SeekPosition();
        configure(position);
        const result = new gatewayProtos.ChaincodeEventsRequest();
        result.setStartPosition(position);
        result.setAfterTransactionId(afterTransactionId);
        return result;
      };
      const specified = new orderer.SeekSpecified();
      specified.setNumber(3);

      expect(
        chaincodeEventsStartBlock(
          request((p) => {
            p.setSpecified(specified);
          }),
          ledger,
        ),
      ).toBe(3);
      expect(
        chaincodeEventsStartBlock(
          request((p) => {
            p.setOldest(new orderer.SeekOldest());
          }),
          ledger,
        ),
      ).toBe(0);
      expect(
        chaincodeEventsStartBlock(
          request((p) => {
            p.setNewest(new orderer.SeekNewest());
          }),
          ledger,
        ),
      ).toBe(6);
      expect(
        chaincodeEventsStartBlock(
          request((p) => {
            p.setNextCommit(new orderer.SeekNextCommit());
          }),
          ledger,
        ),
      ).toBe(7);
      expect(
        chaincodeEventsStartBlock(
          request(() => undefined),
          ledger,
        ),
      ).toBe(7);
      expect(
        chaincodeEventsStartBlock(
          request((p) => {
            p.setSpecified(specified);
          }, 'known'),
          ledger,
        ),
      ).toBe(4);
      expect(
        chaincodeEventsStartBlock(
          request((p) => {
            p.setSpecified(specified);
          }, 'unknown'),
          ledger,
        ),
      ).toBe(3);
    });
  });
});
