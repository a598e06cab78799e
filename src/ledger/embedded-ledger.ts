// Before the chaincode classes load.
import './chaincode-logging.js';
import { hash, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Checkpoint } from '@hyperledger/fabric-gateway';
import type { Logger } from 'pino';
import { ActorIdentities, type RecordedInvoker } from './actor-identities.js';
import type { ChainTrust } from './chain-verifier.js';
import type { ChaincodeExecutor, TransactionRequest, TransactionResult, VersionedState } from './chaincode-executor.js';
import { eventOf, type CommittedState } from './committed-state.js';
import { ContractExecutor } from './contract-executor.js';
import { EventQueue, firstBlockAfter, type EmbeddedEventStream, type EmbeddedLedgerEvent } from './event-stream.js';
import type { HeadCheckpoint } from './head-checkpoint.js';
import { HeadWriter } from './head-writer.js';
import { InvokerCertificates } from './invoker-certificates.js';
import { chaincodeMessage, LedgerError } from './ledger-error.js';
import { LEDGER_FILES, prepareLedgerFolder, readLedgerFolder, type LedgerFolder } from './ledger-folder.js';
import { LedgerIntegrityError } from './ledger-integrity-error.js';
import { lockLedgerFolder } from './ledger-lock.js';
import { encodeSnapshot, SNAPSHOT_INTERVAL } from './ledger-snapshot.js';
import { emptyVerification, verifyLedgerFolder, type LedgerVerification } from './ledger-verification.js';
import type { Committed, Ledger, LedgerActor } from './ledger.js';
import {
  certificateHash,
  encodeEvent,
  encodeWrites,
  formatLogEntry,
  hashArguments,
  hashEntryBody,
  type LogEntry,
  type LogEntryBody,
  type LogInvoker,
} from './log-entry.js';
import { readEntriesBefore, type SnapshotHead } from './log-prefix.js';
import { replayLog } from './log-replay.js';
import { SerialQueue } from './serial-queue.js';
import { SnapshotWriter } from './snapshot-writer.js';
import { TransactionLog } from './transaction-log.js';

export interface EmbeddedLedgerOptions {
  /** The ledger's folder: its log, signing key and CA. Created with a new ledger when it holds none. */
  readonly dir: string;
  /** The MSP every invoker belongs to; default `MeridianMSP`. Must match an existing ledger's. */
  readonly mspId?: string;
  /** Runs the chaincode; default the real contract classes (`ContractExecutor`). */
  readonly executor?: ChaincodeExecutor;
  /** Transaction timestamps; default the system clock. */
  readonly clock?: () => Date;
  /**
   * Where the ledger's head is checkpointed outside its log. Opening refuses a log that ends
   * before (or differs from) a recorded head; every commit records the new head before it
   * is acknowledged. Without one, a log cut back to an earlier transaction cannot be told apart.
   */
  readonly headCheckpoint?: HeadCheckpoint;
  /** Where a state snapshot that cannot be used, or cannot be written, is reported (a warning; never fatal). */
  readonly logger?: Pick<Logger, 'warn'>;
  /** Commits between state snapshots; default `SNAPSHOT_INTERVAL`. */
  readonly snapshotInterval?: number;
}

interface LedgerParts {
  readonly folder: LedgerFolder;
  readonly executor: ChaincodeExecutor;
  readonly clock: () => Date;
  readonly identities: ActorIdentities;
  readonly committed: CommittedState;
  readonly log: TransactionLog;
  readonly checkpoint: HeadCheckpoint | null;
  readonly heads: HeadWriter | null;
  readonly snapshots: SnapshotWriter;
  readonly snapshotInterval: number;
  /** The snapshot the state was opened from: transactions up to it are read from the log when asked for. */
  readonly base: SnapshotHead | null;
  readonly unlock: () => Promise<void>;
}

/** Where the newest transaction's line is in the log, for the next state snapshot. */
interface HeadLine {
  readonly start: number;
  readonly end: number;
}

/**
 * The single-machine ledger: the real chaincode, run in-process against in-memory world
 * state, every committed transaction appended to a hash-chained log signed by the ledger's
 * own key. Every `SNAPSHOT_INTERVAL` commits and at close it writes a state snapshot (height,
 * head hash, world state) signed by the same key. Opening loads the snapshot when it is
 * signed and the log's entry at its height is the one it names, and verifies and replays the
 * transactions after it; without a usable snapshot it re-verifies the whole chain. Either
 * way a log edited, cut or reordered in what is replayed refuses to open; `verify` (and
 * `meridian ledger verify`) always checks the whole history. Submissions run one at a time,
 * so there are no MVCC conflicts; each is acknowledged once its log line is on disk.
 */
export class EmbeddedLedger implements Ledger {
  readonly #parts: LedgerParts;
  readonly #queue = new SerialQueue();
  readonly #streams = new Set<EventQueue>();
  #closing: Promise<void> | null = null;
  #headLine: HeadLine | null;

  private constructor(parts: LedgerParts, headLine: HeadLine | null) {
    this.#parts = parts;
    this.#headLine = headLine;
  }

  /**
   * Opens the ledger in `options.dir`, starting a new one there when it holds none.
   * Throws `LedgerIntegrityError` naming the first bad transaction when the log fails verification.
   */
  static async open(options: Readonly<EmbeddedLedgerOptions>): Promise<EmbeddedLedger> {
    const dir = path.resolve(options.dir);
    await mkdir(dir, { recursive: true });
    const unlock = await lockLedgerFolder(dir);
    try {
      const folder = await prepareLedgerFolder(dir, options.mspId);
      const clock = options.clock ?? ((): Date => new Date());
      const certificates = new InvokerCertificates({ caCertificatePem: folder.ca.certificatePem, mspId: folder.mspId });
      const identities = new ActorIdentities({ ca: folder.ca, certificates, clock });
      const trust: ChainTrust = { key: folder.key, certificates, mspId: folder.mspId };
      const ledgerId = folder.key.fingerprint;
      const recorded = (await options.headCheckpoint?.recorded(ledgerId)) ?? [];
      const snapshotFile = path.join(dir, LEDGER_FILES.snapshot);
      const replayed = await replayLog({
        folder,
        trust,
        recorded,
        snapshotFile,
        logger: options.logger,
        onCertificate: (pem) => {
          identities.remember(pem);
        },
      });
      const { committed } = replayed;
      // Anything after the last newline is cut off here; a whole last entry is written back with its newline.
      const log = await TransactionLog.open(folder.logFile, replayed.completeBytes);
      if (replayed.unterminated !== undefined) await log.append(replayed.unterminated);
      const headLine =
        replayed.headLine === undefined
          ? null
          : { start: log.size - Buffer.byteLength(replayed.headLine) - 1, end: log.size };
      const executor = options.executor ?? new ContractExecutor();
      const heads = options.headCheckpoint ? new HeadWriter(options.headCheckpoint, ledgerId, folder.key) : null;
      // A checkpoint that has no head for this ledger yet (a new control plane) starts at the log's.
      await heads?.advance({ height: committed.height, hash: committed.lastHash });
      const checkpoint = options.headCheckpoint ?? null;
      const snapshots = new SnapshotWriter({
        file: snapshotFile,
        height: replayed.base?.entry.sequence ?? 0,
        logger: options.logger,
      });
      const parts: LedgerParts = {
        folder,
        executor,
        clock,
        identities,
        committed,
        log,
        checkpoint,
        heads,
        snapshots,
        snapshotInterval: options.snapshotInterval ?? SNAPSHOT_INTERVAL,
        base: replayed.base,
        unlock,
      };
      return new EmbeddedLedger(parts, headLine);
    } catch (err) {
      await unlock();
      throw err;
    }
  }

  /**
   * Re-verifies the log in `dir` as read from disk, without opening the ledger and without
   * throwing on a fault. `reexecute` also runs every transaction through the chaincode again.
   */
  static async verify(
    options: Readonly<{
      dir: string;
      reexecute?: boolean;
      executor?: ChaincodeExecutor;
      headCheckpoint?: HeadCheckpoint;
    }>,
  ): Promise<LedgerVerification> {
    const dir = path.resolve(options.dir);
    const folder = await readLedgerFolder(dir);
    if (folder === null) return emptyVerification(dir);
    const executor = options.reexecute === true ? (options.executor ?? new ContractExecutor()) : undefined;
    const recorded = await options.headCheckpoint?.recorded(folder.key.fingerprint);
    return verifyLedgerFolder(folder, { reexecute: executor !== undefined, executor, recorded });
  }

  /** The ledger's folder. */
  get dir(): string {
    return this.#parts.folder.dir;
  }

  /** Committed transactions; also the last block number. */
  get height(): number {
    return this.#parts.committed.height;
  }

  async submit(actor: LedgerActor, fn: string, args: readonly string[]): Promise<Committed> {
    this.#assertOpen();
    const committed = await this.#queue.run(() => this.#commit(actor, fn, args));
    // Outside the queue, so the next commit need not wait: concurrent commits share one checkpoint write.
    await this.#parts.heads?.advance({ height: Number(committed.blockNumber), hash: committed.hash });
    return { result: committed.result, txId: committed.txId, blockNumber: committed.blockNumber };
  }

  async evaluate(actor: LedgerActor, fn: string, args: readonly string[]): Promise<string> {
    this.#assertOpen();
    const invoker = await this.#parts.identities.invokerFor(actor);
    const snapshot = this.#parts.committed.world.snapshot();
    let result: TransactionResult;
    try {
      result = await this.#simulate(invoker, fn, args, snapshot);
    } finally {
      snapshot.release();
    }
    return Buffer.from(result.payload).toString('utf8');
  }

  /**
   * Events committed after the checkpoint (from block 1 without one), then live ones. The
   * consumer checkpoints each event it has handled; the yielded events carry
   * `blockNumber` and `transactionId`, all a fabric-gateway checkpointer records.
   */
  async events(checkpointer: Checkpoint): Promise<EmbeddedEventStream> {
    this.#assertOpen();
    const committed = this.#parts.committed;
    // Transactions up to the snapshot the ledger opened from do not change: read them first.
    const earlier = await this.#entriesUpToBase(checkpointer);
    const earlierIds = new Map(earlier.map((e) => [e.txId, e.sequence]));
    const first = firstBlockAfter(checkpointer, (txId) => committed.sequenceOf(txId) ?? earlierIds.get(txId));
    const backlog = earlier
      .filter((e) => e.sequence >= first)
      .map(eventOf)
      .filter((e): e is EmbeddedLedgerEvent => e !== null);
    // The rest of the backlog is taken and the stream registered in one synchronous step, so no commit falls between.
    const stream: EventQueue = new EventQueue({
      backlog: [...backlog, ...committed.eventsFrom(first)],
      onClose: () => this.#streams.delete(stream),
    });
    this.#streams.add(stream);
    return stream;
  }

  /** The transactions up to the snapshot's height a stream from `checkpoint` needs: its checkpointed one and those after. */
  async #entriesUpToBase(checkpoint: Checkpoint): Promise<LogEntry[]> {
    const base = this.#parts.base;
    if (base === null) return [];
    const block = checkpoint.getBlockNumber();
    const txId = checkpoint.getTransactionId();
    const from = txId !== undefined && txId !== '' ? Number(block ?? 1n) : Math.max(1, Number(block ?? 1n));
    if (from > base.entry.sequence) return [];
    const read = await readEntriesBefore(this.#parts.folder.logFile, base, from);
    if ('fault' in read) throw new LedgerIntegrityError(this.dir, read.fault);
    return read.entries;
  }

  /** Re-reads the log from disk and verifies it, between commits, against its checkpointed head too. */
  verify(options: Readonly<{ reexecute?: boolean }> = {}): Promise<LedgerVerification> {
    this.#assertOpen();
    return this.#queue.run(async () => {
      const { folder, executor, heads, checkpoint } = this.#parts;
      await heads?.idle();
      const recorded = await checkpoint?.recorded(folder.key.fingerprint);
      return verifyLedgerFolder(folder, { reexecute: options.reexecute, executor, recorded });
    });
  }

  /** Ends every event stream, waits for submissions already accepted, and releases the folder. */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    for (const stream of [...this.#streams]) stream.close();
    await this.#queue.idle();
    await this.#parts.heads?.idle();
    try {
      const { snapshots, committed } = this.#parts;
      await snapshots.idle();
      if (committed.height > snapshots.height) await this.#writeSnapshot();
      await this.#parts.log.close();
    } finally {
      await this.#parts.unlock();
    }
  }

  /** Starts writing a snapshot of the state as it is now; the write itself runs off the commit path. */
  #writeSnapshot(): Promise<void> {
    const { committed, folder, snapshots } = this.#parts;
    const headLine = this.#headLine;
    if (headLine === null) return Promise.resolve();
    const head = {
      height: committed.height,
      headHash: committed.lastHash,
      headStart: headLine.start,
      headEnd: headLine.end,
      certificates: committed.certificates.pems,
    };
    return snapshots.write(committed.height, () => encodeSnapshot(folder.key, head, committed.world));
  }

  async #commit(actor: LedgerActor, fn: string, args: readonly string[]): Promise<Committed & { hash: string }> {
    const { committed, folder } = this.#parts;
    const invoker = await this.#parts.identities.invokerFor(actor);
    const txId = newTxId(invoker);
    const timestamp = this.#parts.clock();
    // Submissions run one at a time and nothing else commits, so simulating on live state is safe.
    const result = await this.#simulate(invoker, fn, args, committed.world, { txId, timestamp });
    const body: LogEntryBody = {
      sequence: committed.height + 1,
      txId,
      time: timestamp.toISOString(),
      invoker: logInvoker(invoker, committed),
      fn,
      args: [...args],
      argsHash: hashArguments(args),
      writes: encodeWrites(result.writes),
      event: encodeEvent(result.event),
      prevHash: committed.lastHash,
    };
    const hash = hashEntryBody(body);
    const entry: LogEntry = { ...body, hash, signature: folder.key.sign(hash) };
    const start = this.#parts.log.size;
    try {
      await this.#parts.log.append(formatLogEntry(entry));
    } catch (err) {
      throw new LedgerError('unavailable', `the embedded ledger could not write transaction ${txId} to its log`, {
        txId,
        cause: err,
      });
    }
    this.#headLine = { start, end: this.#parts.log.size };
    const event = committed.apply(entry, invoker.certificatePem);
    if (event) for (const stream of this.#streams) stream.deliver(event);
    const { snapshots, snapshotInterval } = this.#parts;
    // Not awaited: the commit is durable already, and the snapshot only spares a later replay.
    if (entry.sequence - snapshots.height >= snapshotInterval && !snapshots.busy) void this.#writeSnapshot();
    return { result: Buffer.from(result.payload).toString('utf8'), txId, blockNumber: BigInt(entry.sequence), hash };
  }

  /** Runs the chaincode; a refusal becomes `LedgerError('rejected')` with the chaincode's code. */
  async #simulate(
    invoker: RecordedInvoker,
    fn: string,
    args: readonly string[],
    state: VersionedState,
    tx: { txId: string; timestamp: Date } = { txId: newTxId(invoker), timestamp: this.#parts.clock() },
  ): Promise<TransactionResult> {
    const request: TransactionRequest = { ...tx, invoker, fn, args };
    const result = await this.#parts.executor.execute(request, state);
    if (result.status !== 200) {
      const { code, text } = chaincodeMessage(result.message);
      throw new LedgerError('rejected', text, { txId: tx.txId, chaincodeCode: code });
    }
    return result;
  }

  #assertOpen(): void {
    if (this.#closing) throw new LedgerError('unavailable', `the embedded ledger in ${this.dir} is closed`);
  }
}

/** The invoker as the log names it: by certificate hash, with the certificate the first time the log names it. */
function logInvoker(invoker: RecordedInvoker, committed: CommittedState): LogInvoker {
  const hash = certificateHash(invoker.certificatePem);
  const named = { mspId: invoker.mspId, id: invoker.id, certificateHash: hash };
  return committed.certificates.has(hash) ? named : { ...named, certificate: invoker.certificatePem };
}

/**
 * Like Fabric's: SHA-256 of a fresh nonce and the creator's certificate. The nonce is a random
 * UUID (122 random bits), drawn from Node's buffered entropy: every read-only evaluation makes
 * one, and a `randomBytes` call each cost more than the hashing.
 */
function newTxId(invoker: RecordedInvoker): string {
  return hash('sha256', randomUUID() + invoker.certificatePem);
}
