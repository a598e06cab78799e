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
  /** Every policy id with at least one stored version. */
  jurisdictions(): Promise<string[]>;
  /** `active()` and `jurisdictions()` together, read at once (what every policy verification asks). */
  activeAndIds(): Promise<{ active: PolicyVersionRow[]; ids: string[] }>;
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
  /** The pool under `prisma`: `active` and `jurisdictions`, asked by every uncached decision, go to it as named statements. */
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

  /** One statement, one snapshot; the ids ride on every active row, so with none active they are asked apart. */
  async activeAndIds(): Promise<{ active: PolicyVersionRow[]; ids: string[] }> {
    const { rows } = await this.#pool.query<PolicyVersionRow & { ids: string[] }>({
      name: 'active-policies-and-ids',
      text: `SELECT ${POLICY_COLUMNS}, ARRAY(SELECT DISTINCT jurisdiction FROM policy_versions ORDER BY 1) AS ids
        FROM policy_versions WHERE status = 'active' ORDER BY jurisdiction`,
    });
    if (rows.length === 0) return { active: [], ids: await this.jurisdictions() };
    const ids = rows[0]?.ids ?? [];
    for (const row of rows) delete (row as { ids?: string[] }).ids;
    return { active: rows, ids };
  }

  async jurisdictions(): Promise<string[]> {
    const { rows } = await this.#pool.query<{ jurisdiction: string }>({
      name: 'policy-jurisdictions',
      text: 'SELECT DISTINCT jurisdiction FROM policy_versions ORDER BY jurisdiction',
    });
    return rows.map((r) => r.jurisdiction);
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
