import { randomBytes } from 'node:crypto';
import type { ConsentRecord, PatientState, PatientStateConsent } from 'meridian-chaincode';
import { consentContentHash, grantProblems, type Consent, type PolicyCoverage } from '../../domain/consent/index.js';
import { badInput, MeridianError } from '../../domain/errors.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import type { LedgerClient } from '../../ledger/ledger-client.js';
import { LedgerError } from '../../ledger/ledger-error.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import type { ConsentRepository, ConsentRow } from '../../stores/consent-repository.js';
import { consentOfRow, consentRow } from './consent-document.js';
import { checkStoredConsent, compareWithAnchor, type ConsentVerification } from './consent-verification.js';
import { newConsent, type GrantConsentRequest } from './grant-consent-request.js';
import type { IntegrityProblem } from '../policy/policy-source.js';
import { rememberRecent } from '../remember-recent.js';
import { patientActor } from './patient-actor.js';

/** A consent with what proves it: its content hash and the ledger transactions that anchored it. */
export interface PatientConsent {
  readonly consent: Consent;
  readonly contentHash: string;
  readonly grantTxId: string;
  readonly revokeTxId: string | null;
}

export interface ConsentServiceOptions {
  readonly consents: ConsentRepository;
  readonly ledger: LedgerClient;
  /** Who the gateway reads the ledger as when it verifies; default role `gateway`. */
  readonly gatewayActor?: LedgerActor;
  readonly clock?: () => Date;
  readonly newId?: () => string;
  /**
   * A row repaired from the ledger (a revocation stored here late), or a permit anchored with
   * no row (a grant whose write failed): worth a log line, not a tamper alarm.
   */
  readonly onRepair?: (subject: string, message: string) => void;
  /** Who a grant may name: without it, grantee organisations and jurisdictions are not checked. */
  readonly parties?: GrantParties;
}

/** The organisations and jurisdictions a grant may name. */
export interface GrantParties {
  knowsOrganisation(organisationId: string): boolean;
  /** The active policies' coverage (verified): a jurisdiction none covers has no requesters. */
  policies(): Promise<readonly PolicyCoverage[]>;
}

/** A patient's consents a decision may use, each verified against its ledger anchor. */
export interface DecisionConsents {
  /** Revoked ones included: a decision names a revocation as its reason. */
  readonly consents: readonly PatientConsent[];
  /** Stored consents that disagree with the ledger: nothing may be decided for the patient. */
  readonly violations: readonly IntegrityProblem[];
}

/** Consents verified lately, by id: what the read path may rely on while the ledger is unreachable. */
const VERIFIED_MEMO_SIZE = 10_000;

/**
 * While the ledger cannot be reached: the row as last verified, or a refusal. A revocation
 * stored since is accepted for a permit (it only narrows), never for an objection (it would widen).
 */
function verifiedAtHand(
  row: ConsentRow,
  known: { contentHash: string; status: string } | undefined,
): ConsentVerification {
  const local = checkStoredConsent(row);
  const narrowed = row.status === 'revoked' && local.ok && local.consent.kind === 'permit';
  const unchanged = known?.contentHash === row.contentHash && (known.status === row.status || narrowed);
  if (!local.ok || !unchanged) {
    throw new MeridianError(
      'LEDGER_UNAVAILABLE',
      "The ledger cannot be reached to verify the patient's consents; nothing is disclosed unverified.",
    );
  }
  return local;
}

const CONSENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const DEFAULT_GATEWAY_ACTOR: LedgerActor = { user: 'meridian-gateway', role: 'gateway' };

function forbidden(message: string): MeridianError {
  return new MeridianError('FORBIDDEN', message);
}

/** The patient a principal acts as; only patients manage consents, and only their own. */
function ownPatient(principal: Principal, patientId?: string): string {
  if (!hasRole(principal, 'patient') || principal.patientId === undefined) {
    throw forbidden('Only a patient may grant, list or revoke consents, and only their own.');
  }
  if (patientId !== undefined && patientId !== principal.patientId) {
    throw forbidden("A patient may manage only their own consents, not another patient's.");
  }
  return principal.patientId;
}

function patientConsentOf(row: ConsentRow, consent: Consent = consentOfRow(row)): PatientConsent {
  return {
    consent,
    contentHash: row.contentHash,
    grantTxId: row.grantTxId,
    revokeTxId: row.revokeTxId,
  };
}

/**
 * Patients grant, list and revoke their consents. The ledger is written first and the
 * database second: a grant is stored only once its hash is anchored, and a revocation is
 * answered only once it is anchored and stored, so nothing acknowledged is lost.
 */
export class ConsentService {
  readonly #consents: ConsentRepository;
  readonly #ledger: LedgerClient;
  readonly #gatewayActor: LedgerActor;
  readonly #clock: () => Date;
  readonly #newId: () => string;
  readonly #verified = new Map<string, { contentHash: string; status: string }>();
  readonly #o: Readonly<ConsentServiceOptions>;

  constructor(options: Readonly<ConsentServiceOptions>) {
    this.#o = options;
    this.#consents = options.consents;
    this.#ledger = options.ledger;
    this.#gatewayActor = options.gatewayActor ?? DEFAULT_GATEWAY_ACTOR;
    this.#clock = options.clock ?? ((): Date => new Date());
    this.#newId = options.newId ?? ((): string => `cns-${randomBytes(16).toString('hex')}`);
  }

  /**
   * Grants a consent (or, with kind `deny`, an objection) for the caller's own patient id.
   * @throws FORBIDDEN for anyone but that patient; BAD_USER_INPUT naming the field, nothing
   * stored; LEDGER_UNAVAILABLE / LEDGER_REJECTED when the ledger does not anchor it, nothing stored.
   */
  async grant(principal: Principal, request: GrantConsentRequest): Promise<PatientConsent> {
    const patientId = ownPatient(principal, request.patientId);
    const consent = newConsent(request, { id: this.#newId(), patientId, grantedAt: this.#clock() });
    await this.#checkGrant(consent);
    const contentHash = consentContentHash(consent);
    const anchored = await this.#ledger.recordConsent(patientActor(principal, patientId), {
      consentId: consent.id,
      patientRef: patientId,
      hash: contentHash,
      version: consent.version,
      kind: consent.kind,
    });
    // Should this insert fail, the ledger keeps an anchor no row points to: a hash of nothing
    // stored, harmless, and the client is told the grant failed.
    await this.#consents.insert(consentRow(consent, contentHash, anchored.txId));
    return { consent, contentHash, grantTxId: anchored.txId, revokeTxId: null };
  }

  /** @throws MeridianError BAD_USER_INPUT naming the first field that makes the grant meaningless. */
  async #checkGrant(consent: Consent): Promise<void> {
    const parties = this.#o.parties;
    const problems = grantProblems(consent, {
      at: consent.grantedAt,
      ...(parties !== undefined
        ? { knowsOrganisation: (id: string) => parties.knowsOrganisation(id), policies: await parties.policies() }
        : {}),
    });
    if (problems.length === 0) return;
    const errors = problems.map(([field, message]) => `${field}: ${message}`);
    throw badInput(`Invalid consent: ${errors.join('; ')}`, { field: problems[0]?.[0], errors });
  }

  /**
   * A patient's consents, newest first, revoked ones included.
   * @throws FORBIDDEN for anyone but that patient; INTEGRITY_VIOLATION for a damaged row.
   */
  async list(principal: Principal, patientId?: string): Promise<PatientConsent[]> {
    const own = ownPatient(principal, patientId);
    return (await this.#consents.list(own)).map((row) => patientConsentOf(row));
  }

  /**
   * Revokes one of the caller's consents, effective once answered: the revocation is
   * anchored on the ledger, then stored. Revoking a revoked consent returns it unchanged.
   *
   * A consent that does not exist and one of another patient's get the same FORBIDDEN,
   * so the answer never tells whether a consent id exists.
   */
  async revoke(principal: Principal, consentId: string): Promise<PatientConsent> {
    const patientId = ownPatient(principal);
    if (!CONSENT_ID.test(consentId)) {
      throw badInput("`consentId` must be 1-128 letters, digits, '.', '_', ':' or '-'.", { field: 'consentId' });
    }
    const row = await this.#consents.get(consentId);
    if (row === null || row.patientId !== patientId) {
      throw forbidden('A patient may revoke only their own consents.');
    }
    if (row.status === 'revoked') return patientConsentOf(row);
    const revocation = await this.#anchorRevocation(patientActor(principal, patientId), consentId);
    // In force from here on: the ledger decides a consent's status, and every read repairs a
    // row that lags behind it. A failed write must not tell the patient the revocation failed.
    try {
      await this.#consents.markRevoked(consentId, revocation.revokedAt, revocation.txId);
      // Re-read: a concurrent revocation may have stored its own transaction first.
      const revoked = await this.#consents.get(consentId);
      if (revoked !== null) return patientConsentOf(revoked);
    } catch {
      this.#o.onRepair?.(
        `consent ${consentId}`,
        'revoked on the ledger; storing the revocation failed, reads repair it',
      );
    }
    return patientConsentOf(
      { ...row, status: 'revoked', revokedAt: revocation.revokedAt, revokeTxId: revocation.txId },
      { ...consentOfRow(row), status: 'revoked', revokedAt: revocation.revokedAt },
    );
  }

  /**
   * Checks a stored consent: its document is valid and agrees with its row, hashes to
   * the stored content hash, and the ledger anchors that hash for that patient and
   * version with the same status. Enforcement trusts a consent only when this is ok.
   * @throws LedgerError LEDGER_UNAVAILABLE when the ledger cannot answer: not a verdict.
   */
  async verify(row: ConsentRow): Promise<ConsentVerification> {
    const local = checkStoredConsent(row);
    if (!local.ok) return local;
    let anchor: ConsentRecord | null = null;
    try {
      anchor = await this.#ledger.getConsentStatus(this.#gatewayActor, row.id);
    } catch (err) {
      if (!(err instanceof LedgerError && err.chaincodeCode === 'NOT_FOUND')) throw err;
    }
    return compareWithAnchor(row, anchor, await this.#ledger.refOf(row.patientId)) ?? local;
  }

  /**
   * The patient's consents, each verified (`verify`) before a decision uses it. While the
   * ledger cannot be reached, a consent whose row is unchanged since it last verified is
   * used; a revocation stored here since then only narrows it. `read`: the patient's rows as
   * read just before `state` (checked against it; read here when not given).
   * @throws MeridianError LEDGER_UNAVAILABLE when a consent cannot be verified at all.
   */
  async forDecision(patientId: string, state?: PatientState, read?: readonly ConsentRow[]): Promise<DecisionConsents> {
    if (state !== undefined) return this.#againstState(patientId, state, read);
    const rows = await this.#consents.list(patientId);
    return this.#decisionConsents(rows, await Promise.all(rows.map((row) => this.#verifyForDecision(row))));
  }

  /**
   * The consents checked against the patient's ledger state, read once for all of them: each
   * row must carry its anchor's hash, version and status, and every consent the ledger lists
   * must have its row. A missing objection would widen a disclosure: an integrity violation.
   * A missing permit only narrows it, and a revocation the ledger has but the row lacks is the
   * ledger's to decide: both are repaired or noted, never alarms.
   */
  async #againstState(
    patientId: string,
    state: PatientState,
    read: readonly ConsentRow[] | undefined,
  ): Promise<DecisionConsents> {
    const anchors = new Map(state.consentSet.map((c) => [c.consentId, c]));
    let rows = read ?? (await this.#consents.list(patientId));
    const missing = (): PatientStateConsent[] =>
      state.consentSet.filter((c) => !rows.some((r) => r.id === c.consentId));
    // A grant anchored a moment ago may be storing its row right now: look once more.
    if (missing().some((c) => c.kind === 'deny')) rows = await this.#consents.list(patientId);
    const checked = await Promise.all(rows.map((row) => this.#rowAgainstAnchor(row, anchors.get(row.id))));
    const result = this.#decisionConsents(
      checked.map((c) => c.row),
      checked.map((c) => c.verification),
    );
    const lost: IntegrityProblem[] = [];
    for (const c of missing()) {
      if (c.kind === 'deny') {
        lost.push({
          subject: `consent ${c.consentId}`,
          message: `objection ${c.consentId} is anchored on the ledger but its row is missing`,
        });
      } else {
        this.#o.onRepair?.(
          `consent ${c.consentId}`,
          'a consent anchored on the ledger has no row; it cannot be applied',
        );
      }
    }
    return lost.length === 0 ? result : { ...result, violations: [...result.violations, ...lost] };
  }

  /** One row against its anchor in the patient's state; a row the state does not list is asked for directly. */
  async #rowAgainstAnchor(
    row: ConsentRow,
    anchor: PatientStateConsent | undefined,
  ): Promise<{ row: ConsentRow; verification: ConsentVerification }> {
    if (anchor === undefined) return { row, verification: await this.#verifyForDecision(row) };
    const local = checkStoredConsent(row);
    if (!local.ok) return { row, verification: local };
    // From the patient's own state: it is theirs by construction.
    const ledger = { ...anchor, patientRef: row.patientId };
    if (anchor.status === 'revoked' && row.status === 'active') {
      const repaired = await this.#repairRevocation(row);
      if (repaired !== null) return { row: repaired, verification: checkStoredConsent(repaired) };
    }
    if (anchor.status === 'active' && row.status === 'revoked') {
      // A revocation stored after the state was read: the ledger, asked again, decides.
      return { row, verification: await this.#verifyForDecision(row) };
    }
    const mismatch = compareWithAnchor(row, { ...ledger, recordedAt: '' });
    if (mismatch === null) this.#remember(row);
    return { row, verification: mismatch ?? local };
  }

  /** Stores the ledger's revocation in a row that still says active; null when the ledger history has none. */
  async #repairRevocation(row: ConsentRow): Promise<ConsentRow | null> {
    const history = await this.#ledger.getConsentHistory(this.#gatewayActor, row.id);
    const revoked = history.find((event) => event.action === 'revoked');
    if (revoked === undefined) return null;
    await this.#consents.markRevoked(row.id, new Date(revoked.at), revoked.txId);
    this.#o.onRepair?.(`consent ${row.id}`, 'revoked on the ledger; the stored row was repaired from it');
    return this.#consents.get(row.id);
  }

  #decisionConsents(rows: readonly ConsentRow[], checked: readonly ConsentVerification[]): DecisionConsents {
    const consents: PatientConsent[] = [];
    const violations: IntegrityProblem[] = [];
    checked.forEach((verification, i) => {
      const row = rows[i];
      if (row === undefined) return;
      // The verified document, already read: not parsed a second time.
      if (verification.ok) consents.push(patientConsentOf(row, verification.consent));
      else violations.push({ subject: `consent ${row.id}`, message: verification.message });
    });
    return { consents, violations };
  }

  async #verifyForDecision(row: ConsentRow): Promise<ConsentVerification> {
    // A revocation is final on the ledger and a content hash never changes: a consent once
    // verified as revoked needs no second ledger call while its row still says the same.
    const known = this.#verified.get(row.id);
    if (row.status === 'revoked' && known?.status === 'revoked' && known.contentHash === row.contentHash) {
      return checkStoredConsent(row);
    }
    try {
      const verification = await this.verify(row);
      if (verification.ok) this.#remember(row);
      return verification;
    } catch (err) {
      if (!(err instanceof LedgerError && err.code === 'LEDGER_UNAVAILABLE')) throw err;
      return verifiedAtHand(row, known);
    }
  }

  #remember(row: ConsentRow): void {
    rememberRecent(this.#verified, row.id, { contentHash: row.contentHash, status: row.status }, VERIFIED_MEMO_SIZE);
  }

  async #anchorRevocation(actor: LedgerActor, consentId: string): Promise<{ txId: string; revokedAt: Date }> {
    try {
      const anchored = await this.#ledger.revokeConsent(actor, consentId, 'patient_request');
      return { txId: anchored.txId, revokedAt: new Date(anchored.value.revokedAt ?? this.#clock()) };
    } catch (err) {
      // Revoked on the ledger but not stored (a crash or a failed write in between):
      // finish the stored half with the ledger's own transaction rather than refuse.
      if (err instanceof LedgerError && err.chaincodeCode === 'CONFLICT') {
        const history = await this.#ledger.getConsentHistory(actor, consentId);
        const revoked = history.find((event) => event.action === 'revoked');
        if (revoked) return { txId: revoked.txId, revokedAt: new Date(revoked.at) };
      }
      throw err;
    }
  }
}
