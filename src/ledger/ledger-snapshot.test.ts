import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatVerification, verifyLedger } from '../cli/ledger.command.js';
import { EmbeddedLedger } from './embedded-ledger.js';
import type { HeadCheckpoint, RecordedHead } from './head-checkpoint.js';
import { GLOBAL_IDS, LedgerClient } from './ledger-client.js';
import { LEDGER_FILES } from './ledger-folder.js';
import { LedgerIntegrityError } from './ledger-integrity-error.js';
import { LedgerKey } from './ledger-key.js';
import { readSnapshot } from './ledger-snapshot.js';
import type { LedgerActor } from './ledger.js';
import { LogCertificates } from './log-certificates.js';
import { formatLogEntry, GENESIS_HASH, hashEntryBody, parseLogEntry, type LogEntry } from './log-entry.js';

const gateway: LedgerActor = { user: 'gateway-eu-de', role: 'gateway' };
const PATIENT = 'mp-0123456789ab';
const patient: LedgerActor = { user: 'patient-0123', role: 'patient', patient: PATIENT };
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

let tmp: string;
let dir: string;
let warnings: string[];
const opened: EmbeddedLedger[] = [];

/** A real pino logger whose warnings the test reads. */
function logger(): pino.Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done): void {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line !== '') warnings.push((JSON.parse(line) as { msg: string }).msg);
      }
      done();
    },
  });
  return pino({ level: 'warn' }, sink);
}

async function openLedger(
  options: { snapshotInterval?: number; in?: string } = {},
): Promise<{ ledger: EmbeddedLedger; client: LedgerClient }> {
  const ledger = await EmbeddedLedger.open({ dir: options.in ?? dir, logger: logger(), ...options });
  opened.push(ledger);
  return { ledger, client: new LedgerClient(ledger, GLOBAL_IDS) };
}

async function close(ledger: EmbeddedLedger): Promise<void> {
  await ledger.close();
  opened.splice(opened.indexOf(ledger), 1);
}

/** Records consents `consent-<from>` to `consent-<to>`, one transaction each. */
async function recordConsents(client: LedgerClient, from: number, to: number): Promise<void> {
  for (let i = from; i <= to; i++) {
    const consentId = `consent-${String(i)}`;
    await client.recordConsent(gateway, { consentId, patientRef: PATIENT, hash: sha(consentId), version: '1' });
  }
}

/** What a user of the ledger sees of those consents. */
async function statuses(client: LedgerClient, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 1; i <= count; i++) {
    out.push(
      await client.getConsentStatus(gateway, `consent-${String(i)}`).then(
        (c) => c.status,
        () => 'missing',
      ),
    );
  }
  return out;
}

const file = (name: string, folder = dir): string => path.join(folder, name);
const logFile = (folder = dir): string => file(LEDGER_FILES.log, folder);
const snapshotFile = (folder = dir): string => file(LEDGER_FILES.snapshot, folder);
const readLines = async (): Promise<string[]> => (await readFile(logFile(), 'utf8')).split('\n').slice(0, -1);
const writeLines = (lines: readonly string[]): Promise<void> =>
  writeFile(logFile(), lines.map((l) => `${l}\n`).join(''));
const snapshotHeight = async (): Promise<number | undefined> => {
  const reading = await readSnapshot(snapshotFile(), await LedgerKey.load(file(LEDGER_FILES.key)));
  return reading && 'snapshot' in reading ? reading.snapshot.height : undefined;
};

/** A ledger of five consents (#1 to #5) with the patient's revocation of consent-2 (#6), closed: its snapshot is at #6. */
async function closedLedger(): Promise<void> {
  const { ledger, client } = await openLedger();
  await recordConsents(client, 1, 5);
  await client.revokeConsent(patient, 'consent-2', 'patient_request');
  await close(ledger);
}

const AFTER_SIX = ['active', 'revoked', 'active', 'active', 'active'];

/** A checkpoint outside the log that recorded `head` (and records nothing more). */
function recordedAt(head: RecordedHead): HeadCheckpoint {
  return { recorded: () => Promise.resolve([head]), record: () => Promise.resolve() };
}

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'meridian-snapshot-'));
  dir = path.join(tmp, 'ledger');
  warnings = [];
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
  await rm(tmp, { recursive: true, force: true });
});

describe('EmbeddedLedger state snapshot', () => {
  it('reopens from the snapshot written at close with the same state and height, and keeps committing', async () => {
    await closedLedger();
    expect(await snapshotHeight()).toBe(6);

    const { ledger, client } = await openLedger();
    expect(ledger.height).toBe(6);
    expect(await statuses(client, 5)).toEqual(AFTER_SIX);
    // The patient can still act on their consents: the certificates came back from the snapshot.
    await client.revokeConsent(patient, 'consent-3', 'patient_request');
    expect(ledger.height).toBe(7);
    expect(warnings).toEqual([]);
    expect((await ledger.verify()).ok).toBe(true);
  });

  it('writes a snapshot every interval, and replays the tail written after it', async () => {
    const first = await openLedger({ snapshotInterval: 4 });
    await recordConsents(first.client, 1, 5);
    await vi.waitFor(async () => {
      expect(await snapshotHeight()).toBe(4);
    });
    const atFour = await readFile(snapshotFile());
    await first.client.revokeConsent(patient, 'consent-2', 'patient_request');
    await close(first.ledger);
    // As after a crash past #4: the snapshot at #4, the log up to #6.
    await writeFile(snapshotFile(), atFour);

    const second = await openLedger();
    expect(second.ledger.height).toBe(6);
    expect(await statuses(second.client, 5)).toEqual(AFTER_SIX);
    expect(warnings).toEqual([]);
    await recordConsents(second.client, 6, 6);
    expect((await second.ledger.verify()).ok).toBe(true);
  });

  it('refuses to open when a transaction after the snapshot was tampered with', async () => {
    const first = await openLedger({ snapshotInterval: 3 });
    await recordConsents(first.client, 1, 5);
    await vi.waitFor(async () => {
      expect(await snapshotHeight()).toBe(3);
    });
    const atThree = await readFile(snapshotFile());
    await close(first.ledger);
    await writeFile(snapshotFile(), atThree);
    const lines = await readLines();
    const entry = parseLogEntry(lines[4]!);
    const value = entry.writes[0]!.value!;
    lines[4] = lines[4]!.replace(value, `${value[0] === 'e' ? 'f' : 'e'}${value.slice(1)}`);
    await writeLines(lines);

    const err = await EmbeddedLedger.open({ dir }).then(
      (l) => l.close().then(() => undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LedgerIntegrityError);
    expect(err).toMatchObject({ sequence: 5, txId: entry.txId, problem: 'hash' });
  });

  it('opens from the snapshot over a transaction tampered with before it, which `ledger verify` names', async () => {
    await closedLedger();
    const lines = await readLines();
    const entry = parseLogEntry(lines[1]!);
    const value = entry.writes[0]!.value!;
    lines[1] = lines[1]!.replace(value, `${value[0] === 'e' ? 'f' : 'e'}${value.slice(1)}`);
    await writeLines(lines);

    // The open trusts its own signed snapshot for what it covers ...
    const { ledger, client } = await openLedger();
    expect(await statuses(client, 5)).toEqual(AFTER_SIX);
    const live = await ledger.verify();
    expect(live.firstBad).toMatchObject({ sequence: 2, txId: entry.txId, problem: 'hash' });
    await close(ledger);
    // ... and `meridian ledger verify` checks the whole history from #1, whatever the snapshot.
    const report = await verifyLedger(dir);
    expect(report).toMatchObject({ ok: false, verified: 1 });
    expect(formatVerification(report)).toContain(
      `FAILED: transaction #2 (txid ${entry.txId}): hash does not match its contents`,
    );
  });

  it('still checks the log against heads recorded outside it, before the snapshot and after it', async () => {
    await closedLedger();
    const third = parseLogEntry((await readLines())[2]!);
    const opening = (head: RecordedHead): Promise<unknown> =>
      EmbeddedLedger.open({ dir, headCheckpoint: recordedAt(head), logger: logger() }).then(
        (l) => l.close().then(() => 'opened'),
        (e: unknown) => e,
      );
    expect(await opening({ source: 'a record', height: 3, hash: third.hash })).toBe('opened');
    expect(await opening({ source: 'a record', height: 3, txId: third.txId })).toBe('opened');
    expect(await opening({ source: 'a record', height: 3, hash: sha('another history') })).toMatchObject({
      problem: 'fork',
      sequence: 3,
    });
    expect(await opening({ source: 'a record', height: 8, hash: sha('later') })).toMatchObject({
      problem: 'rolled-back',
      sequence: 7,
    });
    expect(warnings).toEqual([]);
  });

  describe('is ignored, and the log replayed in full, when it', () => {
    async function opensByFullReplay(height = 6, expected = AFTER_SIX): Promise<void> {
      const { ledger, client } = await openLedger();
      expect(ledger.height).toBe(height);
      expect(await statuses(client, 5)).toEqual(expected);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/state snapshot is not used .*: replaying its whole log/);
      // Closing writes a good snapshot again.
      await close(ledger);
      expect(await snapshotHeight()).toBe(height);
    }

    it('has a byte flipped', async () => {
      await closedLedger();
      const bytes = await readFile(snapshotFile());
      // A character inside the first state value's base64.
      const at = bytes.indexOf('"state":[["') + 40;
      bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
      await writeFile(snapshotFile(), bytes);
      await opensByFullReplay();
      expect(warnings[0]).toContain("not signed by this ledger's key");
    });

    it('is signed by another key', async () => {
      await closedLedger();
      const [header, body] = (await readFile(snapshotFile(), 'utf8')).split('\n');
      const digest = createHash('sha256').update(`meridian-ledger-snapshot/1\n${body!}`).digest('hex');
      const forged = { ...(JSON.parse(header!) as object), signature: LedgerKey.generate().sign(digest) };
      await writeFile(snapshotFile(), `${JSON.stringify(forged)}\n${body!}\n`);
      await opensByFullReplay();
      expect(warnings[0]).toContain("not signed by this ledger's key");
    });

    it('is cut short or is not a snapshot at all', async () => {
      await closedLedger();
      const text = await readFile(snapshotFile(), 'utf8');
      await writeFile(snapshotFile(), text.slice(0, text.length / 2));
      await opensByFullReplay();
      await writeFile(snapshotFile(), 'garbage');
      warnings = [];
      await opensByFullReplay();
    });

    it("is another ledger's", async () => {
      await closedLedger();
      const other = path.join(tmp, 'other');
      const { ledger } = await openLedger({ in: other });
      await close(ledger);
      await copyFile(snapshotFile(dir), path.join(tmp, 'mine'));
      const elsewhere = await openLedger({ in: other });
      await recordConsents(elsewhere.client, 1, 6);
      await close(elsewhere.ledger);
      await copyFile(snapshotFile(other), snapshotFile());
      await opensByFullReplay();
    });

    it('is of another history of this ledger (same key, the log replaced)', async () => {
      const { ledger, client } = await openLedger();
      await recordConsents(client, 1, 3);
      await close(ledger);
      const fork = path.join(tmp, 'fork');
      await copyFile(logFile(), path.join(tmp, 'log-at-3'));
      // History A: #4 to #6 as in closedLedger; history B: #4 onwards something else.
      const a = await openLedger();
      await recordConsents(a.client, 4, 5);
      await a.client.revokeConsent(patient, 'consent-2', 'patient_request');
      await close(a.ledger);
      await copyFile(snapshotFile(), fork);
      await copyFile(path.join(tmp, 'log-at-3'), logFile());
      await rm(snapshotFile());
      const b = await openLedger();
      await recordConsents(b.client, 4, 6);
      await close(b.ledger);
      // History B's log with history A's snapshot, same height, same key.
      await copyFile(fork, snapshotFile());
      warnings = [];
      await opensByFullReplay(6, ['active', 'active', 'active', 'active', 'active']);
      expect(warnings[0]).toMatch(/the log does not hold its transaction #6 where it says|is not the one it names/);
    });

    it('is beyond the end of the log', async () => {
      await closedLedger();
      await writeLines((await readLines()).slice(0, 3));
      await opensByFullReplay(3, ['active', 'active', 'active', 'missing', 'missing']);
      expect(warnings[0]).toContain('the log does not hold its transaction #6');
    });
  });
});

describe('EmbeddedLedger log format', () => {
  /** Rewrites the log as the format before certificates by hash wrote it, re-signed with the ledger's key. */
  async function toOldFormat(): Promise<void> {
    const key = await LedgerKey.load(file(LEDGER_FILES.key));
    const certificates = new LogCertificates();
    let prevHash = GENESIS_HASH;
    const lines: string[] = [];
    for (const entry of (await readLines()).map(parseLogEntry)) {
      const resolved = certificates.resolve(entry.invoker);
      if (!('pem' in resolved)) throw new Error(resolved.problem);
      certificates.add(resolved.pem);
      const invoker = { mspId: entry.invoker.mspId, id: entry.invoker.id, certificate: resolved.pem };
      const body = { ...entry, invoker, prevHash };
      const hash = hashEntryBody(body);
      lines.push(formatLogEntry({ ...body, hash, signature: key.sign(hash) }));
      prevHash = hash;
    }
    await writeLines(lines);
    await rm(snapshotFile(), { force: true });
  }

  it('names a certificate once per actor: later entries name it by hash only', async () => {
    await closedLedger();
    const entries = (await readLines()).map(parseLogEntry);
    const carried = entries.filter((e) => e.invoker.certificate !== undefined).map((e) => e.sequence);
    // The gateway's certificate on #1, the patient's on #6; every entry names its certificate's hash.
    expect(carried).toEqual([1, 6]);
    expect(entries.every((e) => 'certificateHash' in e.invoker)).toBe(true);
    expect(entries[3]!.invoker).toEqual({ ...entries[0]!.invoker, certificate: undefined });
  });

  it('opens and verifies an old log, whose every entry carries its certificate, and appends to it', async () => {
    await closedLedger();
    await toOldFormat();
    const old = (await readLines()).map(parseLogEntry);
    expect(old.every((e) => !('certificateHash' in e.invoker) && e.invoker.certificate.includes('CERTIFICATE'))).toBe(
      true,
    );

    const { ledger, client } = await openLedger();
    expect(ledger.height).toBe(6);
    expect(await statuses(client, 5)).toEqual(AFTER_SIX);
    // A missing snapshot of a ledger with a log is worth a warning too.
    expect(warnings).toHaveLength(1);
    await client.revokeConsent(patient, 'consent-1', 'patient_request');
    await close(ledger);
    const appended = parseLogEntry((await readLines())[6]!);
    // The patient's certificate is in the old entry #6 already: the new entry names it by hash.
    expect(appended.invoker).toMatchObject({ id: old[5]!.invoker.id });
    expect(appended.invoker.certificate).toBeUndefined();
    expect((await verifyLedger(dir)).ok).toBe(true);
    const again = await openLedger();
    expect(await statuses(again.client, 5)).toEqual(['revoked', 'revoked', 'active', 'active', 'active']);
  });

  it('refuses an entry that names a certificate the log does not hold before it', async () => {
    const { ledger, client } = await openLedger();
    await recordConsents(client, 1, 3);
    await close(ledger);
    await rm(snapshotFile());
    const key = await LedgerKey.load(file(LEDGER_FILES.key));
    const lines = await readLines();
    const first = parseLogEntry(lines[0]!);
    // #1 re-signed without its certificate: #1 to #3 then name a certificate nobody carries.
    if (!('certificateHash' in first.invoker)) throw new Error('a new log names certificates by hash');
    const { mspId, id, certificateHash } = first.invoker;
    const body: Omit<LogEntry, 'hash' | 'signature'> = { ...first, invoker: { mspId, id, certificateHash } };
    const hash = hashEntryBody(body);
    lines[0] = formatLogEntry({ ...body, hash, signature: key.sign(hash) });
    const second = parseLogEntry(lines[1]!);
    const relinked = { ...second, prevHash: hash };
    const secondHash = hashEntryBody(relinked);
    lines[1] = formatLogEntry({ ...relinked, hash: secondHash, signature: key.sign(secondHash) });
    await writeLines(lines);

    const err = await EmbeddedLedger.open({ dir }).then(
      (l) => l.close().then(() => undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LedgerIntegrityError);
    expect(err).toMatchObject({ sequence: 1, problem: 'invoker' });
    expect((err as Error).message).toContain('is not in the log before it');
  });
});
