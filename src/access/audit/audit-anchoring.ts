import type { BatchAnchor } from 'meridian-chaincode';
import { MeridianError } from '../../domain/errors.js';
import { inclusionProofInSlices, merkleRootInSlices, type InclusionProof } from '../../domain/merkle.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import type { LedgerClient } from '../../ledger/ledger-client.js';
import { LedgerError } from '../../ledger/ledger-error.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import type { AuditLog, BatchPosition, UnanchoredEvent } from '../../stores/audit-log.js';

/** The ledger's region for batches of the control plane's audit log (the chaincode wants a region id). */
export const AUDIT_BATCH_REGION = 'control-plane';

/** Most events one batch covers; the rest wait for the next batch. */
export const DEFAULT_AUDIT_BATCH_SIZE = 10_000;

/** A batch of audit events whose Merkle root is on the ledger. */
export interface AnchoredAuditBatch {
  readonly batchId: string;
  readonly merkleRoot: string;
  readonly count: number;
  readonly fromSeq: bigint;
  readonly toSeq: bigint;
  readonly fromTime: string;
  readonly toTime: string;
  /** The ledger transaction that anchored the root. */
  readonly txId: string;
}

/** Where one audit event sits in its anchored batch: check with `verifyInclusion(eventHash, proof, merkleRoot)`. */
export interface AuditInclusionProof {
  readonly eventId: string;
  readonly eventHash: string;
  readonly batchId: string;
  readonly merkleRoot: string;
  readonly proof: InclusionProof;
}

/**
 * Anchors the oldest not-yet-anchored audit events (up to `maxEvents`, in chain order) on
 * the ledger as one batch, then records the batch on them. Resolves to null when every
 * event is anchored already.
 *
 * The batch id is derived from the first event's hash, so a run that anchored but died
 * before recording the batch, or one racing another gateway on the same control plane,
 * finds the ledger's batch and adopts it instead of anchoring the same events twice.
 */
export async function anchorAuditBatch(
  auditLog: AuditLog,
  ledger: LedgerClient,
  actor: LedgerActor,
  options: { readonly maxEvents?: number } = {},
): Promise<AnchoredAuditBatch | null> {
  let events = await auditLog.unanchored(options.maxEvents ?? DEFAULT_AUDIT_BATCH_SIZE);
  const first = events[0];
  if (first === undefined) return null;
  const batchId = auditBatchId(first);
  const times = events.map((e) => e.at.getTime());
  const last = events.at(-1) ?? first;
  const read = events;
  const root = await merkleRootInSlices(read.map((e) => e.hash));
  let anchor: BatchAnchor;
  let position: BatchPosition | undefined;
  try {
    // The batch carries the chain's head after it, so the ledger knows how far the log reached.
    const anchored = await ledger.anchorChainBatch(actor, {
      batchId,
      kind: 'audit',
      region: AUDIT_BATCH_REGION,
      merkleRoot: root,
      count: events.length,
      fromTime: new Date(Math.min(...times)).toISOString(),
      toTime: new Date(Math.max(...times)).toISOString(),
      headSeq: last.seq,
      headHash: last.hash,
    });
    anchor = anchored.value;
    position = { toSeq: last.seq, txId: anchored.txId, blockNumber: anchored.blockNumber };
  } catch (err) {
    if (!(err instanceof LedgerError && err.chaincodeCode === 'CONFLICT')) throw err;
    anchor = await ledger.getBatch(actor, batchId);
    if (anchor.count > events.length) events = await auditLog.unanchored(anchor.count);
  }
  const covered = events.slice(0, anchor.count);
  // The root computed above, unless the ledger's batch covers other events than those read.
  const coveredRoot =
    events === read && covered.length === read.length ? root : await merkleRootInSlices(covered.map((e) => e.hash));
  if (covered.length !== anchor.count || coveredRoot !== anchor.merkleRoot) {
    throw new MeridianError(
      'INTEGRITY_VIOLATION',
      `Ledger batch ${batchId} does not match the audit events it should cover.`,
      { batchId },
    );
  }
  await auditLog.assignBatch(
    batchId,
    covered.map((e) => e.id),
    position,
  );
  return batchOf(anchor, covered);
}

/** The id of the batch that starts with `first`: unique, since event hashes are, and the same on every run. */
export function auditBatchId(first: Pick<AuditEvent, 'hash'>): string {
  return `audit:${first.hash}`;
}

function batchOf(anchor: BatchAnchor, covered: readonly UnanchoredEvent[]): AnchoredAuditBatch {
  return {
    batchId: anchor.batchId,
    merkleRoot: anchor.merkleRoot,
    count: anchor.count,
    fromSeq: covered[0]?.seq ?? 0n,
    toSeq: covered.at(-1)?.seq ?? 0n,
    fromTime: anchor.fromTime,
    toTime: anchor.toTime,
    txId: anchor.txId,
  };
}

/** The inclusion proof of an audit event in its ledger batch; null while the event is not anchored. */
export async function auditInclusionProof(auditLog: AuditLog, eventId: string): Promise<AuditInclusionProof | null> {
  const event = await auditLog.event(eventId);
  if (event?.batchId == null) return null;
  const leaves = (await auditLog.batch(event.batchId)).map((e) => e.hash);
  // In slices: a batch of ~10,000 events would hold every request in flight for tens of milliseconds.
  const { root, proof } = await inclusionProofInSlices(leaves, leaves.indexOf(event.hash));
  return { eventId, eventHash: event.hash, batchId: event.batchId, merkleRoot: root, proof };
}
