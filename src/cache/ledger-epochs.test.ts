import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkpointers, type Checkpointer } from '@hyperledger/fabric-gateway';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedLedger } from '../ledger/embedded-ledger.js';
import { LedgerClient } from '../ledger/ledger-client.js';
import type { LedgerActor } from '../ledger/ledger.js';
import { LedgerEpochs } from './ledger-epochs.js';

const GATEWAY: LedgerActor = { user: 'epochs-test', role: 'gateway' };
const PATIENT = 'mp-0123456789ab';
const patient: LedgerActor = { user: 'p-1', role: 'patient', patient: PATIENT };
const HASH = 'a'.repeat(64);

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

describe('LedgerEpochs', () => {
  let dir: string;
  let ledger: EmbeddedLedger;
  let client: LedgerClient;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-epochs-'));
    ledger = await EmbeddedLedger.open({ dir });
    client = new LedgerClient(ledger);
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
