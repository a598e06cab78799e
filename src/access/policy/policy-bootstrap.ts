import type { PolicyVersion } from 'meridian-chaincode';
import { matchingScheme } from '../../domain/canonical-json.js';
import { MeridianError } from '../../domain/errors.js';
import { draftProblems, policyDocumentHash, type PolicyDocument } from '../../domain/policy/index.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import type { PolicyRepository, PolicyVersionRow } from '../../stores/policy-repository.js';
import type { PolicyAnchoring } from './policy-anchoring.js';

/** What bootstrap did for one shipped policy. */
export interface BootstrapOutcome {
  readonly jurisdiction: string;
  readonly version: string;
  /**
   * `activated`: recorded, approved and activated on the ledger, and stored. `stored`: the
   * ledger already had it active with the same hash (a new control plane); now stored too.
   * `present`: the jurisdiction already has an active version on both sides. `skipped`: see `reason`.
   */
  readonly action: 'activated' | 'stored' | 'present' | 'skipped';
  readonly reason?: string;
}

export interface BootstrapDeps {
  readonly policies: PolicyRepository;
  readonly anchoring: PolicyAnchoring;
}

/** The two ledger identities of the first start, per jurisdiction: four eyes, even for the shipped defaults. */
export const BOOTSTRAP_AUTHOR = 'bootstrap-author';
export const BOOTSTRAP_APPROVER = 'bootstrap-approver';

/**
 * The ledger user who authors (or approves) the shipped policy of `jurisdiction`, e.g.
 * `bootstrap-author-de`. A Fabric certificate carries one `meridian.jurisdiction`, and the
 * chaincode lets only officers of a policy's own jurisdiction record and approve it, so each
 * jurisdiction needs identities of its own (wallet folders of these names; see README).
 */
export function bootstrapUser(role: typeof BOOTSTRAP_AUTHOR | typeof BOOTSTRAP_APPROVER, jurisdiction: string): string {
  return `${role}-${jurisdiction.toLowerCase()}`;
}

function actor(role: typeof BOOTSTRAP_AUTHOR | typeof BOOTSTRAP_APPROVER, policyId: string): LedgerActor {
  return { user: bootstrapUser(role, policyId), role: 'compliance_officer', jurisdiction: policyId };
}

/** The stored row of a version the ledger has active, from the ledger's own record of it. */
async function activeRow(
  deps: BootstrapDeps,
  document: PolicyDocument,
  anchor: PolicyVersion,
): Promise<PolicyVersionRow> {
  const { jurisdiction, version } = document;
  const [recorded, approved, activated] = await Promise.all([
    deps.anchoring.stepTx(jurisdiction, version, 'recorded'),
    deps.anchoring.stepTx(jurisdiction, version, 'approved'),
    deps.anchoring.stepTx(jurisdiction, version, 'activated'),
  ]);
  if (recorded === null || activated === null) {
    throw new Error(`the ledger's history of policy ${jurisdiction}@${version} lacks its recording or activation`);
  }
  return {
    jurisdiction,
    version,
    document,
    contentHash: anchor.hash,
    status: 'active',
    author: anchor.author,
    approver: anchor.approver ?? null,
    createdAt: recorded.at,
    approvedAt: approved?.at ?? null,
    activatedAt: activated.at,
    recordTxId: recorded.txId,
    approveTxId: approved?.txId ?? null,
    activateTxId: activated.txId,
  };
}

/**
 * Whether the ledger's `anchored` hash is this document's: under RFC 8785, or under the form
 * an earlier release anchored with (see HashScheme).
 */
function anchorsDocument(anchored: string, document: PolicyDocument): boolean {
  return matchingScheme((scheme) => policyDocumentHash(document, scheme), anchored) !== null;
}

/** Takes a shipped version through record, approve and activate, resuming wherever an earlier start stopped. */
async function anchorShipped(deps: BootstrapDeps, document: PolicyDocument, hash: string): Promise<string | null> {
  const { jurisdiction: id, version } = document;
  const existing = await deps.anchoring.version(id, version);
  if (existing && !anchorsDocument(existing.hash, document)) {
    return `version ${version} is recorded on the ledger with another hash`;
  }
  // Approval and activation name the hash the version was recorded with.
  const ref = { jurisdiction: id, version, hash: existing?.hash ?? hash };
  if (existing === null) await deps.anchoring.record(actor(BOOTSTRAP_AUTHOR, id), ref);
  if (existing === null || existing.status === 'recorded') {
    await deps.anchoring.approve(actor(BOOTSTRAP_APPROVER, id), ref);
  }
  await deps.anchoring.activate(actor(BOOTSTRAP_AUTHOR, id), ref);
  return null;
}

async function bootstrapOne(
  deps: BootstrapDeps,
  document: PolicyDocument,
  shipped: readonly PolicyDocument[],
  storedActive: PolicyVersionRow | undefined,
): Promise<BootstrapOutcome> {
  const { jurisdiction, version } = document;
  const skipped = (reason: string): BootstrapOutcome => ({ jurisdiction, version, action: 'skipped', reason });
  const hash = policyDocumentHash(document);
  const anchor = await deps.anchoring.activeVersion(jurisdiction);
  if (anchor !== null && storedActive !== undefined) return { jurisdiction, version, action: 'present' };
  if (storedActive !== undefined) return skipped('stored as active here, but the ledger has no active version');
  if (anchor !== null) {
    if (anchor.version !== version || !anchorsDocument(anchor.hash, document)) {
      return skipped(`the ledger has version ${anchor.version} active, which is not the shipped document`);
    }
    await deps.policies.save(await activeRow(deps, document, anchor));
    return { jurisdiction, version, action: 'stored' };
  }
  const problems = draftProblems(document, shipped);
  if (problems.length > 0) return skipped(problems.join('; '));
  const refused = await anchorShipped(deps, document, hash);
  if (refused !== null) return skipped(refused);
  const activated = await deps.anchoring.activeVersion(jurisdiction);
  if (activated === null) throw new Error(`policy ${jurisdiction}@${version} is not active after activation`);
  await deps.policies.save(await activeRow(deps, document, activated));
  return { jurisdiction, version, action: 'activated' };
}

/**
 * Activates the shipped policies on a first start: every jurisdiction with an active
 * version neither on the ledger nor here gets the shipped document, recorded by
 * `bootstrap-author-<jurisdiction>`, approved by `bootstrap-approver-<jurisdiction>`, activated
 * and stored. Idempotent:
 * a restart finds them present; a new control plane beside a ledger that has the shipped
 * version active only stores the row. Nothing active is ever replaced. A jurisdiction the
 * ledger refuses (e.g. on Fabric without wallet entries for the bootstrap users) or cannot
 * reach is skipped with the reason, and gets no policy until an officer activates one.
 */
export async function bootstrapPolicies(
  deps: BootstrapDeps,
  documents: readonly PolicyDocument[],
): Promise<BootstrapOutcome[]> {
  const stored = await deps.policies.active();
  const outcomes: BootstrapOutcome[] = [];
  for (const document of documents) {
    const storedActive = stored.find((row) => row.jurisdiction === document.jurisdiction);
    try {
      outcomes.push(await bootstrapOne(deps, document, documents, storedActive));
    } catch (err) {
      if (!(err instanceof MeridianError)) throw err;
      outcomes.push({
        jurisdiction: document.jurisdiction,
        version: document.version,
        action: 'skipped',
        reason: `${err.code}: ${err.message}`,
      });
    }
  }
  return outcomes;
}
