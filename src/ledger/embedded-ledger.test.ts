import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkpointers } from '@hyperledger/fabric-gateway';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedLedger } from './embedded-ledger.js';
import type { EmbeddedLedgerEvent } from './event-stream.js';
import { GLOBAL_IDS, LedgerClient } from './ledger-client.js';
import { LedgerError } from './ledger-error.js';
import { LEDGER_FILES } from './ledger-folder.js';
import { LedgerIntegrityError } from './ledger-integrity-error.js';
import { LedgerKey } from './ledger-key.js';
import type { LedgerActor } from './ledger.js';
import { formatLogEntry, hashEntryBody, parseLogEntry, type LogEntry } from './log-entry.js';

const alice: LedgerActor = { user: 'officer-alice', role: 'compliance_officer', jurisdiction: 'DE' };
const bob: LedgerActor = { user: 'officer-bob', role: 'compliance_officer', jurisdiction: 'DE' };
const gateway: LedgerActor = { user: 'gateway-eu-de', role: 'gateway' };
const PATIENT = 'mp-0123456789ab';
const patient: LedgerActor = { user: 'patient-0123', role: 'patient', patient: PATIENT };
const otherPatient: LedgerActor = { user: 'patient-9876', role: 'patient', patient: 'mp-ba9876543210' };

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

let tmp: string;
let dir: string;
const open: EmbeddedLedger[] = [];

async function openLedger(): Promise<{ ledger: EmbeddedLedger; client: LedgerClient }> {
  const ledger = await EmbeddedLedger.open({ dir });
  open.push(ledger);
  return { ledger, client: new LedgerClient(ledger, GLOBAL_IDS) };
}

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'meridian-ledger-'));
  dir = path.join(tmp, 'ledger');
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
  await rm(tmp, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<LedgerError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LedgerError);
  return err as LedgerError;
}

/** Records a consent for the patient and has the patient revoke it: two transactions, one event. */
async function revokeNewConsent(client: LedgerClient, n: number): Promise<string> {
  const consentId = `consent-${String(n)}`;
  await client.recordConsent(gateway, { consentId, patientRef: PATIENT, hash: sha(consentId), version: '1' });
  return (await client.revokeConsent(patient, consentId, 'patient_request')).txId;
}

/** The next `n` revocation and activation events (every grant emits ConsentRecorded too; skipped here). */
async function take(iterator: AsyncIterator<EmbeddedLedgerEvent>, n: number): Promise<EmbeddedLedgerEvent[]> {
  const events: EmbeddedLedgerEvent[] = [];
  while (events.length < n) {
    const next = await iterator.next();
    if (next.done === true) break;
    if (next.value.eventName !== 'ConsentRecorded') events.push(next.value);
  }
  return events;
}

const logFile = (): string => path.join(dir, LEDGER_FILES.log);
const readLines = async (): Promise<string[]> => (await readFile(logFile(), 'utf8')).split('\n').slice(0, -1);
const writeLines = (lines: readonly string[]): Promise<void> =>
  writeFile(logFile(), lines.map((l) => `${l}\n`).join(''));

describe('EmbeddedLedger through LedgerClient', () => {
  it('runs a policy through four-eyes approval and activation, refusing the author as approver', async () => {
    const { ledger, client } = await openLedger();
    const hash = sha('policy DE 2025.1');
    const recorded = await client.recordPolicyVersion(alice, { jurisdiction: 'DE', version: '2025.1', hash });
    expect(recorded.value).toMatchObject({ status: 'recorded', author: 'officer-alice', authorMsp: 'MeridianMSP' });
    expect(recorded.blockNumber).toBe(1n);
    expect(recorded.txId).toMatch(/^[0-9a-f]{64}$/);

    const own = await rejection(client.approvePolicyVersion(alice, { jurisdiction: 'DE', version: '2025.1' }));
    expect(own.failure).toBe('rejected');
    expect(own.chaincodeCode).toBe('FORBIDDEN');
    expect(own.message).toContain('other than its author');
    expect(own.txId).toMatch(/^[0-9a-f]{64}$/);
    expect(ledger.height).toBe(1);
    expect((await client.getPolicyVersion(bob, 'DE', '2025.1')).status).toBe('recorded');

    const approved = await client.approvePolicyVersion(bob, { jurisdiction: 'DE', version: '2025.1' });
    expect(approved.value).toMatchObject({ status: 'approved', approver: 'officer-bob' });
    const active = await client.activatePolicyVersion(alice, { jurisdiction: 'DE', version: '2025.1' });
    expect(active.blockNumber).toBe(3n);
    expect(await client.getActivePolicy(gateway, 'DE')).toMatchObject({ version: '2025.1', hash, status: 'active' });
    const history = await client.getPolicyHistory(gateway, 'DE');
    expect(history.map((h) => [h.action, h.actor, h.txId])).toEqual([
      ['recorded', 'officer-alice', recorded.txId],
      ['approved', 'officer-bob', approved.txId],
      ['activated', 'officer-alice', active.txId],
    ]);
    expect((await rejection(client.getActivePolicy(gateway, 'FR'))).chaincodeCode).toBe('NOT_FOUND');
  });

  it("lets the patient revoke their consent and refuses another patient's revocation", async () => {
    const { ledger, client } = await openLedger();
    const recorded = await client.recordConsent(gateway, {
      consentId: 'consent-1',
      patientRef: PATIENT,
      hash: sha('consent 1'),
      version: '1',
    });
    expect(recorded.value.status).toBe('active');

    const stranger = await rejection(client.revokeConsent(otherPatient, 'consent-1'));
    expect(stranger.chaincodeCode).toBe('FORBIDDEN');
    expect(ledger.height).toBe(1);
    expect((await client.getConsentStatus(gateway, 'consent-1')).status).toBe('active');

    const revoked = await client.revokeConsent(patient, 'consent-1', 'patient_request');
    expect(revoked.value).toMatchObject({ status: 'revoked', patientRef: PATIENT });
    expect((await client.getConsentStatus(gateway, 'consent-1')).status).toBe('revoked');
    const history = await client.getConsentHistory(gateway, 'consent-1');
    expect(history.map((h) => h.action)).toEqual(['recorded', 'revoked']);
    expect((await rejection(client.revokeConsent(patient, 'consent-1'))).chaincodeCode).toBe('CONFLICT');
  });

  it('anchors a batch once and reads it back', async () => {
    const { client } = await openLedger();
    const batch = {
      batchId: 'audit-2025-01-31-eu-de',
      kind: 'audit' as const,
      region: 'eu-de',
      merkleRoot: sha('root'),
      count: 42,
      fromTime: '2025-01-31T00:00:00Z',
      toTime: '2025-01-31T23:59:59Z',
    };
    const anchored = await client.anchorBatch(gateway, batch);
    expect(await client.getBatch(gateway, batch.batchId)).toEqual(anchored.value);
    expect(anchored.value).toMatchObject({ merkleRoot: batch.merkleRoot, count: 42, txId: anchored.txId });
    expect((await rejection(client.anchorBatch(gateway, batch))).chaincodeCode).toBe('CONFLICT');
    expect((await rejection(client.getBatch(gateway, 'no-such-batch'))).chaincodeCode).toBe('NOT_FOUND');
  });

  it('commits concurrent submissions one at a time, in contiguous blocks', async () => {
    const { ledger, client } = await openLedger();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        client.recordConsent(gateway, {
          consentId: `c-${String(i)}`,
          patientRef: PATIENT,
          hash: sha(String(i)),
          version: '1',
        }),
      ),
    );
    expect(results.map((r) => r.blockNumber).sort((a, b) => Number(a - b))).toEqual(
      Array.from({ length: 12 }, (_, i) => BigInt(i + 1)),
    );
    expect(ledger.height).toBe(12);
    expect((await ledger.verify({ reexecute: true })).ok).toBe(true);
  });

  it('refuses calls once closed, and a second open of the same folder', async () => {
    const { ledger, client } = await openLedger();
    await expect(EmbeddedLedger.open({ dir })).rejects.toThrow(/already open in this process/);
    await ledger.close();
    const closed = await rejection(
      client.recordConsent(gateway, { consentId: 'x', patientRef: PATIENT, hash: sha('x'), version: '1' }),
    );
    expect(closed.failure).toBe('unavailable');
  });
});

describe('EmbeddedLedger durability', () => {
  it('reopens from its folder with the same state, keeping each actor its certificate', async () => {
    const first = await openLedger();
    const hash = sha('policy');
    await first.client.recordPolicyVersion(alice, { jurisdiction: 'DE', version: 'v1', hash });
    await first.client.approvePolicyVersion(bob, { jurisdiction: 'DE', version: 'v1' });
    const activated = await first.client.activatePolicyVersion(alice, { jurisdiction: 'DE', version: 'v1' });
    await revokeNewConsent(first.client, 1);
    await first.ledger.close();

    const second = await openLedger();
    expect(second.ledger.height).toBe(5);
    expect(await second.client.getActivePolicy(gateway, 'DE')).toMatchObject({
      version: 'v1',
      hash,
      status: 'active',
    });
    expect((await second.client.getConsentStatus(gateway, 'consent-1')).status).toBe('revoked');
    // The author is still the author after a restart: the same certificate attributes decide.
    const next = await second.client.recordPolicyVersion(alice, { jurisdiction: 'DE', version: 'v2', hash: sha('v2') });
    expect(next.blockNumber).toBe(6n);
    expect(
      (await rejection(second.client.approvePolicyVersion(alice, { jurisdiction: 'DE', version: 'v2' }))).chaincodeCode,
    ).toBe('FORBIDDEN');
    const lines = (await readLines()).map(parseLogEntry);
    expect(lines.map((l) => l.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    // Alice's certificate is in the log once, on her first transaction; later ones name it by hash.
    expect(lines[5]!.invoker).toEqual({ ...lines[0]!.invoker, certificate: undefined });
    expect(lines[0]!.invoker.certificate).toContain('BEGIN CERTIFICATE');
    expect(lines.filter((l) => l.invoker.certificate !== undefined)).toHaveLength(4);
    expect(lines[2]!.txId).toBe(activated.txId);
    expect(lines[2]!.event?.name).toBe('PolicyActivated');
    expect(lines[1]!.prevHash).toBe(lines[0]!.hash);
  });

  it('drops an append cut short, which was never acknowledged, and carries on', async () => {
    const first = await openLedger();
    await revokeNewConsent(first.client, 1);
    await first.ledger.close();
    await appendFile(logFile(), '{"sequence":3,"txId":"ab');

    const second = await openLedger();
    expect(second.ledger.height).toBe(2);
    expect((await revokeNewConsent(second.client, 2)).length).toBe(64);
    expect((await readLines()).map((l) => parseLogEntry(l).sequence)).toEqual([1, 2, 3, 4]);
    expect((await second.ledger.verify()).ok).toBe(true);
  });

  it('keeps a last transaction that lost only its newline', async () => {
    const first = await openLedger();
    const txId = await revokeNewConsent(first.client, 1);
    await first.ledger.close();
    const text = await readFile(logFile(), 'utf8');
    await writeFile(logFile(), text.slice(0, -1));

    const second = await openLedger();
    expect(second.ledger.height).toBe(2);
    expect(await readFile(logFile(), 'utf8')).toBe(text);
    expect(parseLogEntry((await readLines())[1]!).txId).toBe(txId);
  });
});

describe('EmbeddedLedger tampering', () => {
  async function ledgerOf(transactions: number): Promise<LogEntry[]> {
    const { ledger, client } = await openLedger();
    for (let i = 1; i <= transactions; i++) {
      await client.anchorBatch(gateway, {
        batchId: `batch-${String(i)}`,
        kind: 'records',
        region: 'eu-de',
        merkleRoot: sha(`root ${String(i)}`),
        count: i,
        fromTime: '2025-01-01T00:00:00Z',
        toTime: '2025-01-02T00:00:00Z',
      });
    }
    await ledger.close();
    open.splice(open.indexOf(ledger), 1);
    // The tests below tamper with transactions the snapshot written at close covers, so they
    // open without it, by full replay; 'EmbeddedLedger state snapshot' covers opening from one.
    await rm(path.join(dir, LEDGER_FILES.snapshot));
    return (await readLines()).map(parseLogEntry);
  }

  async function openFailure(): Promise<LedgerIntegrityError> {
    const err = await EmbeddedLedger.open({ dir }).then(
      (l) => l.close().then(() => undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LedgerIntegrityError);
    const report = await EmbeddedLedger.verify({ dir });
    const integrity = err as LedgerIntegrityError;
    expect(report.ok).toBe(false);
    expect(report.firstBad).toMatchObject({
      sequence: integrity.sequence,
      txId: integrity.txId,
      problem: integrity.problem,
    });
    expect(report.verified).toBe(integrity.sequence - 1);
    return integrity;
  }

  it('names a transaction whose write set was changed by one byte', async () => {
    const entries = await ledgerOf(8);
    const lines = await readLines();
    const value = entries[6]!.writes[0]!.value!;
    const changed = `${value[0] === 'e' ? 'f' : 'e'}${value.slice(1)}`;
    lines[6] = lines[6]!.replace(value, changed);
    await writeLines(lines);

    const err = await openFailure();
    expect(err.sequence).toBe(7);
    expect(err.txId).toBe(entries[6]!.txId);
    expect(err.problem).toBe('hash');
    expect(err.message).toContain(`transaction #7 (txid ${entries[6]!.txId}): hash does not match its contents`);
    expect(err.code).toBe('INTEGRITY_VIOLATION');
  });

  it('names the sequence of a removed transaction', async () => {
    const entries = await ledgerOf(6);
    const lines = await readLines();
    lines.splice(3, 1);
    await writeLines(lines);

    const err = await openFailure();
    expect(err).toMatchObject({ sequence: 4, txId: null, problem: 'missing' });
    expect(err.message).toContain(
      `transaction #4 is missing: expected #4 on line 4, found #5 (txid ${entries[4]!.txId})`,
    );
  });

  it('reports two swapped transactions', async () => {
    const entries = await ledgerOf(6);
    const lines = await readLines();
    [lines[2], lines[3]] = [lines[3]!, lines[2]!];
    await writeLines(lines);

    const err = await openFailure();
    expect(err).toMatchObject({ sequence: 3, txId: entries[2]!.txId, problem: 'out-of-order' });
    expect(err.message).toContain(`transaction #3 (txid ${entries[2]!.txId}) is out of order`);
  });

  it('reports an appended transaction whose hash is right but which this ledger did not sign', async () => {
    const entries = await ledgerOf(3);
    const last = entries[2]!;
    const forged = { ...last, sequence: 4, txId: sha('forged'), prevHash: last.hash, args: [...last.args] };
    forged.args[0] = 'batch-forged';
    const body = { ...forged, argsHash: sha(JSON.stringify(forged.args)) };
    const hash = hashEntryBody(body);
    const signature = LedgerKey.generate().sign(hash);
    await appendFile(logFile(), `${formatLogEntry({ ...body, hash, signature })}\n`);

    const err = await openFailure();
    expect(err).toMatchObject({ sequence: 4, txId: sha('forged'), problem: 'signature' });
    expect(err.message).toContain(`transaction #4 (txid ${sha('forged')}): signature is not valid`);
  });

  it('reports a broken previous-hash link', async () => {
    const entries = await ledgerOf(3);
    const key = await LedgerKey.load(path.join(dir, LEDGER_FILES.key));
    const body = { ...entries[1]!, prevHash: sha('elsewhere') };
    const hash = hashEntryBody(body);
    const lines = await readLines();
    lines[1] = formatLogEntry({ ...body, hash, signature: key.sign(hash) });
    await writeLines(lines);

    const err = await openFailure();
    expect(err).toMatchObject({ sequence: 2, txId: entries[1]!.txId, problem: 'previous-hash' });
    expect(err.message).toContain('previous-hash link broken');
  });

  it('catches, on re-execution, a write set re-signed with the stolen key that the chaincode would not write', async () => {
    const { ledger, client } = await openLedger();
    await client.recordPolicyVersion(alice, { jurisdiction: 'DE', version: 'v1', hash: sha('v1') });
    await client.approvePolicyVersion(bob, { jurisdiction: 'DE', version: 'v1' });
    await ledger.close();
    open.splice(open.indexOf(ledger), 1);

    const lines = await readLines();
    const approval = parseLogEntry(lines[1]!);
    const writes = approval.writes.map((w) => {
      if (w.value === null) return w;
      const decoded = Buffer.from(w.value, 'base64').toString('utf8').replaceAll('officer-bob', 'officer-alice');
      return { key: w.key.replaceAll('officer-bob', 'officer-alice'), value: Buffer.from(decoded).toString('base64') };
    });
    const key = await LedgerKey.load(path.join(dir, LEDGER_FILES.key));
    const body = { ...approval, writes };
    const hash = hashEntryBody(body);
    lines[1] = formatLogEntry({ ...body, hash, signature: key.sign(hash) });
    await writeLines(lines);

    expect((await EmbeddedLedger.verify({ dir })).ok).toBe(true);
    const report = await EmbeddedLedger.verify({ dir, reexecute: true });
    expect(report.ok).toBe(false);
    expect(report.firstBad).toMatchObject({ sequence: 2, txId: approval.txId, problem: 're-execution' });
    expect(report.firstBad?.message).toContain('does not reproduce its write set');
  });

  it('leaves a tampered log as it found it', async () => {
    await ledgerOf(3);
    const lines = await readLines();
    lines.splice(1, 1);
    await writeLines(lines);
    const before = await readFile(logFile());
    await expect(EmbeddedLedger.open({ dir })).rejects.toBeInstanceOf(LedgerIntegrityError);
    expect(await readFile(logFile())).toEqual(before);
  });
});

describe('EmbeddedLedger events', () => {
  it('delivers every event in commit order from a fresh checkpointer, then live ones', async () => {
    const { ledger, client } = await openLedger();
    await client.recordPolicyVersion(alice, { jurisdiction: 'DE', version: 'v1', hash: sha('v1') });
    await client.approvePolicyVersion(bob, { jurisdiction: 'DE', version: 'v1' });
    const activated = await client.activatePolicyVersion(alice, { jurisdiction: 'DE', version: 'v1' });
    const revoked = await revokeNewConsent(client, 1);

    const checkpointer = checkpointers.inMemory();
    const stream = await ledger.events(checkpointer);
    const iterator = stream[Symbol.asyncIterator]();
    const backlog = await take(iterator, 2);
    expect(backlog.map((e) => [e.eventName, e.txId, e.blockNumber])).toEqual([
      ['PolicyActivated', activated.txId, 3n],
      ['ConsentRevoked', revoked, 5n],
    ]);
    expect(JSON.parse(backlog[0]!.payload)).toEqual({ jurisdiction: 'DE', version: 'v1', hash: sha('v1'), epoch: 1 });
    expect(JSON.parse(backlog[1]!.payload)).toEqual({
      consentId: 'consent-1',
      patientRef: PATIENT,
      version: '1',
      epoch: 2,
    });
    // fabric-gateway's checkpointers read blockNumber and transactionId off the event.
    await checkpointer.checkpointChaincodeEvent({ ...backlog[1]!, payload: Buffer.from(backlog[1]!.payload) });
    expect([checkpointer.getBlockNumber(), checkpointer.getTransactionId()]).toEqual([5n, revoked]);

    const pending = take(iterator, 1);
    const live = await revokeNewConsent(client, 2);
    expect((await pending)[0]).toMatchObject({
      eventName: 'ConsentRevoked',
      txId: live,
      transactionId: live,
      blockNumber: 7n,
    });

    const afterClose = (async () => {
      const events: EmbeddedLedgerEvent[] = [];
      for await (const event of stream) events.push(event);
      return events;
    })();
    stream.close();
    expect(await afterClose).toEqual([]);
  });

  it('starts after a checkpointed block, and refuses a checkpoint from another ledger', async () => {
    const { ledger, client } = await openLedger();
    const txIds = [];
    for (let i = 1; i <= 3; i++) txIds.push(await revokeNewConsent(client, i));
    const checkpointer = checkpointers.inMemory();
    await checkpointer.checkpointBlock(4n);
    const stream = await ledger.events(checkpointer);
    expect((await take(stream[Symbol.asyncIterator](), 1))[0]?.txId).toBe(txIds[2]);
    stream.close();

    const foreign = checkpointers.inMemory();
    await foreign.checkpointTransaction(2n, sha('another ledger'));
    await expect(ledger.events(foreign)).rejects.toThrow(/does not hold/);
  });

  it('resumes after a restart from a file checkpoint: every missed event once, none twice', async () => {
    const checkpointFile = path.join(tmp, 'checkpoint.json');
    const first = await openLedger();
    const all: string[] = [];
    for (let i = 1; i <= 4; i++) all.push(await revokeNewConsent(first.client, i));

    const seen: string[] = [];
    let checkpointer = await checkpointers.file(checkpointFile);
    let stream = await first.ledger.events(checkpointer);
    for (const event of await take(stream[Symbol.asyncIterator](), 2)) {
      seen.push(event.txId);
      await checkpointer.checkpointTransaction(event.blockNumber, event.transactionId);
    }
    stream.close();
    await first.ledger.close();

    // Committed while no stream is open, after a restart.
    const second = await openLedger();
    for (let i = 5; i <= 7; i++) all.push(await revokeNewConsent(second.client, i));

    checkpointer = await checkpointers.file(checkpointFile);
    stream = await second.ledger.events(checkpointer);
    const iterator = stream[Symbol.asyncIterator]();
    for (const event of await take(iterator, 5)) {
      seen.push(event.txId);
      await checkpointer.checkpointTransaction(event.blockNumber, event.transactionId);
    }
    expect(seen).toEqual(all);
    const pending = take(iterator, 1);
    const live = await revokeNewConsent(second.client, 8);
    expect((await pending)[0]?.txId).toBe(live);
    stream.close();
    expect(checkpointer.getBlockNumber()).toBe(14n);
  });
});
