import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { checkpointers, type Checkpointer } from '@hyperledger/fabric-gateway';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {
  ChaincodeExecutor,
  TransactionRequest,
  TransactionResult,
  VersionedState,
} from '../src/ledger/chaincode-executor.js';
import { CertificateAuthority } from '../src/ledger/certificate-authority.js';
import { ContractExecutor } from '../src/ledger/contract-executor.js';
import { EmbeddedLedger } from '../src/ledger/embedded-ledger.js';
import { fabricCaAttributes, type FabricIdentityProvider } from '../src/ledger/fabric-identities.js';
import { FabricLedger, type FabricLedgerOptions } from '../src/ledger/fabric-ledger.js';
import { GLOBAL_IDS, LedgerClient } from '../src/ledger/ledger-client.js';
import { LedgerError } from '../src/ledger/ledger-error.js';
import type { Ledger, LedgerActor, LedgerEvent } from '../src/ledger/ledger.js';
import { startFabricGatewayServer, type FabricGatewayServer } from './support/fabric/gateway-server.js';
import {
  createTestCertificateAuthority,
  type TestCertificateAuthority,
  type TestIdentity,
} from './support/fabric/identities.js';
import { readPem, type FabricNetworkInfo } from './support/fabric-network/native-network.js';

const CHANNEL = 'meridian';
const CHAINCODE = 'meridian';
/** How long a test waits for an expected event before it fails. */
const EVENT_WAIT_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Actors and arguments

const gatewayActor: LedgerActor = { user: 'gateway-eu-de', role: 'gateway' };
const officer = (jurisdiction: string, n: number): LedgerActor => ({
  user: `officer-${jurisdiction.toLowerCase()}-${n}`,
  role: 'compliance_officer',
  jurisdiction,
});
const patientActor = (patientRef: string): LedgerActor => ({
  user: `user-${patientRef}`,
  role: 'patient',
  patient: patientRef,
});
const newPatientRef = (): string => `mp-${randomBytes(8).toString('hex')}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const newConsentId = (): string => `consent-${randomUUID()}`;
/** The DE version the suite activates: its own each run, never one Meridian ships. */
const SUITE_DE_VERSION = `ledger-suite-${randomBytes(4).toString('hex')}`;

// ---------------------------------------------------------------------------------------------
// The implementations under test

/** One ledger implementation, started for a test run. */
interface Harness {
  /** The ledger the gateway uses now; a new object after restart(). */
  ledger(): Ledger;
  /** Stops the gateway's ledger and starts it again on the same ledger state, as a gateway restart does. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The Fabric implementation's extras: the in-test peer and the chaincode executions it saw. */
interface FabricHarness extends Harness {
  readonly server: FabricGatewayServer;
  readonly executions: ReadonlyMap<string, number>;
  /** Another FabricLedger on the same peer, e.g. with other deadlines. */
  newLedger(options?: Partial<FabricLedgerOptions>): FabricLedger;
}

/** The real contract, counting executions per function, so a test can see a retry happen. */
class CountingExecutor implements ChaincodeExecutor {
  readonly executions = new Map<string, number>();
  readonly #contract = new ContractExecutor();

  execute(request: TransactionRequest, state: VersionedState): Promise<TransactionResult> {
    this.executions.set(request.fn, (this.executions.get(request.fn) ?? 0) + 1);
    return this.#contract.execute(request, state);
  }
}

/** Certificates from the test CA carrying each actor's attributes, as Fabric CA enrols them. */
function testCaIdentities(ca: TestCertificateAuthority): FabricIdentityProvider {
  const issued = new Map<string, Promise<TestIdentity>>();
  const identityFor = (actor: LedgerActor): Promise<TestIdentity> => {
    const attributes = fabricCaAttributes(actor);
    const key = JSON.stringify(attributes);
    let identity = issued.get(key);
    if (identity === undefined) {
      identity = ca.issue(actor.user, { attributes });
      issued.set(key, identity);
    }
    return identity;
  };
  return { identityFor, gatewayIdentity: () => identityFor(gatewayActor) };
}

async function startFabric(): Promise<FabricHarness> {
  const ca = await createTestCertificateAuthority('Org1MSP');
  const executor = new CountingExecutor();
  const server = await startFabricGatewayServer({
    executor,
    channel: CHANNEL,
    chaincode: CHAINCODE,
    trustedMsps: [ca],
  });
  const identities = testCaIdentities(ca);
  const newLedger = (options: Partial<FabricLedgerOptions> = {}): FabricLedger =>
    new FabricLedger({ peerEndpoint: server.address, channel: CHANNEL, chaincode: CHAINCODE, identities, ...options });
  let ledger = newLedger();
  return {
    server,
    executions: executor.executions,
    newLedger,
    ledger: () => ledger,
    restart: async () => {
      await ledger.close();
      ledger = newLedger();
    },
    close: async () => {
      await ledger.close();
      await server.close();
    },
  };
}

/** The embedded ledger in a temporary folder; a restart reopens the folder, as the gateway does at start. */
async function startEmbedded(): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-embedded-ledger-'));
  let ledger = await EmbeddedLedger.open({ dir });
  return {
    ledger: () => ledger,
    restart: async () => {
      await ledger.close();
      ledger = await EmbeddedLedger.open({ dir });
    },
    close: async () => {
      await ledger.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The real network of this run (test/support/fabric-network/global-setup.ts); null without MERIDIAN_FABRIC_BIN. */
const network = inject('fabricNetwork');

/**
 * FabricLedger on the real network: Org2's peer (the gateway tests stop Org1's), on a channel of
 * the suite's own (it activates test policies a gateway would meet), identities from Org2's CA as
 * Fabric CA would enrol them.
 */
async function startRealFabric(info: FabricNetworkInfo): Promise<Harness> {
  const peer = info.peers[1];
  const ca = await CertificateAuthority.fromPem(
    peer.mspId,
    await readPem(peer.caCertFile),
    await readPem(peer.caKeyFile),
  );
  const identities = testCaIdentities(ca);
  const tlsRootCertPem = await readPem(peer.tlsCaFile);
  const newLedger = (): FabricLedger =>
    new FabricLedger({
      peerEndpoint: peer.endpoint,
      tlsRootCertPem,
      channel: info.suiteChannel,
      chaincode: info.chaincode,
      identities,
    });
  let ledger = newLedger();
  return {
    ledger: () => ledger,
    restart: async () => {
      await ledger.close();
      ledger = newLedger();
    },
    close: () => ledger.close(),
  };
}

const implementations: { name: string; start: () => Promise<Harness>; skip: boolean }[] = [
  { name: 'FabricLedger on the in-test gateway server', start: startFabric, skip: false },
  { name: 'EmbeddedLedger', start: startEmbedded, skip: false },
  network === null
    ? { name: 'FabricLedger on a real Fabric network (MERIDIAN_FABRIC_BIN unset)', start: startEmbedded, skip: true }
    : {
        name: `FabricLedger on a real Fabric ${network.version} network (Org2MSP's peer, channel ${network.suiteChannel})`,
        start: () => startRealFabric(network),
        skip: false,
      },
];

// ---------------------------------------------------------------------------------------------
// Helpers

async function rejectionOf(promise: Promise<unknown>): Promise<LedgerError> {
  const outcome = await promise.then(
    () => new Error('expected a rejection'),
    (err: unknown) => err,
  );
  if (!(outcome instanceof LedgerError)) throw outcome;
  return outcome;
}

/** Every grant emits ConsentRecorded too; these tests follow revocations and activations. */
const notRecording = (event: LedgerEvent): boolean => event.eventName !== 'ConsentRecorded';

/** The next `count` events of a stream (of those `keep` selects), failing the test if they do not come in time. */
async function nextEvents(
  iterator: AsyncIterator<LedgerEvent>,
  count: number,
  keep: (event: LedgerEvent) => boolean = notRecording,
): Promise<LedgerEvent[]> {
  const events: LedgerEvent[] = [];
  while (events.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no event within ${EVENT_WAIT_MS} ms after ${events.length} of ${count}`));
      }, EVENT_WAIT_MS);
    });
    try {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done === true) throw new Error(`the event stream ended after ${events.length} of ${count}`);
      if (keep(next.value)) events.push(next.value);
    } finally {
      clearTimeout(timer);
    }
  }
  return events;
}

/** Reads (and checkpoints) events until one satisfies `last`; returns them all. */
async function eventsUntil(
  iterator: AsyncIterator<LedgerEvent>,
  checkpointer: Checkpointer,
  last: (event: LedgerEvent) => boolean,
): Promise<LedgerEvent[]> {
  const events: LedgerEvent[] = [];
  for (;;) {
    const [event] = await nextEvents(iterator, 1);
    events.push(event!);
    await checkpointer.checkpointTransaction(event!.blockNumber, event!.txId);
    if (last(event!)) return events;
  }
}

const payloadOf = (event: LedgerEvent): Record<string, string | number> =>
  JSON.parse(event.payload) as Record<string, string | number>;
const revocationOf = (consentId: string) => (event: LedgerEvent) =>
  event.eventName === 'ConsentRevoked' && payloadOf(event).consentId === consentId;
const summary = (event: LedgerEvent): string => {
  const payload = payloadOf(event);
  const subject =
    event.eventName === 'ConsentRevoked' ? payload.consentId : `${payload.jurisdiction}/${payload.version}`;
  return `${event.eventName} ${subject ?? ''}`;
};

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + EVENT_WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Records and approves a policy version, as two officers of its jurisdiction. */
async function approvedPolicy(client: LedgerClient, jurisdiction: string, version: string): Promise<void> {
  await client.recordPolicyVersion(officer(jurisdiction, 1), { jurisdiction, version, hash: sha256(version) });
  await client.approvePolicyVersion(officer(jurisdiction, 2), { jurisdiction, version });
}

/** A recorded consent and its patient. */
async function recordedConsent(client: LedgerClient): Promise<{ consentId: string; patient: LedgerActor }> {
  const patientRef = newPatientRef();
  const consentId = newConsentId();
  await client.recordConsent(gatewayActor, { consentId, patientRef, hash: sha256(consentId), version: '1' });
  return { consentId, patient: patientActor(patientRef) };
}

/** A consent recorded and then revoked by its patient: one ConsentRevoked event. */
async function revokedConsent(
  client: LedgerClient,
): Promise<{ consentId: string; patientRef: string; txId: string; blockNumber: bigint }> {
  const { consentId, patient } = await recordedConsent(client);
  const { txId, blockNumber } = await client.revokeConsent(patient, consentId, 'patient_request');
  return { consentId, patientRef: patient.patient ?? '', txId, blockNumber };
}

// ---------------------------------------------------------------------------------------------
// The shared suite

describe('the shared suite on a channel a gateway shares', () => {
  it('activates no DE version Meridian ships, so it and a gateway never break each other', async () => {
    const shipped = JSON.parse(await readFile(path.join(import.meta.dirname, '..', 'policies', 'de.json'), 'utf8')) as {
      jurisdiction: string;
      version: string;
    };
    expect(shipped.jurisdiction).toBe('DE');
    expect(SUITE_DE_VERSION).not.toBe(shipped.version);
  });
});

describe.each(implementations)('$name through LedgerClient', ({ start, skip }) => {
  if (skip) {
    it.skip('runs on a real Fabric network when MERIDIAN_FABRIC_BIN names its binaries', () => undefined);
    return;
  }
  let harness: Harness;
  const client = (): LedgerClient => new LedgerClient(harness.ledger(), GLOBAL_IDS);

  beforeAll(async () => {
    harness = await start();
  });

  afterAll(async () => {
    await harness.close();
  });

  describe('policies', () => {
    it('records, approves (four eyes), activates and reads the active version', async () => {
      const [author, approver] = [officer('DE', 1), officer('DE', 2)];
      // Never a version Meridian ships (policies/de.json): on a shared channel the two would collide.
      const version = SUITE_DE_VERSION;
      const hash = sha256(`policy DE ${version}`);

      const recorded = await client().recordPolicyVersion(author, { jurisdiction: 'DE', version, hash });
      const approved = await client().approvePolicyVersion(approver, { jurisdiction: 'DE', version });
      const activated = await client().activatePolicyVersion(author, { jurisdiction: 'DE', version });

      expect(recorded.value).toMatchObject({ status: 'recorded', author: author.user, hash });
      expect(approved.value).toMatchObject({ status: 'approved', approver: approver.user });
      expect(activated.value.status).toBe('active');
      expect(activated.txId).toMatch(/^[0-9a-f]{64}$/u);
      expect(activated.blockNumber).toBeGreaterThan(approved.blockNumber);
      expect(await client().getActivePolicy(officer('FR', 1), 'DE')).toMatchObject({
        version,
        hash,
        status: 'active',
        author: author.user,
        approver: approver.user,
      });
      const history = await client().getPolicyHistory(gatewayActor, 'DE');
      expect(history.map((step) => [step.action, step.actor, step.txId])).toEqual([
        ['recorded', author.user, recorded.txId],
        ['approved', approver.user, approved.txId],
        ['activated', author.user, activated.txId],
      ]);
    });

    it("refuses an approval by the policy's own author: rejected, FORBIDDEN, with the transaction id", async () => {
      const author = officer('DE', 1);
      await client().recordPolicyVersion(author, { jurisdiction: 'DE', version: 'self-approved', hash: sha256('x') });

      const err = await rejectionOf(
        client().approvePolicyVersion(author, { jurisdiction: 'DE', version: 'self-approved' }),
      );

      expect(err).toMatchObject({ failure: 'rejected', code: 'LEDGER_REJECTED', chaincodeCode: 'FORBIDDEN' });
      expect(err.txId).toMatch(/^[0-9a-f]{64}$/u);
      expect(err.message).toContain('other than its author');
      expect(await client().getPolicyVersion(author, 'DE', 'self-approved')).toMatchObject({ status: 'recorded' });
    });

    it('refuses an approval by a compliance officer of another jurisdiction', async () => {
      await client().recordPolicyVersion(officer('DE', 1), {
        jurisdiction: 'DE',
        version: 'foreign-approval',
        hash: sha256('y'),
      });

      const err = await rejectionOf(
        client().approvePolicyVersion(officer('FR', 1), { jurisdiction: 'DE', version: 'foreign-approval' }),
      );

      expect(err).toMatchObject({ failure: 'rejected', chaincodeCode: 'FORBIDDEN' });
      expect(err.txId).toMatch(/^[0-9a-f]{64}$/u);
      const version = await client().getPolicyVersion(officer('DE', 2), 'DE', 'foreign-approval');
      expect(version.status).toBe('recorded');
    });
  });

  describe('consents', () => {
    it('records, revokes, and reads status and history', async () => {
      const patientRef = newPatientRef();
      const patient = patientActor(patientRef);
      const consentId = newConsentId();
      const hash = sha256(consentId);

      const recorded = await client().recordConsent(gatewayActor, { consentId, patientRef, hash, version: '3' });
      expect(await client().getConsentStatus(gatewayActor, consentId)).toMatchObject({ status: 'active', hash });
      const revoked = await client().revokeConsent(patient, consentId, 'patient_request');

      expect(recorded.value).toMatchObject({ consentId, patientRef, status: 'active', version: '3' });
      expect(revoked.value).toMatchObject({ consentId, status: 'revoked' });
      expect(await client().getConsentStatus(gatewayActor, consentId)).toMatchObject({ status: 'revoked' });
      const history = await client().getConsentHistory(gatewayActor, consentId);
      expect(history.map((step) => [step.action, step.txId, step.revokedAs, step.reason])).toEqual([
        ['recorded', recorded.txId, undefined, undefined],
        ['revoked', revoked.txId, 'patient', 'patient_request'],
      ]);
    });

    it('refuses a revocation by a different patient and keeps the consent active', async () => {
      const { consentId } = await recordedConsent(client());

      const err = await rejectionOf(client().revokeConsent(patientActor(newPatientRef()), consentId));

      expect(err).toMatchObject({ failure: 'rejected', chaincodeCode: 'FORBIDDEN' });
      expect(err.txId).toMatch(/^[0-9a-f]{64}$/u);
      expect(await client().getConsentStatus(gatewayActor, consentId)).toMatchObject({ status: 'active' });
    });
  });

  describe('batches', () => {
    it('anchors a Merkle root and reads it back', async () => {
      const batchId = `batch-${randomUUID()}`;
      const batch = {
        batchId,
        kind: 'audit' as const,
        region: 'eu-de',
        merkleRoot: sha256(batchId),
        count: 42,
        fromTime: '2025-01-31T12:00:00Z',
        toTime: '2025-01-31T12:05:00Z',
      };

      const anchored = await client().anchorBatch(gatewayActor, batch);

      expect(anchored.value).toMatchObject({ ...batch, txId: anchored.txId });
      expect(await client().getBatch(officer('FR', 1), batchId)).toEqual(anchored.value);
    });
  });

  describe('invalid arguments', () => {
    it('are rejected with INVALID_ARGUMENT on reads and writes, and change nothing', async () => {
      const read = await rejectionOf(client().getConsentStatus(gatewayActor, 'not a consent id'));
      expect(read).toMatchObject({ failure: 'rejected', chaincodeCode: 'INVALID_ARGUMENT' });
      expect(read.message).toContain("argument 'consentId'");

      const consentId = newConsentId();
      const write = await rejectionOf(
        client().recordConsent(gatewayActor, { consentId, patientRef: newPatientRef(), hash: 'abc', version: '1' }),
      );
      expect(write).toMatchObject({ failure: 'rejected', chaincodeCode: 'INVALID_ARGUMENT' });
      expect(write.txId).toMatch(/^[0-9a-f]{64}$/u);
      expect(write.message).toContain("argument 'hash'");
      await expect(client().getConsentStatus(gatewayActor, consentId)).rejects.toMatchObject({
        chaincodeCode: 'NOT_FOUND',
      });
    });
  });

  describe('events', () => {
    it('delivers PolicyActivated and ConsentRevoked in commit order', async () => {
      await approvedPolicy(client(), 'NL', 'events-1');
      const activated = await client().activatePolicyVersion(officer('NL', 1), {
        jurisdiction: 'NL',
        version: 'events-1',
      });
      const revoked = await revokedConsent(client());

      const checkpointer = checkpointers.inMemory();
      const stream = await harness.ledger().events(checkpointer);
      try {
        const events = await eventsUntil(stream[Symbol.asyncIterator](), checkpointer, revocationOf(revoked.consentId));
        const ours = events.filter((event) => event.txId === activated.txId || event.txId === revoked.txId);

        expect(ours.map((event) => [event.eventName, payloadOf(event), event.blockNumber])).toEqual([
          [
            'PolicyActivated',
            expect.objectContaining({ jurisdiction: 'NL', version: 'events-1', hash: sha256('events-1') }),
            activated.blockNumber,
          ],
          [
            'ConsentRevoked',
            // The patient's second change: recorded, then revoked.
            { consentId: revoked.consentId, patientRef: revoked.patientRef, version: '1', epoch: 2 },
            revoked.blockNumber,
          ],
        ]);
        const blocks = events.map((event) => event.blockNumber);
        expect(blocks).toEqual([...blocks].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      } finally {
        stream.close();
      }
    });

    it('ends a waiting for-await loop when the stream is closed', async () => {
      const revoked = await revokedConsent(client());
      const checkpointer = checkpointers.inMemory();
      const stream = await harness.ledger().events(checkpointer);
      const seen: string[] = [];
      const loop = (async () => {
        for await (const event of stream) {
          seen.push(event.txId);
          if (event.txId === revoked.txId) {
            setTimeout(() => {
              stream.close();
            }, 20);
          }
        }
      })();

      await expect(loop).resolves.toBeUndefined();
      expect(seen.at(-1)).toBe(revoked.txId);
    });

    it('resumes a restarted gateway from its checkpoint file: every missed event exactly once', async () => {
      const directory = await mkdtemp(path.join(os.tmpdir(), 'meridian-ledger-checkpoint-'));
      const checkpointFile = path.join(directory, 'checkpoint.json');
      try {
        const marker = await revokedConsent(client());
        const checkpointer = await checkpointers.file(checkpointFile);
        const stream = await harness.ledger().events(checkpointer);
        await eventsUntil(stream[Symbol.asyncIterator](), checkpointer, revocationOf(marker.consentId));
        stream.close();

        await harness.restart();
        const missed = [await revokedConsent(client()), await revokedConsent(client())];
        await approvedPolicy(client(), 'BE', 'restart-1');
        const activated = await client().activatePolicyVersion(officer('BE', 2), {
          jurisdiction: 'BE',
          version: 'restart-1',
        });

        const restored = await checkpointers.file(checkpointFile);
        const resumed = await harness.ledger().events(restored);
        try {
          const iterator = resumed[Symbol.asyncIterator]();
          const replayed = await nextEvents(iterator, 3);
          const live = await revokedConsent(client());
          const [next] = await nextEvents(iterator, 1);

          expect([...replayed, next!].map((event) => [summary(event), event.txId])).toEqual([
            [`ConsentRevoked ${missed[0]!.consentId}`, missed[0]!.txId],
            [`ConsentRevoked ${missed[1]!.consentId}`, missed[1]!.txId],
            ['PolicyActivated BE/restart-1', activated.txId],
            [`ConsentRevoked ${live.consentId}`, live.txId],
          ]);
        } finally {
          resumed.close();
        }
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Fabric only: what a network does that a single process does not

describe('FabricLedger against a Fabric gateway', () => {
  let fabric: FabricHarness;
  const client = (): LedgerClient => new LedgerClient(fabric.ledger(), GLOBAL_IDS);
  const executions = (fn: string): number => fabric.executions.get(fn) ?? 0;

  beforeAll(async () => {
    fabric = await startFabric();
  });

  afterAll(async () => {
    await fabric.close();
  });

  /**
   * Starts `submit` and waits until the orderer holds it, so the next endorsement reads the same state.
   * The outcome is wrapped: awaiting a bare promise here would wait for the block.
   */
  async function heldSubmit<T>(submit: () => Promise<T>): Promise<{ outcome: Promise<T> }> {
    const before = fabric.server.pendingTransactions();
    const outcome = submit();
    outcome.catch(() => undefined);
    await waitUntil(() => fabric.server.pendingTransactions() > before, 'the orderer to take a transaction');
    return { outcome };
  }

  describe('MVCC read conflicts', () => {
    async function approvedPolicies(jurisdiction: string, versions: readonly string[]): Promise<void> {
      for (const version of versions) {
        await client().recordPolicyVersion(officer(jurisdiction, 1), { jurisdiction, version, hash: sha256(version) });
        await client().approvePolicyVersion(officer(jurisdiction, 2), { jurisdiction, version });
      }
    }

    it('endorses the loser of a race afresh and commits it once', async () => {
      await approvedPolicies('AT', ['race-1', 'race-2']);
      const activate = (version: string) => () =>
        client().activatePolicyVersion(officer('AT', 1), { jurisdiction: 'AT', version });
      const executionsBefore = executions('policy:activatePolicyVersion');

      fabric.server.holdTransactions();
      const { outcome: first } = await heldSubmit(activate('race-1'));
      const { outcome: second } = await heldSubmit(activate('race-2'));
      const block = BigInt(fabric.server.cutBlock() ?? -1);

      await expect(first).resolves.toMatchObject({ blockNumber: block, value: { status: 'active' } });
      const retried = await second;
      expect(retried.blockNumber).toBeGreaterThan(block);
      // Two endorsements of the first race, then one more for the retry.
      expect(executions('policy:activatePolicyVersion') - executionsBefore).toBe(3);
      expect(await client().getActivePolicy(gatewayActor, 'AT')).toMatchObject({ version: 'race-2' });
      expect(await client().getPolicyVersion(gatewayActor, 'AT', 'race-1')).toMatchObject({ status: 'retired' });
      const activations = (await client().getPolicyHistory(gatewayActor, 'AT')).filter(
        (step) => step.action === 'activated',
      );
      expect(activations.map((step) => [step.version, step.txId])).toEqual([
        ['race-1', (await first).txId],
        ['race-2', retried.txId],
      ]);
    });

    it('retries a revocation that lost a race, which then meets the committed one: CONFLICT', async () => {
      const patientRef = newPatientRef();
      const consentId = newConsentId();
      await client().recordConsent(gatewayActor, { consentId, patientRef, hash: sha256(consentId), version: '1' });
      const revoke = () => client().revokeConsent(patientActor(patientRef), consentId);
      const executionsBefore = executions('consent:revokeConsent');

      fabric.server.holdTransactions();
      const { outcome: first } = await heldSubmit(revoke);
      const { outcome: second } = await heldSubmit(revoke);
      fabric.server.cutBlock();

      await expect(first).resolves.toMatchObject({ value: { status: 'revoked' } });
      const err = await rejectionOf(second);
      expect(err).toMatchObject({ failure: 'rejected', chaincodeCode: 'CONFLICT' });
      expect(err.message).toContain('already revoked');
      expect(executions('consent:revokeConsent') - executionsBefore).toBe(3);
      const history = await client().getConsentHistory(gatewayActor, consentId);
      expect(history.map((step) => step.action)).toEqual(['recorded', 'revoked']);
    });

    it('gives up after maxConflictRetries with a conflict that names the validation code', async () => {
      await approvedPolicies('PL', ['race-1', 'race-2']);
      const impatient = fabric.newLedger({ maxConflictRetries: 0 });
      try {
        const activate = (ledger: Ledger, version: string) => () =>
          new LedgerClient(ledger, GLOBAL_IDS).activatePolicyVersion(officer('PL', 1), { jurisdiction: 'PL', version });

        fabric.server.holdTransactions();
        const { outcome: first } = await heldSubmit(activate(fabric.ledger(), 'race-1'));
        const { outcome: second } = await heldSubmit(activate(impatient, 'race-2'));
        fabric.server.cutBlock();

        await expect(first).resolves.toMatchObject({ value: { status: 'active' } });
        const err = await rejectionOf(second);
        expect(err).toMatchObject({ failure: 'conflict', chaincodeCode: 'MVCC_READ_CONFLICT' });
        expect(err.txId).toMatch(/^[0-9a-f]{64}$/u);
        expect(await client().getActivePolicy(gatewayActor, 'PL')).toMatchObject({ version: 'race-1' });
      } finally {
        await impatient.close();
      }
    });
  });

  describe('failures', () => {
    it('surfaces a dropped connection mid-stream as unavailable; resuming misses nothing and repeats nothing', async () => {
      const marker = await revokedConsent(client());
      const checkpointer = checkpointers.inMemory();
      const stream = await fabric.ledger().events(checkpointer);
      const iterator = stream[Symbol.asyncIterator]();
      await eventsUntil(iterator, checkpointer, revocationOf(marker.consentId));
      const waiting = iterator.next();

      fabric.server.dropConnections();

      const err = await rejectionOf(waiting);
      expect(err).toMatchObject({ failure: 'unavailable', code: 'LEDGER_UNAVAILABLE' });
      stream.close();
      const missed = [await revokedConsent(client()), await revokedConsent(client())];
      const resumed = await fabric.ledger().events(checkpointer);
      try {
        const resumedIterator = resumed[Symbol.asyncIterator]();
        const replayed = await nextEvents(resumedIterator, 2);
        const live = await revokedConsent(client());
        const [next] = await nextEvents(resumedIterator, 1);
        expect([...replayed, next!].map((event) => event.txId)).toEqual([missed[0]!.txId, missed[1]!.txId, live.txId]);
      } finally {
        resumed.close();
      }
    });

    it('answers LEDGER_UNAVAILABLE at once, well within the deadline, when the peer is unreachable', async () => {
      const gone = await startFabricGatewayServer({
        executor: new ContractExecutor(),
        channel: CHANNEL,
        chaincode: CHAINCODE,
      });
      await gone.close();
      const deadlineMs = 10_000;
      const unreachable = fabric.newLedger({
        peerEndpoint: gone.address,
        deadlines: { evaluateMs: deadlineMs, endorseMs: deadlineMs, submitMs: deadlineMs, commitStatusMs: deadlineMs },
      });
      try {
        const started = Date.now();
        const submitted = await rejectionOf(
          new LedgerClient(unreachable, GLOBAL_IDS).recordConsent(gatewayActor, {
            consentId: newConsentId(),
            patientRef: newPatientRef(),
            hash: sha256('unreachable'),
            version: '1',
          }),
        );
        const evaluated = await rejectionOf(
          new LedgerClient(unreachable, GLOBAL_IDS).getBatch(gatewayActor, 'batch-1'),
        );

        expect(Date.now() - started).toBeLessThan(deadlineMs);
        expect(submitted).toMatchObject({ failure: 'unavailable', code: 'LEDGER_UNAVAILABLE' });
        expect(submitted.txId).toMatch(/^[0-9a-f]{64}$/u);
        expect(evaluated).toMatchObject({ failure: 'unavailable', code: 'LEDGER_UNAVAILABLE' });
      } finally {
        await unreachable.close();
      }
    });

    it('keeps the transaction id of a failed endorsement and commits nothing', async () => {
      const heightBefore = fabric.server.blockHeight();
      const executionsBefore = executions('batch:anchorBatch');
      fabric.server.failNext('endorse');

      const err = await rejectionOf(
        client().anchorBatch(gatewayActor, {
          batchId: `batch-${randomUUID()}`,
          kind: 'records',
          region: 'eu-fr',
          merkleRoot: sha256('endorse'),
          count: 1,
          fromTime: '2025-01-31T12:00:00Z',
          toTime: '2025-01-31T12:00:01Z',
        }),
      );

      expect(err).toMatchObject({ failure: 'unavailable', code: 'LEDGER_UNAVAILABLE', chaincodeCode: null });
      expect(err.txId).toMatch(/^[0-9a-f]{64}$/u);
      expect(err.message).toContain('injected endorsement failure');
      expect(fabric.server.blockHeight()).toBe(heightBefore);
      // Not retried: an endorsement failure is reported, never re-endorsed behind the caller's back.
      expect(executions('batch:anchorBatch')).toBe(executionsBefore);
    });

    it('reports a lost submit answer as unavailable with the transaction id, without endorsing it again', async () => {
      const patientRef = newPatientRef();
      const consentId = newConsentId();
      fabric.server.failNext('submit', { afterOrdering: true });
      const executionsBefore = executions('consent:recordConsent');

      const err = await rejectionOf(
        client().recordConsent(gatewayActor, { consentId, patientRef, hash: sha256(consentId), version: '1' }),
      );

      expect(err).toMatchObject({ failure: 'unavailable', code: 'LEDGER_UNAVAILABLE' });
      expect(err.message).toContain('may still commit');
      expect(executions('consent:recordConsent') - executionsBefore).toBe(1);
      // The orderer had it: the transaction the caller was told about is the one that committed.
      const history = await client().getConsentHistory(gatewayActor, consentId);
      expect(history.map((step) => [step.action, step.txId])).toEqual([['recorded', err.txId]]);
    });

    it('reports a lost commit status as unavailable with the transaction id', async () => {
      const consentId = newConsentId();
      fabric.server.failNext('commitStatus');

      const err = await rejectionOf(
        client().recordConsent(gatewayActor, {
          consentId,
          patientRef: newPatientRef(),
          hash: sha256(consentId),
          version: '1',
        }),
      );

      expect(err).toMatchObject({ failure: 'unavailable', code: 'LEDGER_UNAVAILABLE' });
      expect(err.txId).toMatch(/^[0-9a-f]{64}$/u);
      await waitUntil(() => fabric.server.pendingTransactions() === 0, 'the commit');
      const history = await client().getConsentHistory(gatewayActor, consentId);
      expect(history.map((step) => step.txId)).toEqual([err.txId]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Refusals: the in-test gateway server answers as Fabric 2.5 does, and both are checked

/** A Fabric peer's gateway and what its MSP trusts. */
interface FabricTarget {
  readonly endpoint: string;
  readonly tlsRootCertPem?: string;
  readonly channel: string;
  /** The CA of the peer's organisation: certificates it issues are members. */
  readonly ca: CertificateAuthority | TestCertificateAuthority;
  close(): Promise<void>;
}

async function inTestTarget(): Promise<FabricTarget> {
  const ca = await createTestCertificateAuthority('Org1MSP');
  const server = await startFabricGatewayServer({
    executor: new ContractExecutor(),
    channel: CHANNEL,
    chaincode: CHAINCODE,
    trustedMsps: [ca],
  });
  return { endpoint: server.address, channel: CHANNEL, ca, close: () => server.close() };
}

async function realTarget(info: FabricNetworkInfo): Promise<FabricTarget> {
  const peer = info.peers[1];
  return {
    endpoint: peer.endpoint,
    tlsRootCertPem: await readPem(peer.tlsCaFile),
    channel: info.suiteChannel,
    ca: await CertificateAuthority.fromPem(peer.mspId, await readPem(peer.caCertFile), await readPem(peer.caKeyFile)),
    close: () => Promise.resolve(),
  };
}

const targets: { name: string; start: () => Promise<FabricTarget>; skip: boolean }[] = [
  { name: 'the in-test gateway server', start: inTestTarget, skip: false },
  network === null
    ? { name: 'a real Fabric network (MERIDIAN_FABRIC_BIN unset)', start: inTestTarget, skip: true }
    : { name: `a real Fabric ${network.version} peer`, start: () => realTarget(network), skip: false },
];

describe.each(targets)('FabricLedger refused by $name', ({ start, skip }) => {
  if (skip) {
    it.skip('runs on a real Fabric network when MERIDIAN_FABRIC_BIN names its binaries', () => undefined);
    return;
  }
  let target: FabricTarget;
  const ledgers: FabricLedger[] = [];

  beforeAll(async () => {
    target = await start();
  });

  afterAll(async () => {
    await Promise.all(ledgers.map((ledger) => ledger.close()));
    await target.close();
  });

  /** A FabricLedger whose every actor signs with `issue`'s certificate. */
  function ledgerSigningWith(issue: () => Promise<TestIdentity>, channel = target.channel): LedgerClient {
    const identity = issue();
    const identities: FabricIdentityProvider = { identityFor: () => identity, gatewayIdentity: () => identity };
    const ledger = new FabricLedger({
      peerEndpoint: target.endpoint,
      tlsRootCertPem: target.tlsRootCertPem,
      channel,
      chaincode: CHAINCODE,
      identities,
    });
    ledgers.push(ledger);
    return new LedgerClient(ledger, GLOBAL_IDS);
  }
  const gatewayCertificate = (ca: Pick<CertificateAuthority, 'issue'>, notBefore?: Date) => () =>
    ca.issue(gatewayActor.user, { attributes: fabricCaAttributes(gatewayActor), notBefore });
  const anchor = (client: LedgerClient) =>
    client.anchorBatch(gatewayActor, {
      batchId: `batch-${randomUUID()}`,
      kind: 'records',
      region: 'eu-de',
      merkleRoot: sha256('refused'),
      count: 1,
      fromTime: '2025-01-31T12:00:00Z',
      toTime: '2025-01-31T12:00:01Z',
    });

  /** The gRPC status code Fabric's gateway answered with (the same on both). */
  const grpcCode = (err: LedgerError): unknown => (err.cause as { code?: unknown } | undefined)?.code;

  it('a certificate its MSP did not issue: LEDGER_REJECTED with the transaction id on submit, and on evaluate', async () => {
    const stranger = await createTestCertificateAuthority('Org1MSP');
    const client = ledgerSigningWith(gatewayCertificate(stranger));

    const submitted = await rejectionOf(anchor(client));
    const evaluated = await rejectionOf(client.getBatch(gatewayActor, 'batch-1'));

    expect(submitted).toMatchObject({ failure: 'rejected', code: 'LEDGER_REJECTED' });
    expect(submitted.txId).toMatch(/^[0-9a-f]{64}$/u);
    expect(submitted.message).toContain('creator org unknown');
    expect(grpcCode(submitted)).toBe(GrpcStatus.ABORTED);
    expect(evaluated).toMatchObject({ failure: 'rejected', code: 'LEDGER_REJECTED' });
    expect(evaluated.message).toContain('creator org unknown');
    expect(grpcCode(evaluated)).toBe(GrpcStatus.FAILED_PRECONDITION);
  });

  it("a certificate dated before its CA's own notBefore, since the chain is checked as of then: LEDGER_REJECTED", async () => {
    const caNotBefore = Date.parse(new X509Certificate(target.ca.certificatePem).validFrom);
    const client = ledgerSigningWith(gatewayCertificate(target.ca, new Date(caNotBefore - 60 * 60_000)));

    const evaluated = await rejectionOf(client.getBatch(gatewayActor, 'batch-1'));
    const submitted = await rejectionOf(anchor(client));

    expect(evaluated).toMatchObject({ failure: 'rejected', code: 'LEDGER_REJECTED' });
    expect(evaluated.message).toContain('access denied');
    expect(submitted).toMatchObject({ failure: 'rejected', code: 'LEDGER_REJECTED' });
    expect(submitted.txId).toMatch(/^[0-9a-f]{64}$/u);
  });

  it('a channel the peer does not serve: LEDGER_REJECTED naming it, on evaluate, submit and events', async () => {
    const client = ledgerSigningWith(gatewayCertificate(target.ca), 'no-such-channel');

    const evaluated = await rejectionOf(client.getBatch(gatewayActor, 'batch-1'));
    const submitted = await rejectionOf(anchor(client));
    const stream = await ledgers.at(-1)!.events(checkpointers.inMemory());
    const read = await rejectionOf(stream[Symbol.asyncIterator]().next());
    stream.close();

    expect(read).toMatchObject({ failure: 'rejected', code: 'LEDGER_REJECTED' });
    expect(grpcCode(read)).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(evaluated).toMatchObject({ failure: 'rejected', code: 'LEDGER_REJECTED' });
    expect(evaluated.message).toContain('no-such-channel');
    // Fabric answers UNAVAILABLE here, though nothing will change by waiting.
    expect(grpcCode(evaluated)).toBe(GrpcStatus.UNAVAILABLE);
    expect(grpcCode(submitted)).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(submitted).toMatchObject({ failure: 'rejected', code: 'LEDGER_REJECTED' });
    expect(submitted.message).toContain('no-such-channel');
    expect(submitted.txId).toMatch(/^[0-9a-f]{64}$/u);
  });

  it("a contract's refusal on evaluate: LEDGER_REJECTED with the contract's code", async () => {
    const client = ledgerSigningWith(gatewayCertificate(target.ca));

    const evaluated = await rejectionOf(client.getBatch(gatewayActor, 'batch-none'));

    expect(evaluated).toMatchObject({ failure: 'rejected', chaincodeCode: 'NOT_FOUND' });
    expect(evaluated.message).toContain('batch-none is not anchored');
    expect(grpcCode(evaluated)).toBe(GrpcStatus.UNKNOWN);
  });
});
