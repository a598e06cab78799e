import type { PolicyVersion } from 'meridian-chaincode';
import { MeridianError } from '../../domain/errors.js';
import { LedgerError } from '../../ledger/ledger-error.js';
import type { PolicyRepository, PolicyVersionRow } from '../../stores/policy-repository.js';
import type { PolicyAnchoring } from './policy-anchoring.js';
import type { ActivePolicies, IntegrityProblem, PolicySource, VerifiedPolicy } from './policy-source.js';
import { integrityProblem, readStoredPolicy, type StoredPolicy } from './policy-verification.js';

type Judgement = VerifiedPolicy | IntegrityProblem | null;

/** What the last full verification used, to stand in while the ledger cannot be reached. */
interface Memo {
  readonly result: ActivePolicies;
  /** The active rows then, as `id@version:hash`: any change makes the memo unusable. */
  readonly fingerprint: string;
  /** Policies taken from rows not (yet) marked active here: re-read and re-hashed. */
  readonly adopted: readonly VerifiedPolicy[];
  /** The ledger's policy epoch the caller read before this verification, if it said. */
  readonly epoch: number | undefined;
  /** The repository's digest of the stored policy ids and every active row: any change means verifying again. */
  readonly digest: string;
}

function isUnavailable(err: unknown): boolean {
  return err instanceof LedgerError && err.failure === 'unavailable';
}

function fingerprint(rows: readonly PolicyVersionRow[]): string {
  return rows
    .map((row) => {
      const stored = readStoredPolicy(row);
      return `${row.jurisdiction}@${row.version}:${stored.ok ? stored.hash : 'invalid'}`;
    })
    .sort()
    .join('\n');
}

/**
 * `PolicySource` over the control plane and the ledger. For every policy id stored here,
 * the ledger's active version must be stored with the anchored hash. That is a stored
 * `active` row, or an `approved` (or `superseded`) row when another gateway activated the
 * version: it is used, read-only, and this control plane's statuses are not rewritten.
 * Anything else (a row hashing differently, a version active here but not on the ledger,
 * a version active on the ledger but unknown or only drafted here) is an integrity problem
 * and its jurisdiction gets no policy. Besides the ids rows name, the expected ids (the shipped
 * policies) are always asked about: deleting every row of one does not hide it.
 */
export class PolicyVerifier implements PolicySource {
  readonly #policies: PolicyRepository;
  readonly #anchoring: PolicyAnchoring;
  readonly #expectedIds: readonly string[];
  #memo: Memo | null = null;

  constructor(policies: PolicyRepository, anchoring: PolicyAnchoring, expectedIds: readonly string[] = []) {
    this.#policies = policies;
    this.#anchoring = anchoring;
    this.#expectedIds = expectedIds;
  }

  async active(epoch?: number): Promise<ActivePolicies> {
    const memo = this.#memo;
    const reusable = epoch !== undefined && memo?.epoch === epoch && memo.result.violations.length === 0;
    let state = await this.#policies.activeState(reusable ? memo.digest : undefined);
    if (state.active === null) {
      // Stored as when verified under this epoch: only rows adopted from elsewhere are read again.
      if (memo !== null && (await this.#adoptedUnchanged(memo))) return memo.result;
      state = await this.#policies.activeState();
    }
    const rows = state.active ?? [];
    const ids = [...new Set([...state.ids, ...this.#expectedIds])];
    let anchors: (PolicyVersion | null)[];
    try {
      anchors = await Promise.all(ids.map((id) => this.#anchoring.activeVersion(id)));
    } catch (err) {
      if (!isUnavailable(err)) throw err;
      return this.#fromMemo(rows, err);
    }
    const judged = await Promise.all(
      ids.map((id, i) => this.#judge(id, rows.find((r) => r.jurisdiction === id) ?? null, anchors[i] ?? null)),
    );
    const policies = judged.filter((j): j is VerifiedPolicy => j !== null && 'document' in j);
    const result: ActivePolicies = {
      policies,
      violations: judged.filter((j): j is IntegrityProblem => j !== null && 'subject' in j),
    };
    const activeTx = new Set(rows.map((r) => r.activateTxId));
    this.#memo = {
      result,
      fingerprint: fingerprint(rows),
      adopted: policies.filter((p) => !activeTx.has(p.activateTxId)),
      epoch,
      digest: state.digest,
    };
    return result;
  }

  async #judge(id: string, row: PolicyVersionRow | null, anchor: PolicyVersion | null): Promise<Judgement> {
    if (anchor === null) {
      return (
        row && integrityProblem(id, row.version, `stored as active, but the ledger has no active version of ${id}`)
      );
    }
    const source = row?.version === anchor.version ? row : await this.#policies.get(id, anchor.version);
    if (source === null || source.status === 'draft') {
      const here = source === null ? 'not stored here' : 'only a draft here';
      return integrityProblem(id, anchor.version, `active on the ledger, but ${here}`);
    }
    const stored: StoredPolicy = readStoredPolicy(source);
    if (!stored.ok) return integrityProblem(id, anchor.version, stored.problem);
    if (stored.hash !== anchor.hash) {
      return integrityProblem(
        id,
        anchor.version,
        `the ledger anchors ${anchor.hash}, the stored document ${stored.hash}`,
      );
    }
    const activateTxId =
      source.status === 'active'
        ? source.activateTxId
        : ((await this.#anchoring.stepTx(id, anchor.version, 'activated'))?.txId ?? null);
    if (activateTxId === null) return integrityProblem(id, anchor.version, 'no activation transaction is known');
    return { document: stored.document, hash: stored.hash, activateTxId };
  }

  async #fromMemo(rows: readonly PolicyVersionRow[], cause: unknown): Promise<ActivePolicies> {
    const memo = this.#memo;
    if (memo !== null && memo.fingerprint === fingerprint(rows) && (await this.#adoptedUnchanged(memo))) {
      return memo.result;
    }
    const err = new MeridianError(
      'LEDGER_UNAVAILABLE',
      'The ledger cannot be reached to verify the active policies, and the stored policies are not the ones last verified.',
    );
    err.cause = cause;
    throw err;
  }

  async #adoptedUnchanged(memo: Memo): Promise<boolean> {
    const rows = await Promise.all(
      memo.adopted.map((p) => this.#policies.get(p.document.jurisdiction, p.document.version)),
    );
    return rows.every((row, i) => {
      const stored = row && readStoredPolicy(row);
      return stored?.ok === true && stored.hash === memo.adopted[i]?.hash;
    });
  }
}
