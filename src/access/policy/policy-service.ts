import { badInput, MeridianError } from '../../domain/errors.js';
import {
  draftProblems,
  parsePolicyDocument,
  policyDiff,
  policyDocumentHash,
  type PolicyChange,
  type PolicyDocument,
} from '../../domain/policy/index.js';
import type { Principal } from '../../domain/principal.js';
import type { LedgerClient } from '../../ledger/ledger-client.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import type { PolicyRepository, PolicyStatus, PolicyVersionRow } from '../../stores/policy-repository.js';
import { PolicyAnchoring } from './policy-anchoring.js';
import { bootstrapPolicies, type BootstrapOutcome } from './policy-bootstrap.js';
import {
  coversOf,
  officerActor,
  requireCovered,
  requireNoNewClaims,
  requireOfficer,
  requireVersionRef,
} from './policy-officer.js';
import type { ActivePolicies, PolicySource } from './policy-source.js';
import { PolicyVerifier } from './policy-verifier.js';
import { policySubject, readStoredPolicy, statusOf, trustedDocument } from './policy-verification.js';

/**
 * A policy version as officers see it: the stored row with its status read and its document
 * read as the anchored one (null when it no longer does).
 */
export interface PolicyVersionInfo extends Omit<PolicyVersionRow, 'status' | 'document'> {
  readonly status: PolicyStatus;
  readonly document: PolicyDocument | null;
}

/** What a version changes against the jurisdiction's active version. */
export interface PolicyVersionDiff {
  readonly jurisdiction: string;
  readonly version: string;
  /** The active version compared against; null when none is active (every path is new). */
  readonly activeVersion: string | null;
  readonly changes: readonly PolicyChange[];
}

export interface PolicyServiceOptions {
  readonly policies: PolicyRepository;
  readonly ledger: LedgerClient;
  /** Who the gateway reads the ledger as when it verifies; default role `gateway`. */
  readonly gatewayActor?: LedgerActor;
  /**
   * Policy ids asked about on the ledger even when no row here names them (the shipped ones),
   * so a policy active on the ledger whose rows were deleted here is noticed.
   */
  readonly expectedIds?: readonly string[];
}

const DEFAULT_GATEWAY_ACTOR: LedgerActor = { user: 'meridian-gateway', role: 'gateway' };

function infoOf(row: PolicyVersionRow): PolicyVersionInfo {
  const stored = readStoredPolicy(row);
  return {
    jurisdiction: row.jurisdiction,
    version: row.version,
    status: statusOf(row),
    document: stored.ok ? stored.document : null,
    contentHash: row.contentHash,
    author: row.author,
    approver: row.approver,
    createdAt: row.createdAt,
    approvedAt: row.approvedAt,
    activatedAt: row.activatedAt,
    recordTxId: row.recordTxId,
    approveTxId: row.approveTxId,
    activateTxId: row.activateTxId,
  };
}

/**
 * The jurisdiction policy lifecycle: a compliance officer drafts a version, a different
 * officer of the same policy approves it, and activation makes it the one the read path
 * uses (`active()`, verified against the ledger on every call unless told a policy epoch
 * at which the same stored rows were verified already). Each step is anchored on
 * the ledger first and stored second, so nothing is stored that the ledger does not hold.
 *
 * A simulation of a draft needs `active()` and `withDraft` from the domain: the verified
 * active documents with the draft in place of its jurisdiction's version.
 */
export class PolicyService implements PolicySource {
  readonly #policies: PolicyRepository;
  readonly #anchoring: PolicyAnchoring;
  readonly #verifier: PolicyVerifier;

  constructor(options: Readonly<PolicyServiceOptions>) {
    this.#policies = options.policies;
    this.#anchoring = new PolicyAnchoring(options.ledger, options.gatewayActor ?? DEFAULT_GATEWAY_ACTOR);
    this.#verifier = new PolicyVerifier(this.#policies, this.#anchoring, options.expectedIds ?? []);
  }

  /**
   * Drafts a new version: validated, an overlay checked not to loosen the active chain it
   * extends, its hash recorded on the ledger as the caller's, then stored as a draft.
   * @throws FORBIDDEN unless the caller is a compliance officer the policy covers;
   * BAD_USER_INPUT naming every bad path, or for a version that exists; nothing stored.
   */
  async draft(principal: Principal, document: unknown): Promise<PolicyVersionInfo> {
    requireOfficer(principal);
    const policy = parsePolicyDocument(document);
    const { jurisdiction, version } = policy;
    const current = await this.#storedActive(jurisdiction);
    requireCovered(principal, jurisdiction, current ? [policy, current.document] : [policy]);
    requireNoNewClaims(principal, jurisdiction, policy.covers, current ? coversOf(current.document) : []);
    if (await this.#policies.get(jurisdiction, version)) {
      throw badInput(`${policySubject(jurisdiction, version)} already exists: give the draft a new version.`, {
        field: 'version',
      });
    }
    const problems = draftProblems(policy, await this.#activeDocuments());
    if (problems.length > 0) {
      throw badInput(`${policySubject(jurisdiction, version)} would loosen what it extends: ${problems.join('; ')}`, {
        errors: problems,
      });
    }
    const contentHash = policyDocumentHash(policy);
    const actor = officerActor(principal, jurisdiction);
    const recorded = await this.#anchoring.record(actor, { jurisdiction, version, hash: contentHash });
    const row: PolicyVersionRow = {
      jurisdiction,
      version,
      document: policy,
      contentHash,
      status: 'draft',
      author: actor.user,
      approver: null,
      createdAt: recorded.at,
      approvedAt: null,
      activatedAt: null,
      recordTxId: recorded.txId,
      approveTxId: null,
      activateTxId: null,
    };
    await this.#policies.insert(row);
    return infoOf(row);
  }

  /**
   * What a version changes against the jurisdiction's active version, path by path.
   * @throws FORBIDDEN as for `draft`; NOT_FOUND for a version not stored.
   */
  async diff(principal: Principal, jurisdiction: string, version: string): Promise<PolicyVersionDiff> {
    const row = await this.#authorised(principal, jurisdiction, version);
    const current = await this.#storedActive(jurisdiction);
    return {
      jurisdiction,
      version,
      activeVersion: current?.version ?? null,
      changes: policyDiff(current?.document, row.document),
    };
  }

  /**
   * A stored version's document for an officer it covers, once the ledger is shown to anchor it.
   * @throws FORBIDDEN as for `draft`; NOT_FOUND for a version not stored; INTEGRITY_VIOLATION.
   */
  async anchoredVersion(principal: Principal, jurisdiction: string, version: string): Promise<PolicyDocument> {
    return this.#requireAnchored(await this.#authorised(principal, jurisdiction, version));
  }

  /**
   * Approves a draft: four eyes, by a compliance officer other than its author.
   * @throws FORBIDDEN for the author or an officer the policy does not cover; BAD_USER_INPUT
   * when the version is not a draft; INTEGRITY_VIOLATION when the stored draft is not the anchored one.
   */
  async approve(principal: Principal, jurisdiction: string, version: string): Promise<PolicyVersionInfo> {
    const row = await this.#authorised(principal, jurisdiction, version);
    const subject = policySubject(jurisdiction, version);
    if (row.author === principal.subject) {
      throw new MeridianError(
        'FORBIDDEN',
        `${subject} was drafted by ${row.author}: it must be approved by a different compliance officer (four eyes).`,
      );
    }
    if (statusOf(row) !== 'draft') throw badInput(`${subject} is ${row.status}: only a draft can be approved.`);
    await this.#requireAnchored(row);
    const actor = officerActor(principal, jurisdiction);
    const approved = await this.#anchoring.approve(actor, { jurisdiction, version, hash: row.contentHash });
    await this.#policies.markApproved(jurisdiction, version, {
      approver: actor.user,
      approvedAt: approved.at,
      approveTxId: approved.txId,
    });
    return this.#reread(jurisdiction, version);
  }

  /**
   * Activates an approved version: anchored (the ledger emits `PolicyActivated`), then the
   * previous active version is stored as superseded. `active()` uses it from the next call.
   * @throws FORBIDDEN as for `draft`; BAD_USER_INPUT when the version is not approved, or an
   * overlay would now loosen its active chain; INTEGRITY_VIOLATION as for `approve`.
   */
  async activate(principal: Principal, jurisdiction: string, version: string): Promise<PolicyVersionInfo> {
    const row = await this.#authorised(principal, jurisdiction, version);
    const subject = policySubject(jurisdiction, version);
    if (statusOf(row) !== 'approved')
      throw badInput(`${subject} is ${row.status}: only an approved version can be activated.`);
    const document = await this.#requireAnchored(row);
    const problems = draftProblems(document, await this.#activeDocuments());
    if (problems.length > 0) {
      throw badInput(`${subject} would loosen what it extends: ${problems.join('; ')}`, { errors: problems });
    }
    const actor = officerActor(principal, jurisdiction);
    const activated = await this.#anchoring.activate(actor, { jurisdiction, version, hash: row.contentHash });
    await this.#policies.markActive(jurisdiction, version, {
      activatedAt: activated.at,
      activateTxId: activated.txId,
    });
    return this.#reread(jurisdiction, version);
  }

  /**
   * A jurisdiction's versions, newest first, with status, author, approver, times, hashes
   * and transactions. @throws FORBIDDEN as for `draft`; NOT_FOUND when none is stored.
   */
  async history(principal: Principal, jurisdiction: string): Promise<PolicyVersionInfo[]> {
    requireOfficer(principal);
    requireVersionRef(jurisdiction);
    const rows = await this.#policies.history(jurisdiction);
    const latest = rows[0];
    if (latest === undefined) throw new MeridianError('NOT_FOUND', `No version of policy ${jurisdiction} is stored.`);
    const current = rows.find((r) => r.status === 'active');
    requireCovered(principal, jurisdiction, [(current ?? latest).document]);
    return rows.map(infoOf);
  }

  /** `active()` for a compliance officer: what every decision is judged by right now. */
  async activePolicies(principal: Principal): Promise<ActivePolicies> {
    requireOfficer(principal);
    return this.active();
  }

  /** @see PolicySource.active */
  active(epoch?: number): Promise<ActivePolicies> {
    return this.#verifier.active(epoch);
  }

  /** Activates the shipped policies on a first start; see `bootstrapPolicies`. */
  bootstrap(documents: readonly PolicyDocument[]): Promise<BootstrapOutcome[]> {
    return bootstrapPolicies({ policies: this.#policies, anchoring: this.#anchoring }, documents);
  }

  /** The version, once the caller is shown to be an officer both it and the active version cover. */
  async #authorised(principal: Principal, jurisdiction: string, version: string): Promise<PolicyVersionRow> {
    requireOfficer(principal);
    requireVersionRef(jurisdiction, version);
    const row = await this.#policies.get(jurisdiction, version);
    if (row === null) throw new MeridianError('NOT_FOUND', `${policySubject(jurisdiction, version)} is not stored.`);
    const current = await this.#policies.active().then((rows) => rows.find((r) => r.jurisdiction === jurisdiction));
    requireCovered(principal, jurisdiction, current ? [row.document, current.document] : [row.document]);
    return row;
  }

  /** The stored document, once it reads as valid, hashes as stored and the ledger holds that hash. */
  async #requireAnchored(row: PolicyVersionRow): Promise<PolicyDocument> {
    const document = trustedDocument(row);
    const anchor = await this.#anchoring.version(row.jurisdiction, row.version);
    if (anchor?.hash !== row.contentHash) {
      throw new MeridianError(
        'INTEGRITY_VIOLATION',
        `${policySubject(row.jurisdiction, row.version)}: the ledger does not anchor the stored content hash.`,
      );
    }
    return document;
  }

  async #storedActive(jurisdiction: string): Promise<PolicyVersionRow | undefined> {
    return (await this.#policies.active()).find((r) => r.jurisdiction === jurisdiction);
  }

  /** The stored active documents that read as valid: what a draft is checked against. */
  async #activeDocuments(): Promise<PolicyDocument[]> {
    return (await this.#policies.active()).flatMap((row) => {
      const stored = readStoredPolicy(row);
      return stored.ok ? [stored.document] : [];
    });
  }

  async #reread(jurisdiction: string, version: string): Promise<PolicyVersionInfo> {
    const row = await this.#policies.get(jurisdiction, version);
    if (row === null) throw new Error(`${policySubject(jurisdiction, version)} vanished while being updated`);
    return infoOf(row);
  }
}
