import type { ChainHead } from 'meridian-chaincode';
import { auditEventIntact, GENESIS_HASH, type AuditEvent } from '../../domain/audit-event.js';
import type { ChainHeadReading } from '../../stores/audit-log.js';

/**
 * What can be wrong with the audit chain: an event whose content no longer matches its hash
 * (`altered`), an event whose predecessor is gone or was rewritten (`broken_link`), newest
 * events gone (`missing_tail`: the log ends before its checkpoint or the ledger's anchored
 * head), a checkpoint that is missing or was not moved by the audit log (`checkpoint`), and
 * a batch the ledger does not anchor as the log holds it (`anchor`).
 */
export type AuditChainProblemKind = 'altered' | 'broken_link' | 'missing_tail' | 'checkpoint' | 'anchor';

export interface AuditChainProblem {
  readonly kind: AuditChainProblemKind;
  /** The event concerned, or where the gap begins. */
  readonly seq: bigint | null;
  readonly eventId: string | null;
  /** One sentence naming what was recorded and what was found. */
  readonly detail: string;
}

/** What one access log entry's own evidence says about it. */
export type EntryIntegrity = 'intact' | 'altered' | 'broken_link';

/**
 * An event checked on its own: its content against its hash (RFC 8785, or the form an older
 * event was chained with), and its link against the event before it.
 */
export function entryIntegrity(event: AuditEvent, predecessorHash: string | null): EntryIntegrity {
  if (!auditEventIntact(event)) return 'altered';
  return event.prevHash === (predecessorHash ?? GENESIS_HASH) ? 'intact' : 'broken_link';
}

/** The problem an entry's integrity stands for, for the chain report and the alert. */
export function entryProblem(event: AuditEvent, integrity: EntryIntegrity): AuditChainProblem | null {
  const at = `audit event #${String(event.seq)} (${event.id})`;
  if (integrity === 'altered') {
    return {
      kind: 'altered',
      seq: event.seq,
      eventId: event.id,
      detail: `${at} no longer matches its hash: it was altered.`,
    };
  }
  if (integrity === 'broken_link') {
    const detail = `${at} links to hash ${event.prevHash}, which the event before it does not have: events before it are missing or were rewritten.`;
    return { kind: 'broken_link', seq: event.seq, eventId: event.id, detail };
  }
  return null;
}

/** The table's newest event against the checkpoint row that every append moves. */
export function checkpointProblem(reading: ChainHeadReading): AuditChainProblem | null {
  const { tail, checkpoint } = reading;
  if (checkpoint === null) {
    return {
      kind: 'checkpoint',
      seq: null,
      eventId: null,
      detail: "The audit chain's checkpoint row is missing: the log's newest events cannot be vouched for.",
    };
  }
  const tailSeq = tail?.seq ?? 0n;
  const found = tail === null ? 'the log holds no event' : `the log ends at #${String(tail.seq)} (hash ${tail.hash})`;
  const recorded = `#${String(checkpoint.seq)} (hash ${checkpoint.hash})`;
  if (tailSeq < checkpoint.seq) {
    return {
      kind: 'missing_tail',
      seq: tailSeq + 1n,
      eventId: null,
      detail: `The newest audit events are missing: the checkpoint records ${recorded}, but ${found}.`,
    };
  }
  if (tail !== null && tail.seq === checkpoint.seq && tail.hash !== checkpoint.hash) {
    return {
      kind: 'altered',
      seq: tail.seq,
      eventId: null,
      detail: `The newest audit event is not the one checkpointed: recorded ${recorded}, found hash ${tail.hash}.`,
    };
  }
  if (tailSeq > checkpoint.seq) {
    return {
      kind: 'checkpoint',
      seq: checkpoint.seq + 1n,
      eventId: null,
      detail: `Events after the checkpointed head ${recorded} were not appended through the audit log: ${found}.`,
    };
  }
  return null;
}

/** The log against the newest batch the ledger anchors: the event at its head must be there, unchanged. */
export function ledgerHeadProblem(head: ChainHead | null, atHead: AuditEvent | null): AuditChainProblem | null {
  if (head === null) return null;
  const recorded = `#${String(head.headSeq)} (hash ${head.headHash}) in batch ${head.batchId}, transaction ${head.txId}`;
  if (atHead === null) {
    return {
      kind: 'missing_tail',
      seq: BigInt(head.headSeq),
      eventId: null,
      detail: `Anchored audit events are missing: the ledger's newest audit batch ends at ${recorded}, which the log no longer holds.`,
    };
  }
  if (atHead.hash !== head.headHash) {
    return {
      kind: 'altered',
      seq: atHead.seq,
      eventId: atHead.id,
      detail: `Audit event #${String(atHead.seq)} is not the one the ledger anchors as the chain's head (${recorded}); the log has hash ${atHead.hash}.`,
    };
  }
  return null;
}
