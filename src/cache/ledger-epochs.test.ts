import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { checkpointers, type Checkpointer } from '@hyperledger/fabric-gateway';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../ledger/certificate-authority.js';
import { EmbeddedLedger } from '../ledger/embedded-ledger.js';
import { fabricCaAttributes } from '../ledger/fabric-identities.js';
import { FabricLedger } from '../ledger/fabric-ledger.js';
import { GLOBAL_IDS, LedgerClient } from '../ledger/ledger-client.js';
import type { LedgerActor } from '../ledger/ledger.js';
import { LedgerEpochs } from './ledger-epochs.js';

const GATEWAY: LedgerActor = { user: 'epochs-test', role: 'gateway' };
const PATIENT = 'mp-0123456789ab';
const patient: LedgerActor = { user: 'p-1', role: 'patient', patient: PATIENT };
const HASH = 'a'.repeat(64);

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

describe('LedgerEpochs', () => {
  let dir: string;
  let ledger: EmbeddedLedger;
  let client: LedgerClient;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-epochs-'));
    ledger = await EmbeddedLedger.open({ dir });
    client = new LedgerClient(ledger, GLOBAL_IDS);
  });
  afterEach(async () => {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("moves a patient's epoch on every grant and revocation, as the ledger counts them", async () => {
    const epochs = new LedgerEpochs({
      client,
      ledger,
      actor: GATEWAY,
      checkpointer: () => Promise.resolve(checkpointers.inMemory()),
    });
    await epochs.start();
    expect(await epochs.read(PATIENT)).toEqual({ consents: 0, policies: 0 });
    await client.recordConsent(GATEWAY, { consentId: 'c-1', patientRef: PATIENT, hash: HASH, version: '1' });
    expect(await epochs.read(PATIENT)).toEqual({ consents: 1, policies: 0 });
    await client.revokeConsent(patient, 'c-1');
    expect(await epochs.read(PATIENT)).toEqual({ consents: 2, policies: 0 });
    expect(await epochs.read('mp-ba9876543210')).toEqual({ consents: 0, policies: 0 });
    await epochs.close();
  });

  it('serves no epochs (so no cached entry) while the event stream is lost, and again once it is back', async () => {
    let failures = 2;
    const errors: unknown[] = [];
    const epochs = new LedgerEpochs({
      client,
      ledger,
      actor: GATEWAY,
      retryMs: 10,
      // The stream cannot be (re)opened twice, as when the peer is unreachable.
      checkpointer: (): Promise<Checkpointer> =>
        failures-- > 0 ? Promise.reject(new Error('peer unreachable')) : Promise.resolve(checkpointers.inMemory()),
      onStreamError: (err) => errors.push(err),
    });
    await epochs.start();
    expect(epochs.streaming).toBe(false);
    expect(await epochs.read(PATIENT)).toBeNull();
    await until(() => epochs.streaming);
    expect(errors).toHaveLength(2);
    expect(await epochs.read(PATIENT)).toEqual({ consents: 0, policies: 0 });
    await epochs.close();
  });
});

describe('LedgerEpochs against a Fabric peer that does not answer', () => {
  it('backs off exponentially, with jitter, though each stream "opens" and fails only on its first read', async () => {
    // A port nothing listens on: fabric-gateway's event stream opens, then fails when read.
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const { port } = gone.address() as AddressInfo;
    await new Promise((resolve) => gone.close(resolve));
    const ca = await CertificateAuthority.create('Org1MSP');
    const identity = ca.issue(GATEWAY.user, { attributes: fabricCaAttributes(GATEWAY) });
    const ledger = new FabricLedger({
      peerEndpoint: `127.0.0.1:${String(port)}`,
      channel: 'meridian',
      chaincode: 'meridian',
      identities: { identityFor: () => identity, gatewayIdentity: () => identity },
    });
    const delays: number[] = [];
    const epochs = new LedgerEpochs({
      client: new LedgerClient(ledger, GLOBAL_IDS),
      ledger,
      actor: GATEWAY,
      retryMs: 40,
      maxRetryMs: 400,
      checkpointer: () => Promise.resolve(checkpointers.inMemory()),
      onStreamError: (_err: unknown, retryInMs: number) => delays.push(retryInMs),
    });
    try {
      await epochs.start();
      await until(() => delays.length >= 6);
    } finally {
      await epochs.close();
      await ledger.close();
    }
    // Each wait lies in the upper half of its step: 40, 80, 160, 320, then the 400 ms cap.
    const steps = [40, 80, 160, 320, 400, 400];
    steps.forEach((step, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(step / 2);
      expect(delays[i]).toBeLessThanOrEqual(step);
    });
  });
});
