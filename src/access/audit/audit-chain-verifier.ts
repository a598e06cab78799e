import type { ChainHead } from 'meridian-chaincode';
import { ERASED_PATIENT_PREFIX, type AuditEvent } from '../../domain/audit-event.js';
import { MeridianError } from '../../domain/errors.js';
import { merkleRootInSlices } from '../../domain/merkle.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import type { LedgerClient } from '../../ledger/ledger-client.js';
import { LedgerError } from '../../ledger/ledger-error.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import type { AuditLog } from '../../stores/audit-log.js';
import { AUDIT_BATCH_REGION } from './audit-anchoring.js';
import {
  checkpointProblem,
  entryIntegrity,
  entryProblem,
  ledgerHeadProblem,
  type AuditChainProblem,
  type EntryIntegrity,
} from './audit-chain-problems.js';

/** The whole audit chain checked: every event, the checkpoint, every anchored batch and the ledger's head. */
export interface AuditChainReport {
  readonly ok: boolean;
  /** Events in the log, all checked. */
  readonly events: number;
  /** Ledger batches checked against the events they cover. */
  readonly batches: number;
  /** The log's newest event. */
  readonly head: { readonly seq: bigint; readonly hash: string } | null;
  /** The head checkpointed beside the table. */
  readonly checkpoint: { readonly seq: bigint; readonly hash: string } | null;
  /** The newest audit batch the ledger anchors, and the chain's head it carries. */
  readonly ledgerHead: {
    readonly seq: bigint;
    readonly hash: string;
    readonly batchId: string;
    readonly txId: string;
  } | null;
  /** The first problems found, oldest first (at most `MAX_PROBLEMS`). */
  readonly problems: readonly AuditChainProblem[];
}

/** What one page of the access log shows about its evidence. */
export interface PageIntegrity {
  readonly entries: ReadonlyMap<bigint, EntryIntegrity>;
  /** Problems of the chain's end (missing newest events) and of the entries on the page. */
  readonly problems: readonly AuditChainProblem[];
}

export interface AuditChainVerifierOptions {
  readonly auditLog: AuditLog;
  readonly ledger: LedgerClient;
  readonly actor: LedgerActor;
  /** Told of every problem found: the alert operators page on. */
  readonly onProblem?: (problem: AuditChainProblem) => void;
  /** The audit commitment of a patient id under the patient's own key; null when the id has no key. */
  readonly commitment?: (patientId: string) => Promise<string | null>;
}

const MAX_PROBLEMS = 100;
const CHUNK = 1000;

/**
 * Verifies the audit chain and its evidence outside the table: each event's hash and link,
 * the table's newest event against the checkpoint every append moves, each anchored batch
 * against its Merkle root on the ledger, and the log against the chain head the ledger's
 * newest audit batch carries. A deleted tail is found against the checkpoint before it is
 * anchored and against the ledger after.
 */
export class AuditChainVerifier {
  readonly #o: Readonly<AuditChainVerifierOptions>;

  constructor(options: Readonly<AuditChainVerifierOptions>) {
    this.#o = options;
  }

  /** The whole chain, for compliance officers and auditors. */
  async verifyFor(principal: Principal): Promise<AuditChainReport> {
    if (!hasRole(principal, 'compliance_officer', 'auditor')) {
      throw new MeridianError('FORBIDDEN', 'Only compliance officers and auditors verify the audit chain.');
    }
    return this.verify();
  }

  /** Walks the whole chain oldest first; problems are reported, never thrown. */
  async verify(): Promise<AuditChainReport> {
    const problems: AuditChainProblem[] = [];
    const batches = new Map<string, string[]>();
    let previous: string | null = null;
    let events = 0;
    for (let after = 0n; ;) {
      const chunk = await this.#o.auditLog.chainAfter(after, CHUNK);
      for (const event of chunk) {
        const problem = await this.#problemOf(event, previous);
        if (problem) problems.push(problem);
        if (event.batchId !== null) {
          const leaves = batches.get(event.batchId);
          if (leaves) leaves.push(event.hash);
          else batches.set(event.batchId, [event.hash]);
        }
        previous = event.hash;
        events++;
      }
      const last = chunk.at(-1);
      if (last === undefined || chunk.length < CHUNK) break;
      after = last.seq;
    }
    for (const [batchId, hashes] of batches) {
      const problem = await this.#batchProblem(batchId, hashes);
      if (problem) problems.push(problem);
    }
    const reading = await this.#o.auditLog.head();
    const ledgerHead = await this.#ledgerHead();
    const tail = [checkpointProblem(reading), await this.#ledgerProblem(ledgerHead)].filter((p) => p !== null);
    const found = [...problems, ...tail].slice(0, MAX_PROBLEMS);
    for (const p of found) this.#o.onProblem?.(p);
    return {
      ok: found.length === 0,
      events,
      batches: batches.size,
      head: reading.tail,
      checkpoint: reading.checkpoint && { seq: reading.checkpoint.seq, hash: reading.checkpoint.hash },
      ledgerHead: ledgerHead && {
        seq: BigInt(ledgerHead.headSeq),
        hash: ledgerHead.headHash,
        batchId: ledgerHead.batchId,
        txId: ledgerHead.txId,
      },
      problems: found,
    };
  }

  /**
   * What an access log page shows: each entry checked against its own hash and the event
   * before it in the chain, and the chain's end against its checkpoint and the ledger, so
   * a deleted newest event is reported on every page, whoever's log it is.
   */
  async page(events: readonly AuditEvent[]): Promise<PageIntegrity> {
    const [predecessors, reading, ledgerHead] = await Promise.all([
      this.#o.auditLog.predecessorHashes(events.map((e) => e.seq)),
      this.#o.auditLog.head(),
      this.#ledgerHead(),
    ]);
    const entries = new Map<bigint, EntryIntegrity>();
    const problems: AuditChainProblem[] = [];
    for (const p of [checkpointProblem(reading), await this.#ledgerProblem(ledgerHead)]) if (p) problems.push(p);
    for (const event of events) {
      const problem = await this.#problemOf(event, predecessors.get(event.seq) ?? null);
      entries.set(event.seq, problem === null ? 'intact' : problem.kind === 'broken_link' ? 'broken_link' : 'altered');
      if (problem) problems.push(problem);
    }
    for (const p of problems) this.#o.onProblem?.(p);
    return { entries, problems };
  }

  /**
   * What is wrong with one event: its hash and link, and whether the patient it names is the one
   * it was chained for. The hash covers the patient's commitment, not the id, so an id changed in
   * the row (an event moved into another patient's log, or out of its own) shows only here.
   */
  async #problemOf(event: AuditEvent, predecessorHash: string | null): Promise<AuditChainProblem | null> {
    const problem = entryProblem(event, entryIntegrity(event, predecessorHash));
    if (problem !== null || this.#o.commitment === undefined) return problem;
    if (event.patientCommitment == null || event.patientId.startsWith(ERASED_PATIENT_PREFIX)) return null;
    if ((await this.#o.commitment(event.patientId)) === event.patientCommitment) return null;
    return {
      kind: 'altered',
      seq: event.seq,
      eventId: event.id,
      detail: `audit event #${String(event.seq)} (${event.id}) names a patient it was not chained for: its patient id was changed.`,
    };
  }

  async #batchProblem(batchId: string, hashes: readonly string[]): Promise<AuditChainProblem | null> {
    const anchored = await this.#notFoundAsNull(() => this.#o.ledger.getBatch(this.#o.actor, batchId));
    if (anchored === null) {
      return { kind: 'anchor', seq: null, eventId: null, detail: `The ledger has no batch ${batchId}.` };
    }
    const root = await merkleRootInSlices(hashes);
    if (anchored.count === hashes.length && anchored.merkleRoot === root) return null;
    return {
      kind: 'anchor',
      seq: null,
      eventId: null,
      detail:
        `Batch ${batchId} (transaction ${anchored.txId}) anchors ${String(anchored.count)} events with root ${anchored.merkleRoot}; ` +
        `the log holds ${String(hashes.length)} events of it with root ${root}: events of it were deleted or altered.`,
    };
  }

  async #ledgerHead(): Promise<ChainHead | null> {
    return this.#notFoundAsNull(() => this.#o.ledger.getChainHead(this.#o.actor, 'audit', AUDIT_BATCH_REGION));
  }

  async #ledgerProblem(head: ChainHead | null): Promise<AuditChainProblem | null> {
    if (head === null) return null;
    return ledgerHeadProblem(head, await this.#o.auditLog.eventAt(BigInt(head.headSeq)));
  }

  async #notFoundAsNull<T>(read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch (err) {
      if (err instanceof LedgerError && err.chaincodeCode === 'NOT_FOUND') return null;
      throw err;
    }
  }
}
