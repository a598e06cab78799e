import type { AuditChainProblem as Problem } from '../access/audit/audit-chain-problems.js';
import type { AuditChainReport, PageIntegrity } from '../access/audit/audit-chain-verifier.js';
import type {
  AccessLogIntegrity,
  AuditChainPosition,
  AuditChainProblem,
  AuditChainVerification,
} from './types/audit-chain.type.js';

export function toAuditChainProblem(p: Problem): AuditChainProblem {
  return {
    kind: p.kind.toUpperCase(),
    seq: p.seq === null ? null : String(p.seq),
    eventId: p.eventId,
    detail: p.detail,
  };
}

export function toAccessLogIntegrity(integrity: PageIntegrity): AccessLogIntegrity {
  return { ok: integrity.problems.length === 0, problems: integrity.problems.map(toAuditChainProblem) };
}

export function toAuditChainVerification(report: AuditChainReport): AuditChainVerification {
  const position = (
    p: { seq: bigint; hash: string; batchId?: string; txId?: string } | null,
  ): AuditChainPosition | null =>
    p && { seq: String(p.seq), hash: p.hash, batchId: p.batchId ?? null, txId: p.txId ?? null };
  return {
    ok: report.ok,
    events: report.events,
    batches: report.batches,
    head: position(report.head),
    checkpoint: position(report.checkpoint),
    ledgerHead: position(report.ledgerHead),
    problems: report.problems.map(toAuditChainProblem),
  };
}
