import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkpointers } from '@hyperledger/fabric-gateway';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedLedger } from './embedded-ledger.js';
import { InstrumentedLedger, type LedgerCallObserver } from './instrumented-ledger.js';
import { GLOBAL_IDS, LedgerClient } from './ledger-client.js';
import { LedgerError } from './ledger-error.js';
import type { Ledger, LedgerActor } from './ledger.js';

const gateway: LedgerActor = { user: 'gateway-eu-de', role: 'gateway' };
const PATIENT = 'mp-0123456789ab';
const patient: LedgerActor = { user: 'patient-0123', role: 'patient', patient: PATIENT };
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

interface Call {
  kind: string;
  fn: string;
  outcome: string;
  seconds: number;
}

let tmp: string;
let embedded: EmbeddedLedger;
let calls: Call[];
let ledger: InstrumentedLedger;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'meridian-instrumented-'));
  embedded = await EmbeddedLedger.open({ dir: path.join(tmp, 'ledger') });
  calls = [];
  ledger = new InstrumentedLedger(embedded, {
    ledgerCall: (kind, fn, outcome, seconds) => calls.push({ kind, fn, outcome, seconds }),
  });
});

afterEach(async () => {
  await embedded.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('InstrumentedLedger over the embedded ledger', () => {
  it('times each submit and evaluate by chaincode function, results unchanged', async () => {
    const client = new LedgerClient(ledger, GLOBAL_IDS);
    const recorded = await client.recordConsent(gateway, {
      consentId: 'consent-1',
      patientRef: PATIENT,
      hash: sha('consent 1'),
      version: '1',
    });
    expect(recorded.value.status).toBe('active');
    expect(recorded.blockNumber).toBe(1n);
    expect((await client.getConsentStatus(gateway, 'consent-1')).status).toBe('active');
    expect(embedded.height).toBe(1);
    expect(calls.map(({ kind, fn, outcome }) => [kind, fn, outcome])).toEqual([
      ['submit', 'consent:recordConsent', 'ok'],
      ['evaluate', 'consent:getConsentStatus', 'ok'],
    ]);
    for (const call of calls) {
      expect(call.seconds).toBeGreaterThan(0);
      expect(call.seconds).toBeLessThan(10);
    }
  });

  it('reports a rejected call as an error and rethrows the very same error', async () => {
    const client = new LedgerClient(ledger, GLOBAL_IDS);
    const direct = await new LedgerClient(embedded, GLOBAL_IDS).getActivePolicy(gateway, 'FR').catch((e: unknown) => e);
    const err = await client.getActivePolicy(gateway, 'FR').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerError);
    expect((err as LedgerError).chaincodeCode).toBe((direct as LedgerError).chaincodeCode);
    await expect(client.revokeConsent(patient, 'consent-none')).rejects.toBeInstanceOf(LedgerError);
    expect(calls.map(({ kind, fn, outcome }) => [kind, fn, outcome])).toEqual([
      ['evaluate', 'policy:getActivePolicy', 'error'],
      ['submit', 'consent:revokeConsent', 'error'],
    ]);
  });

  it('passes events() and close() through to the wrapped ledger', async () => {
    const client = new LedgerClient(ledger, GLOBAL_IDS);
    const recorded = await client.recordConsent(gateway, {
      consentId: 'consent-2',
      patientRef: PATIENT,
      hash: sha('c2'),
      version: '1',
    });
    const revoked = await client.revokeConsent(patient, 'consent-2', 'patient_request');
    const stream = await ledger.events(checkpointers.inMemory());
    const first = await stream[Symbol.asyncIterator]().next();
    expect(first.done).toBe(false);
    expect([recorded.txId, revoked.txId]).toContain((first.value as { txId: string }).txId);
    stream.close();
    expect(calls.filter((c) => c.kind === 'submit')).toHaveLength(2);
    expect(ledger.inner).toBe(embedded);

    let closed = 0;
    const fake: Ledger = {
      submit: () => Promise.reject(new Error('unused')),
      evaluate: () => Promise.reject(new Error('unused')),
      events: () => Promise.reject(new Error('unused')),
      close: () => {
        closed += 1;
        return Promise.resolve();
      },
    };
    await new InstrumentedLedger(fake, { ledgerCall: () => undefined }).close();
    expect(closed).toBe(1);
  });

  it('still answers when the observer throws', async () => {
    const broken: LedgerCallObserver = {
      ledgerCall: () => {
        throw new Error('metrics down');
      },
    };
    const client = new LedgerClient(new InstrumentedLedger(embedded, broken), GLOBAL_IDS);
    await client.recordConsent(gateway, { consentId: 'consent-3', patientRef: PATIENT, hash: sha('c3'), version: '1' });
    expect((await client.getConsentStatus(gateway, 'consent-3')).status).toBe('active');
  });
});
