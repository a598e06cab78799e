import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { linesToVerify, verifyChain, type ChainStart, type ChainTrust } from './chain-verifier.js';
import { CommittedState } from './committed-state.js';
import { headFault, RecordedPositions, type RecordedHead } from './head-checkpoint.js';
import type { LedgerFolder } from './ledger-folder.js';
import { LedgerIntegrityError } from './ledger-integrity-error.js';
import { readSnapshot, type LedgerSnapshot } from './ledger-snapshot.js';
import { LogCertificates } from './log-certificates.js';
import { GENESIS_HASH, hashEntryBody, parseLogEntry, type LogEntry } from './log-entry.js';
import { readEntriesBefore, type SnapshotHead } from './log-prefix.js';
import { readTransactionLog, type LogContents } from './transaction-log.js';
import { WorldState } from './world-state.js';

export interface ReplayOptions {
  readonly folder: LedgerFolder;
  readonly trust: ChainTrust;
  /** Heads recorded outside the log: a log that ends before one, or differs at one, refuses to open. */
  readonly recorded: readonly RecordedHead[];
  readonly snapshotFile: string;
  /** Told once when a snapshot is there but cannot be used. */
  readonly logger?: Pick<Logger, 'warn'>;
  /** Sees the certificate of each replayed transaction's invoker (the snapshot's first), in log order. */
  readonly onCertificate: (pem: string) => void;
}

/** The log as opened: the state it adds up to, and where appending resumes. */
export interface ReplayedLog {
  readonly committed: CommittedState;
  /** Bytes of the log up to its last newline. */
  readonly completeBytes: number;
  /** A verified last line that lacks only its newline, to be written back with it. */
  readonly unterminated: string | undefined;
  /** The head entry's line, as in the file (undefined for an empty log). */
  readonly headLine: string | undefined;
  /** The snapshot the state started from, null after a full replay. */
  readonly base: SnapshotHead | null;
}

interface SnapshotStart {
  readonly snapshot: LedgerSnapshot;
  readonly world: WorldState;
  readonly head: SnapshotHead;
  readonly headLine: string;
  /** The log from the head's line on. */
  readonly contents: LogContents;
}

/**
 * Rebuilds committed state from the ledger's log: from its state snapshot when the snapshot
 * is signed by the ledger's key and the log's entry at its height is the one it names,
 * verifying only the transactions after it, else from transaction #1. Throws
 * `LedgerIntegrityError` when what it verifies fails, or the log does not reach a recorded head.
 */
export async function replayLog(options: Readonly<ReplayOptions>): Promise<ReplayedLog> {
  const start = await snapshotStart(options);
  if (start === null) return fullReplay(options);
  const { snapshot, head, world } = start;
  const certificates = new LogCertificates();
  for (const pem of snapshot.certificates) {
    certificates.add(pem);
    options.onCertificate(pem);
  }
  const committed = new CommittedState({ head: head.entry, world, certificates });
  const positions = new RecordedPositions(options.recorded);
  await seeRecordedBefore(options, head, positions);
  const { lines, unterminatedLast } = linesToVerify({ ...start.contents, lines: start.contents.lines.slice(1) });
  const chainStart: ChainStart = { height: snapshot.height, hash: snapshot.headHash, certificates };
  const visit = (entry: LogEntry, pem: string): undefined => {
    apply(options, committed, positions, entry, pem);
  };
  const chain = await verifyChain(lines, options.trust, visit, chainStart);
  if (chain.fault) throw new LedgerIntegrityError(options.folder.dir, chain.fault);
  checkRecorded(options, committed, positions);
  return {
    committed,
    completeBytes: start.contents.completeBytes,
    unterminated: unterminatedLast ? lines.at(-1) : undefined,
    headLine: lines.at(-1) ?? start.headLine,
    base: head,
  };
}

async function fullReplay(options: Readonly<ReplayOptions>): Promise<ReplayedLog> {
  const contents = await readTransactionLog(options.folder.logFile);
  const { lines, unterminatedLast } = linesToVerify(contents);
  const committed = new CommittedState();
  const positions = new RecordedPositions(options.recorded);
  const chainStart: ChainStart = { height: 0, hash: GENESIS_HASH, certificates: committed.certificates };
  const visit = (entry: LogEntry, pem: string): undefined => {
    apply(options, committed, positions, entry, pem);
  };
  const chain = await verifyChain(lines, options.trust, visit, chainStart);
  if (chain.fault) throw new LedgerIntegrityError(options.folder.dir, chain.fault);
  checkRecorded(options, committed, positions);
  return {
    committed,
    completeBytes: contents.completeBytes,
    unterminated: unterminatedLast ? lines.at(-1) : undefined,
    headLine: lines.at(-1),
    base: null,
  };
}

function apply(
  options: Readonly<ReplayOptions>,
  committed: CommittedState,
  positions: RecordedPositions,
  entry: LogEntry,
  pem: string,
): void {
  options.onCertificate(pem);
  committed.apply(entry, pem);
  positions.see(entry);
}

function checkRecorded(
  options: Readonly<ReplayOptions>,
  committed: CommittedState,
  positions: RecordedPositions,
): void {
  const { folder } = options;
  const ledgerId = folder.key.fingerprint;
  const log = positions.positions(committed.height, committed.lastHash);
  const gap = headFault(ledgerId, folder.key, options.recorded, log);
  if (gap) throw new LedgerIntegrityError(folder.dir, gap);
}

/** Recorded heads at or before the snapshot's height are looked up in the log, read back as far as the lowest. */
async function seeRecordedBefore(
  options: Readonly<ReplayOptions>,
  head: SnapshotHead,
  positions: RecordedPositions,
): Promise<void> {
  const heights = options.recorded.map((h) => h.height).filter((h) => h > 0 && h <= head.entry.sequence);
  if (heights.length === 0) return;
  const read = await readEntriesBefore(options.folder.logFile, head, Math.min(...heights));
  if ('fault' in read) throw new LedgerIntegrityError(options.folder.dir, read.fault);
  for (const entry of read.entries) positions.see(entry);
}

/** The snapshot to start from, or null (a full replay), having said why when there is one that is not used. */
async function snapshotStart(options: Readonly<ReplayOptions>): Promise<SnapshotStart | null> {
  const reading = (await readSnapshot(options.snapshotFile, options.folder.key)) ?? (await noSnapshot(options));
  if (reading === null) return null;
  const checked = 'problem' in reading ? reading : await matchLog(options, reading.snapshot);
  if ('problem' in checked) {
    options.logger?.warn(
      { dir: options.folder.dir, snapshot: options.snapshotFile, problem: checked.problem },
      `the embedded ledger's state snapshot is not used (${checked.problem}): replaying its whole log`,
    );
    return null;
  }
  return checked;
}

/** A log without a snapshot beside it (written before snapshots were, or the snapshot removed) is worth a warning; a new one is not. */
async function noSnapshot(options: Readonly<ReplayOptions>): Promise<{ problem: string } | null> {
  const size = await stat(options.folder.logFile).then(
    (s) => s.size,
    () => 0,
  );
  return size > 0 ? { problem: 'there is none' } : null;
}

/** The snapshot with the log from its head on, when the log's entry at its height is the one it names. */
async function matchLog(
  options: Readonly<ReplayOptions>,
  snapshot: LedgerSnapshot,
): Promise<SnapshotStart | { problem: string }> {
  const contents = await readTransactionLog(options.folder.logFile, snapshot.headStart);
  const line = contents.lines[0];
  const at = `transaction #${String(snapshot.height)}`;
  if (line === undefined || Buffer.byteLength(line) + 1 !== snapshot.headEnd - snapshot.headStart) {
    return { problem: `the log does not hold its ${at} where it says (the log is shorter, or another one)` };
  }
  let entry: LogEntry;
  try {
    entry = parseLogEntry(line);
  } catch {
    return { problem: `the log does not hold its ${at} where it says` };
  }
  if (entry.sequence !== snapshot.height || entry.hash !== snapshot.headHash || hashEntryBody(entry) !== entry.hash) {
    return { problem: `the log's ${at} is not the one it names (it belongs to another history)` };
  }
  const certificate = foreignCertificate(options, snapshot);
  if (certificate !== null) return { problem: certificate };
  let world: WorldState;
  try {
    world = WorldState.restore(snapshot.state);
  } catch (err) {
    return { problem: `its world state is malformed (${err instanceof Error ? err.message : String(err)})` };
  }
  return { snapshot, world, head: { entry, start: snapshot.headStart }, headLine: line, contents };
}

function foreignCertificate(options: Readonly<ReplayOptions>, snapshot: LedgerSnapshot): string | null {
  for (const pem of snapshot.certificates) {
    try {
      if (!options.trust.certificates.inspect(pem).issuedByLedgerCa)
        return "it holds a certificate not issued by this ledger's CA";
    } catch {
      return 'it holds a certificate that cannot be read';
    }
  }
  return null;
}
