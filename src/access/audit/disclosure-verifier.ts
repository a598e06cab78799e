import { auditEventIntact, type AuditEvent } from '../../domain/audit-event.js';
import { MeridianError } from '../../domain/errors.js';
import { verifyInclusion } from '../../domain/merkle.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import type { LedgerClient } from '../../ledger/ledger-client.js';
import { LedgerError } from '../../ledger/ledger-error.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import type { AuditLog } from '../../stores/audit-log.js';
import { auditInclusionProof } from './audit-anchoring.js';

/** One thing checked, and what was found. */
export interface VerificationCheck {
  /** audit_event, policy EU@2025.2, consent cns-…, ledger_anchor */
  readonly subject: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface DisclosureVerification {
  /** Every check passed: the decision is in the log as receipted, under anchored rules, in an anchored batch. */
  readonly valid: boolean;
  readonly decisionId: string;
  /** The ledger batch whose Merkle root covers the audit event, once anchored. */
  readonly batchId: string | null;
  readonly checks: readonly VerificationCheck[];
}

export interface DisclosureVerifierOptions {
  readonly auditLog: AuditLog;
  readonly ledger: LedgerClient;
  readonly actor: LedgerActor;
  /** Anchors the audit events still waiting for a batch, so a fresh receipt can be proven at once. */
  readonly anchorPending: () => Promise<unknown>;
}

/**
 * Proves a disclosure receipt against the ledger: the audit event is the one receipted and
 * unaltered, it sits in a batch whose Merkle root the ledger anchors, and every policy and
 * consent version it names is anchored on the ledger with the same hash.
 */
export class DisclosureVerifier {
  readonly #o: Readonly<DisclosureVerifierOptions>;

  constructor(options: Readonly<DisclosureVerifierOptions>) {
    this.#o = options;
  }

  /**
   * @throws NOT_FOUND when there is no such decision, or it is none of the caller's business:
   * the requesting organisation, the patient concerned, and compliance officers and auditors of
   * the requester's jurisdiction may verify.
   */
  async verify(
    principal: Principal,
    receipt: { decisionId: string; auditHash: string },
  ): Promise<DisclosureVerification> {
    let event = await this.#o.auditLog.event(receipt.decisionId);
    if (event === null || !mayVerify(principal, event)) {
      throw new MeridianError('NOT_FOUND', `No decision ${receipt.decisionId} is yours to verify.`);
    }
    if (event.batchId === null) {
      await this.#o.anchorPending();
      event = (await this.#o.auditLog.event(receipt.decisionId)) ?? event;
    }
    const checks = [
      eventCheck(event, receipt.auditHash),
      await this.#anchorCheck(event),
      ...(await Promise.all(event.body.policies.map((p) => this.#policyCheck(p)))),
      ...(await Promise.all(event.body.consents.map((c) => this.#consentCheck(c)))),
    ];
    return { valid: checks.every((c) => c.ok), decisionId: event.id, batchId: event.batchId, checks };
  }

  async #anchorCheck(event: AuditEvent): Promise<VerificationCheck> {
    const subject = 'ledger_anchor';
    const proof = await auditInclusionProof(this.#o.auditLog, event.id);
    if (proof === null) return { subject, ok: false, detail: 'The audit event is not anchored on the ledger yet.' };
    const batch = await this.#ledgerRead(() => this.#o.ledger.getBatch(this.#o.actor, proof.batchId));
    if (batch === null) return { subject, ok: false, detail: `The ledger has no batch ${proof.batchId}.` };
    const ok = batch.merkleRoot === proof.merkleRoot && verifyInclusion(event.hash, proof.proof, batch.merkleRoot);
    return {
      subject,
      ok,
      detail: ok
        ? `Included in batch ${batch.batchId} (transaction ${batch.txId}), whose Merkle root the ledger anchors.`
        : `Batch ${batch.batchId} on the ledger does not include this audit event as stored.`,
    };
  }

  async #policyCheck(p: { jurisdiction: string; version: string; hash: string }): Promise<VerificationCheck> {
    const subject = `policy ${p.jurisdiction}@${p.version}`;
    const anchored = await this.#ledgerRead(() =>
      this.#o.ledger.getPolicyVersion(this.#o.actor, p.jurisdiction, p.version),
    );
    if (anchored === null) return { subject, ok: false, detail: 'The ledger has no such policy version.' };
    const ok = anchored.hash === p.hash && anchored.approver !== undefined;
    return {
      subject,
      ok,
      detail: ok
        ? `Anchored with this hash, authored by ${anchored.author} and approved by ${anchored.approver ?? ''}.`
        : 'The ledger anchors another hash for this version, or it was never approved.',
    };
  }

  async #consentCheck(c: { id: string; version: string; hash: string }): Promise<VerificationCheck> {
    const subject = `consent ${c.id}`;
    const anchored = await this.#ledgerRead(() => this.#o.ledger.getConsentStatus(this.#o.actor, c.id));
    if (anchored === null) return { subject, ok: false, detail: 'The ledger has no such consent.' };
    const ok = anchored.hash === c.hash && anchored.version === c.version;
    const now = anchored.status === 'revoked' ? ` It has been revoked since (${anchored.revokedAt ?? ''}).` : '';
    return {
      subject,
      ok,
      detail: ok ? `Anchored with this hash.${now}` : 'The ledger anchors another hash or version for this consent.',
    };
  }

  /** A ledger read; null when the ledger has no such entry. */
  async #ledgerRead<T>(read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch (err) {
      if (err instanceof LedgerError && err.chaincodeCode === 'NOT_FOUND') return null;
      throw err;
    }
  }
}

/** As the access log: officers and auditors over their jurisdiction's requesters. */
function mayVerify(principal: Principal, event: AuditEvent): boolean {
  if (hasRole(principal, 'compliance_officer', 'auditor') && principal.jurisdiction === event.requesterJurisdiction) {
    return true;
  }
  if (hasRole(principal, 'patient') && principal.patientId === event.patientId) return true;
  return hasRole(principal, 'clinician') && principal.organisationId === event.requesterOrg;
}

function eventCheck(event: AuditEvent, auditHash: string): VerificationCheck {
  const intact = auditEventIntact(event);
  const ok = intact && event.hash === auditHash;
  return {
    subject: 'audit_event',
    ok,
    detail: !intact
      ? 'The audit event no longer matches its hash: it was altered.'
      : ok
        ? 'The audit event is as receipted and unaltered.'
        : 'The receipt names another audit hash than the logged event has.',
  };
}
