import type { CareRelationshipDocument } from '../domain/care/care-relationship.js';
import type pg from 'pg';
import type { PrismaClient } from '../generated/control/client.js';

/** An access code as stored: its keyed hash, never the code. */
export interface AccessCodeRow {
  readonly id: string;
  readonly patientId: string;
  readonly codeHash: string;
  readonly organisationId: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  readonly failedAttempts: number;
  readonly lockedAt: Date | null;
}

/** A care relationship as stored: its document, with what anchors it; checked by whoever reads it. */
export interface CareRelationshipRow extends CareRelationshipDocument {
  readonly contentHash: string;
  readonly openTxId: string;
  /** `open` or `ended` as stored. */
  readonly status: string;
  readonly endedAt: Date | null;
  readonly endTxId: string | null;
}

/** Access codes and care relationships in the control-plane database. */
export interface CareRepository {
  insertCode(row: AccessCodeRow): Promise<void>;
  /** The patient's codes that can still be used at `at`: unused, unlocked, unexpired. */
  liveCodes(patientId: string, at: Date): Promise<AccessCodeRow[]>;
  /** The patient's codes, newest first. */
  codes(patientId: string): Promise<AccessCodeRow[]>;
  /** Marks the code used if it still can be, in one conditional update: two clinicians cannot both use it. */
  claimCode(id: string, at: Date): Promise<boolean>;
  /** Gives a claimed code back (the relationship could not be anchored). */
  releaseCode(id: string): Promise<void>;
  /** One wrong try against each of these codes; those reaching `lockAfter` are locked. */
  countFailure(ids: readonly string[], at: Date, lockAfter: number): Promise<void>;
  insertRelationship(row: CareRelationshipRow): Promise<void>;
  /** The patient's relationships, newest first. */
  relationships(patientId: string): Promise<CareRelationshipRow[]>;
  relationship(id: string): Promise<CareRelationshipRow | null>;
  /** Marks it ended if it is still open. False when nothing changed. */
  markEnded(id: string, endedAt: Date, endTxId: string): Promise<boolean>;
}

export const RELATIONSHIP_COLUMNS = `id, patient_id AS "patientId", organisation_id AS "organisationId", opened_by AS "openedBy",
  opened_at AS "openedAt", expires_at AS "expiresAt", access_code_id AS "accessCodeId", content_hash AS "contentHash",
  open_tx_id AS "openTxId", status, ended_at AS "endedAt", end_tx_id AS "endTxId"`;

/** A row as `json_agg` of `RELATIONSHIP_COLUMNS` gives it: its times as ISO strings. */
export function relationshipRowOfJson(row: Record<keyof CareRelationshipRow, unknown>): CareRelationshipRow {
  return {
    ...(row as unknown as CareRelationshipRow),
    openedAt: new Date(row.openedAt as string),
    expiresAt: new Date(row.expiresAt as string),
    endedAt: row.endedAt == null ? null : new Date(row.endedAt as string),
  };
}

export class PrismaCareRepository implements CareRepository {
  readonly #prisma: PrismaClient;
  /** The pool under `prisma`: `relationships`, asked by every uncached decision, goes to it as a named statement. */
  readonly #pool: pg.Pool;

  constructor(prisma: PrismaClient, pool: pg.Pool) {
    this.#prisma = prisma;
    this.#pool = pool;
  }

  async insertCode(row: AccessCodeRow): Promise<void> {
    await this.#prisma.accessCode.create({ data: row });
  }

  liveCodes(patientId: string, at: Date): Promise<AccessCodeRow[]> {
    return this.#prisma.accessCode.findMany({
      where: { patientId, usedAt: null, lockedAt: null, expiresAt: { gt: at } },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    });
  }

  codes(patientId: string): Promise<AccessCodeRow[]> {
    return this.#prisma.accessCode.findMany({ where: { patientId }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
  }

  async claimCode(id: string, at: Date): Promise<boolean> {
    const { count } = await this.#prisma.accessCode.updateMany({
      where: { id, usedAt: null, lockedAt: null, expiresAt: { gt: at } },
      data: { usedAt: at },
    });
    return count === 1;
  }

  async releaseCode(id: string): Promise<void> {
    await this.#prisma.accessCode.updateMany({ where: { id }, data: { usedAt: null } });
  }

  async countFailure(ids: readonly string[], at: Date, lockAfter: number): Promise<void> {
    if (ids.length === 0) return;
    await this.#prisma.$transaction([
      this.#prisma.accessCode.updateMany({
        where: { id: { in: [...ids] } },
        data: { failedAttempts: { increment: 1 } },
      }),
      this.#prisma.accessCode.updateMany({
        where: { id: { in: [...ids] }, lockedAt: null, failedAttempts: { gte: lockAfter } },
        data: { lockedAt: at },
      }),
    ]);
  }

  async insertRelationship(row: CareRelationshipRow): Promise<void> {
    await this.#prisma.careRelationship.create({ data: row });
  }

  async relationships(patientId: string): Promise<CareRelationshipRow[]> {
    const { rows } = await this.#pool.query<CareRelationshipRow>({
      name: 'care-of-patient',
      text: `SELECT ${RELATIONSHIP_COLUMNS} FROM care_relationships WHERE patient_id = $1 ORDER BY opened_at DESC, id ASC`,
      values: [patientId],
    });
    return rows;
  }

  relationship(id: string): Promise<CareRelationshipRow | null> {
    return this.#prisma.careRelationship.findUnique({ where: { id } });
  }

  async markEnded(id: string, endedAt: Date, endTxId: string): Promise<boolean> {
    const { count } = await this.#prisma.careRelationship.updateMany({
      where: { id, status: 'open' },
      data: { status: 'ended', endedAt, endTxId },
    });
    return count === 1;
  }
}
