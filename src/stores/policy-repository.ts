import type pg from 'pg';
import type { Prisma, PrismaClient } from '../generated/control/client.js';

/** Where a policy version is in its four-eyes lifecycle. */
export type PolicyStatus = 'draft' | 'approved' | 'active' | 'superseded';

/** A policy version as the control plane stores it; `document` is checked by whoever reads it. */
export interface PolicyVersionRow {
  /** The policy's id, e.g. EU, DE. */
  readonly jurisdiction: string;
  readonly version: string;
  /** The document as drafted (JSON): what its content hash covers. */
  readonly document: unknown;
  readonly contentHash: string;
  /** A `PolicyStatus` as stored. */
  readonly status: string;
  readonly author: string;
  readonly approver: string | null;
  readonly createdAt: Date;
  readonly approvedAt: Date | null;
  readonly activatedAt: Date | null;
  /** Ledger transactions that anchored the draft, the approval and the activation. */
  readonly recordTxId: string;
  readonly approveTxId: string | null;
  readonly activateTxId: string | null;
}

/** What `PolicyRepository.activeState` reads. */
export interface ActivePolicyState {
  /** Changes whenever a policy id or any column of an active row does. */
  readonly digest: string;
  /** Every policy id with at least one stored version. */
  readonly ids: string[];
  /** The active rows by jurisdiction; null when the digest was the one the caller already had. */
  readonly active: PolicyVersionRow[] | null;
}

/** Policy versions in the control-plane database. */
export interface PolicyRepository {
  /** Adds a draft; rejects when the version exists. */
  insert(row: PolicyVersionRow): Promise<void>;
  /** Writes a whole row, adding or replacing it (bootstrap, and finishing a half-done activation). */
  save(row: PolicyVersionRow): Promise<void>;
  get(jurisdiction: string, version: string): Promise<PolicyVersionRow | null>;
  /** A jurisdiction's versions, newest first. */
  history(jurisdiction: string): Promise<PolicyVersionRow[]>;
  /** Every row with status `active`, by jurisdiction. */
  active(): Promise<PolicyVersionRow[]>;
  /**
   * `active()` and every policy id with at least one stored version, read at once (what every
   * policy verification asks), with a digest of both as stored (every column of every active
   * row). The rows are left out (null) when the digest is `unless`: unchanged since the caller
   * last read them.
   */
  activeState(unless?: string): Promise<ActivePolicyState>;
  /** Marks a draft approved, in one conditional update. False when it was not a draft. */
  markApproved(
    jurisdiction: string,
    version: string,
    approval: { approver: string; approvedAt: Date; approveTxId: string },
  ): Promise<boolean>;
  /**
   * Makes the version active and whatever was active in its jurisdiction superseded, in
   * one transaction. False when the version was not approved (nothing changed).
   */
  markActive(
    jurisdiction: string,
    version: string,
    activation: { activatedAt: Date; activateTxId: string },
  ): Promise<boolean>;
}

function data(row: PolicyVersionRow): Prisma.PolicyVersionCreateInput {
  // Documents come from parsePolicyDocument: JSON-safe values only.
  return { ...row, document: row.document as Prisma.InputJsonObject };
}

const POLICY_COLUMNS = `jurisdiction, version, document, content_hash AS "contentHash", status, author, approver,
  created_at AS "createdAt", approved_at AS "approvedAt", activated_at AS "activatedAt", record_tx_id AS "recordTxId",
  approve_tx_id AS "approveTxId", activate_tx_id AS "activateTxId"`;

/** `PolicyRepository` on the control plane's Prisma client (shared: PGlite serves one connection). */
export class PrismaPolicyRepository implements PolicyRepository {
  readonly #prisma: PrismaClient;
  /** The pool under `prisma`: `active` and `activeState`, asked by every uncached decision, go to it as named statements. */
  readonly #pool: pg.Pool;

  constructor(prisma: PrismaClient, pool: pg.Pool) {
    this.#prisma = prisma;
    this.#pool = pool;
  }

  async insert(row: PolicyVersionRow): Promise<void> {
    await this.#prisma.policyVersion.create({ data: data(row) });
  }

  async save(row: PolicyVersionRow): Promise<void> {
    const where = { jurisdiction_version: { jurisdiction: row.jurisdiction, version: row.version } };
    await this.#prisma.policyVersion.upsert({ where, create: data(row), update: data(row) });
  }

  get(jurisdiction: string, version: string): Promise<PolicyVersionRow | null> {
    return this.#prisma.policyVersion.findUnique({ where: { jurisdiction_version: { jurisdiction, version } } });
  }

  history(jurisdiction: string): Promise<PolicyVersionRow[]> {
    return this.#prisma.policyVersion.findMany({
      where: { jurisdiction },
      orderBy: [{ createdAt: 'desc' }, { version: 'desc' }],
    });
  }

  async active(): Promise<PolicyVersionRow[]> {
    const { rows } = await this.#pool.query<PolicyVersionRow>({
      name: 'active-policies',
      text: `SELECT ${POLICY_COLUMNS} FROM policy_versions WHERE status = 'active' ORDER BY jurisdiction`,
    });
    return rows;
  }

  /**
   * One statement, one snapshot. The digest is PostgreSQL's sha256 of the ids and of each active
   * row's key and `xmin`: every committed write of a row (an update, however small, or a delete
   * and re-insert) gives it a new `xmin`, so any change is a new digest without reading (or
   * detoasting) the documents. The state row always comes back, the active rows only beside a
   * new digest.
   */
  async activeState(unless?: string): Promise<ActivePolicyState> {
    const { rows } = await this.#pool.query<Partial<PolicyVersionRow> & { state_ids: string[]; state_digest: string }>({
      name: 'active-policy-state',
      text: `WITH ids AS (SELECT ARRAY(SELECT DISTINCT jurisdiction FROM policy_versions ORDER BY 1) AS ids),
        state AS (
          SELECT ids.ids AS state_ids, encode(sha256(convert_to(array_to_string(ids.ids, ',') || E'\\n' ||
            coalesce((SELECT string_agg(jurisdiction || '@' || version || ':' || xmin::text, E'\\n'
              ORDER BY jurisdiction, version) FROM policy_versions WHERE status = 'active'), ''), 'UTF8')),
            'base64') AS state_digest
          FROM ids
        )
        SELECT state.state_ids, state.state_digest, ${POLICY_COLUMNS}
        FROM state LEFT JOIN policy_versions ON status = 'active' AND state.state_digest IS DISTINCT FROM $1::text
        ORDER BY jurisdiction, version`,
      values: [unless ?? null],
    });
    const [state] = rows;
    if (state === undefined) throw new Error('the policy state read returned no row');
    const { state_digest: digest, state_ids: ids } = state;
    if (digest === unless) return { digest, ids, active: null };
    const active = rows.filter((row) => row.jurisdiction != null);
    for (const row of active) {
      delete (row as { state_ids?: string[] }).state_ids;
      delete (row as { state_digest?: string }).state_digest;
    }
    return { digest, ids, active: active as PolicyVersionRow[] };
  }

  async markApproved(
    jurisdiction: string,
    version: string,
    approval: { approver: string; approvedAt: Date; approveTxId: string },
  ): Promise<boolean> {
    const { count } = await this.#prisma.policyVersion.updateMany({
      where: { jurisdiction, version, status: 'draft' },
      data: { status: 'approved', ...approval },
    });
    return count === 1;
  }

  markActive(
    jurisdiction: string,
    version: string,
    activation: { activatedAt: Date; activateTxId: string },
  ): Promise<boolean> {
    return this.#prisma.$transaction(async (tx) => {
      // The conditional update locks the target row first: of two concurrent activations of
      // one version only one sees it approved.
      const { count } = await tx.policyVersion.updateMany({
        where: { jurisdiction, version, status: 'approved' },
        data: { status: 'active', ...activation },
      });
      if (count === 0) return false;
      await tx.policyVersion.updateMany({
        where: { jurisdiction, status: 'active', NOT: { version } },
        data: { status: 'superseded' },
      });
      return true;
    });
  }
}
