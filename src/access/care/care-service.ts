import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CareRecord, PatientState, PatientStateCare } from 'meridian-chaincode';
import {
  accessCodeHash,
  careContentHash,
  careContentHashMatches,
  newAccessCode,
  normaliseAccessCode,
  type CareRelationshipDocument,
} from '../../domain/care/care-relationship.js';
import { badInput, MeridianError } from '../../domain/errors.js';
import type { CareInForce } from '../../domain/policy/index.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import { checkPatientId } from '../../domain/request-ids.js';
import type { LedgerClient } from '../../ledger/ledger-client.js';
import { LedgerError } from '../../ledger/ledger-error.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import type { AccessCodeRow, CareRepository, CareRelationshipRow } from '../../stores/care-repository.js';
import type { AuditService } from '../audit/audit-service.js';
import type { IntegrityProblem } from '../policy/policy-source.js';
import { ownPatient as ownPatientOf, patientActor } from '../consent/patient-actor.js';

/** Wrong tries after which a code is locked. */
export const ACCESS_CODE_TRIES = 5;
export const DEFAULT_CODE_MINUTES = 15;
export const MAX_CODE_MINUTES = 24 * 60;

const GATEWAY_ACTOR: LedgerActor = { user: 'meridian-gateway', role: 'gateway' };
const RELATIONSHIP_ID = /^care-[0-9a-f]{32}$/;
const DAY_MS = 24 * 3600 * 1000;

/** A code as the patient receives it: the code itself is shown once and never stored. */
export interface IssuedAccessCode {
  readonly id: string;
  readonly code: string;
  readonly organisationId: string | null;
  readonly expiresAt: Date;
}

/** The patient's care relationships a decision may use, each verified against its ledger anchor. */
export interface DecisionCare {
  readonly relationships: readonly CareInForce[];
  readonly violations: readonly IntegrityProblem[];
}

export interface CareServiceOptions {
  readonly care: CareRepository;
  readonly ledger: LedgerClient;
  readonly audit: AuditService;
  /** The key access codes are hashed under (HMAC-SHA256). */
  readonly codeKey: Buffer;
  /** The episode length, in days, the verified active policy of this jurisdiction sets. */
  readonly episodeDays: (jurisdiction: string) => Promise<number>;
  readonly knowsOrganisation: (organisationId: string) => boolean;
  readonly clock?: () => Date;
  /** A row repaired from, or missing beside, its ledger anchor: a log line. */
  readonly onRepair?: (subject: string, message: string) => void;
}

function forbidden(message: string): MeridianError {
  return new MeridianError('FORBIDDEN', message);
}

/** The patient a principal acts as; only patients issue codes and manage their relationships. */
function ownPatient(principal: Principal): string {
  return ownPatientOf(principal, 'issue access codes and manage their care relationships');
}

const INVALID_CODE =
  'The access code is not valid for this patient: it is wrong, expired, already used, meant for another organisation, or locked after too many wrong tries. Ask the patient for a new one.';

/**
 * Care relationships: a patient issues a short-lived access code at the point of care, the
 * clinician opens a relationship with it. The relationship is anchored on the ledger before it
 * is stored, verified against its anchor before any decision uses it, and ended by the patient
 * (anchored) or by the end of the episode the policy sets. Only a verified, open relationship
 * in force makes an organisation "treating" for consents to any treating provider and for
 * purposes whose policy requires one.
 */
export class CareService {
  readonly #o: Readonly<CareServiceOptions>;

  constructor(options: Readonly<CareServiceOptions>) {
    this.#o = options;
  }

  #now(): Date {
    return this.#o.clock?.() ?? new Date();
  }

  /**
   * Issues an access code for the calling patient, valid `validMinutes` (default 15, at most a
   * day), usable once, by `organisationId` only when given.
   * @throws FORBIDDEN for anyone but a patient; BAD_USER_INPUT naming the field, nothing stored.
   */
  async issueAccessCode(
    principal: Principal,
    request: { readonly organisationId?: string | null; readonly validMinutes?: number | null },
  ): Promise<IssuedAccessCode> {
    const patientId = ownPatient(principal);
    const minutes = request.validMinutes ?? DEFAULT_CODE_MINUTES;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_CODE_MINUTES) {
      throw badInput(`validMinutes must be a whole number from 1 to ${MAX_CODE_MINUTES}.`, { field: 'validMinutes' });
    }
    const organisationId = request.organisationId ?? null;
    if (organisationId !== null && !this.#o.knowsOrganisation(organisationId)) {
      throw badInput('organisationId names no organisation known to this gateway.', { field: 'organisationId' });
    }
    const code = newAccessCode();
    const now = this.#now();
    const row: AccessCodeRow = {
      id: `code-${randomBytes(16).toString('hex')}`,
      patientId,
      codeHash: accessCodeHash(this.#o.codeKey, normaliseAccessCode(code) ?? ''),
      organisationId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + minutes * 60_000),
      usedAt: null,
      failedAttempts: 0,
      lockedAt: null,
    };
    await this.#o.care.insertCode(row);
    return { id: row.id, code, organisationId, expiresAt: row.expiresAt };
  }

  /**
   * Opens a care relationship between the clinician's organisation and the patient with the
   * patient's access code. Every failure is audited and counts as a wrong try against each of
   * the patient's live codes; the fifth locks them. Unknown patient, wrong code, used, expired,
   * locked or another organisation's code: one answer, so a guess learns nothing.
   * @throws FORBIDDEN; BAD_USER_INPUT for a malformed patient id; LEDGER_* when the ledger does not anchor it.
   */
  async open(principal: Principal, patientId: string, accessCode: string): Promise<CareRelationshipRow> {
    checkPatientId(patientId, 'patientId', '`patientId`');
    if (!hasRole(principal, 'clinician') || hasRole(principal, 'patient')) {
      throw forbidden('Only a clinician opens a care relationship, for their own organisation.');
    }
    const now = this.#now();
    const normalised = normaliseAccessCode(accessCode);
    const live = await this.#o.care.liveCodes(patientId, now);
    const presented = normalised === null ? null : Buffer.from(accessCodeHash(this.#o.codeKey, normalised), 'hex');
    const match =
      presented === null ? undefined : live.find((c) => timingSafeEqual(Buffer.from(c.codeHash, 'hex'), presented));
    const usable =
      match !== undefined && (match.organisationId === null || match.organisationId === principal.organisationId);
    if (!usable || !(await this.#o.care.claimCode(match.id, now))) {
      await this.#o.care.countFailure(
        live.map((c) => c.id),
        now,
        ACCESS_CODE_TRIES,
      );
      await this.#audit(principal, patientId, 'deny', 'ACCESS_CODE_INVALID');
      throw forbidden(INVALID_CODE);
    }
    try {
      return await this.#anchorAndStore(principal, patientId, match, now);
    } catch (err) {
      await this.#o.care.releaseCode(match.id).catch(() => undefined);
      throw err;
    }
  }

  async #anchorAndStore(
    principal: Principal,
    patientId: string,
    code: AccessCodeRow,
    now: Date,
  ): Promise<CareRelationshipRow> {
    const days = await this.#o.episodeDays(principal.jurisdiction);
    const doc: CareRelationshipDocument = {
      id: `care-${randomBytes(16).toString('hex')}`,
      patientId,
      organisationId: principal.organisationId,
      openedBy: principal.subject,
      openedAt: now,
      expiresAt: new Date(now.getTime() + days * DAY_MS),
      accessCodeId: code.id,
    };
    const contentHash = careContentHash(doc);
    const anchored = await this.#o.ledger.recordCareRelationship(GATEWAY_ACTOR, {
      relationshipId: doc.id,
      patientRef: patientId,
      hash: contentHash,
      expiresAt: doc.expiresAt,
    });
    const row: CareRelationshipRow = {
      ...doc,
      contentHash,
      openTxId: anchored.txId,
      status: 'open',
      endedAt: null,
      endTxId: null,
    };
    await this.#o.care.insertRelationship(row);
    await this.#audit(principal, patientId, 'permit', 'CARE_RELATIONSHIP_OPENED');
    return row;
  }

  #audit(principal: Principal, patientId: string, outcome: 'permit' | 'deny', code: string): Promise<unknown> {
    return this.#o.audit.record({
      principal,
      patientId,
      purpose: 'TREAT',
      operation: 'openCareRelationship',
      outcome,
      reasons: [{ code }],
    });
  }

  /** The calling patient's relationships, newest first, ended and expired ones included. */
  async mine(principal: Principal): Promise<CareRelationshipRow[]> {
    return this.#o.care.relationships(ownPatient(principal));
  }

  /** The calling patient's access codes, newest first (hashes are never shown). */
  async myCodes(principal: Principal): Promise<AccessCodeRow[]> {
    return this.#o.care.codes(ownPatient(principal));
  }

  /**
   * Ends one of the calling patient's relationships, in force from the answer on: anchored on
   * the ledger as the patient, then stored. Ending an ended one returns it unchanged. Another
   * patient's id and an unknown one get the same FORBIDDEN.
   */
  async end(principal: Principal, relationshipId: string): Promise<CareRelationshipRow> {
    const patientId = ownPatient(principal);
    if (!RELATIONSHIP_ID.test(relationshipId)) {
      throw badInput('`relationshipId` is not a care relationship id (care-…).', { field: 'relationshipId' });
    }
    const row = await this.#o.care.relationship(relationshipId);
    if (row === null || row.patientId !== patientId)
      throw forbidden('A patient may end only their own care relationships.');
    if (row.status === 'ended') return row;
    const ended = await this.#anchorEnd(patientActor(principal, patientId), relationshipId);
    await this.#o.care.markEnded(relationshipId, ended.at, ended.txId);
    return (
      (await this.#o.care.relationship(relationshipId)) ?? {
        ...row,
        status: 'ended',
        endedAt: ended.at,
        endTxId: ended.txId,
      }
    );
  }

  async #anchorEnd(actor: LedgerActor, relationshipId: string): Promise<{ at: Date; txId: string }> {
    try {
      const anchored = await this.#o.ledger.endCareRelationship(actor, relationshipId);
      return { at: new Date(anchored.value.endedAt ?? this.#now()), txId: anchored.txId };
    } catch (err) {
      // Ended on the ledger but not stored (a crash in between): finish the stored half.
      if (err instanceof LedgerError && err.chaincodeCode === 'CONFLICT') {
        const record = await this.#o.ledger.getCareRelationship(GATEWAY_ACTOR, relationshipId);
        return { at: new Date(record.endedAt ?? this.#now()), txId: record.endTxId ?? 'ledger' };
      }
      throw err;
    }
  }

  /**
   * The patient's relationships a decision may rely on: open, each row hashing to its content
   * hash and carrying its anchor's hash and expiry, and open on the ledger. A row the ledger
   * does not anchor, or anchors otherwise, is an integrity violation (it could widen a
   * disclosure or redirect it to another organisation). What can only narrow (an ended anchor,
   * an anchor with no row, a ledger that cannot be asked) leaves the relationship out.
   * `read`: the patient's rows as read just before `state` (read here when not given).
   */
  async forDecision(
    patientId: string,
    state?: PatientState,
    read?: readonly CareRelationshipRow[],
  ): Promise<DecisionCare> {
    const rows = (read ?? (await this.#o.care.relationships(patientId))).filter((r) => r.status === 'open');
    const anchors = new Map((state?.careSet ?? []).map((c) => [c.relationshipId, c]));
    const patientRef = await this.#o.ledger.refOf(patientId);
    const relationships: CareInForce[] = [];
    const violations: IntegrityProblem[] = [];
    for (const row of rows) {
      const anchor = anchors.get(row.id) ?? (await this.#anchorOf(row.id));
      if (anchor === 'unavailable') continue;
      const problem = mismatch(row, anchor, patientRef);
      if (problem !== null) violations.push({ subject: `care relationship ${row.id}`, message: problem });
      else if (anchor?.status === 'open') {
        relationships.push({
          patientId,
          organisationId: row.organisationId,
          openedAt: row.openedAt,
          expiresAt: row.expiresAt,
        });
      }
    }
    this.#noteUnstored(state, rows);
    return { relationships, violations };
  }

  /** Relationships the ledger has open without an open row: they only narrow, so noted, not alarmed. */
  #noteUnstored(state: PatientState | undefined, rows: readonly CareRelationshipRow[]): void {
    for (const c of state?.careSet ?? []) {
      if (c.status === 'open' && !rows.some((r) => r.id === c.relationshipId)) {
        this.#o.onRepair?.(
          `care relationship ${c.relationshipId}`,
          'anchored on the ledger with no open row; not applied',
        );
      }
    }
  }

  async #anchorOf(relationshipId: string): Promise<PatientStateCare | CareRecord | null | 'unavailable'> {
    try {
      return await this.#o.ledger.getCareRelationship(GATEWAY_ACTOR, relationshipId);
    } catch (err) {
      if (err instanceof LedgerError && err.chaincodeCode === 'NOT_FOUND') return null;
      if (err instanceof LedgerError && err.code === 'LEDGER_UNAVAILABLE') return 'unavailable';
      throw err;
    }
  }
}

/** Why a stored relationship cannot be trusted, or null. */
function mismatch(
  row: CareRelationshipRow,
  anchor: PatientStateCare | CareRecord | null,
  /** The id the ledger knows the row's patient by. */
  patientRef: string,
): string | null {
  if (!careContentHashMatches(row, row.contentHash)) {
    return `care relationship ${row.id}: its row no longer matches its content hash`;
  }
  if (anchor === null) return `care relationship ${row.id} is not anchored on the ledger`;
  if ('patientRef' in anchor && anchor.patientRef !== patientRef) {
    return `care relationship ${row.id}: the ledger anchors it for another patient`;
  }
  if (anchor.hash !== row.contentHash || anchor.expiresAt !== row.expiresAt.toISOString()) {
    return `care relationship ${row.id}: the ledger anchors another hash or expiry`;
  }
  return null;
}
