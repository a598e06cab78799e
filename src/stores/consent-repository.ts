import type pg from 'pg';
import type { Prisma, PrismaClient } from '../generated/control/client.js';

/** A consent as the control plane stores it; `document` is checked by whoever reads it. */
export interface ConsentRow {
  readonly id: string;
  /** Global (pseudonymous) patient id. */
  readonly patientId: string;
  readonly version: number;
  /** `active` or `revoked` as stored. */
  readonly status: string;
  /** The consent as the patient granted it (JSON): what its content hash covers. */
  readonly document: unknown;
  readonly contentHash: string;
  readonly grantedAt: Date;
  readonly revokedAt: Date | null;
  /** Ledger transactions that anchored the grant and the revocation. */
  readonly grantTxId: string;
  readonly revokeTxId: string | null;
}

/** Patients' consents in the control-plane database. */
export interface ConsentRepository {
  insert(row: ConsentRow): Promise<void>;
  /** A patient's consents, newest grant first. */
  list(patientId: string): Promise<ConsentRow[]>;
  get(id: string): Promise<ConsentRow | null>;
  /**
   * Marks the consent revoked if it is still active, in one conditional update, so two
   * concurrent revocations cannot both win. False when nothing changed.
   */
  markRevoked(id: string, revokedAt: Date, revokeTxId: string): Promise<boolean>;
}

export const CONSENT_COLUMNS = `id, patient_id AS "patientId", version, status, document, content_hash AS "contentHash",
  granted_at AS "grantedAt", revoked_at AS "revokedAt", grant_tx_id AS "grantTxId", revoke_tx_id AS "revokeTxId"`;

/** A row as `json_agg` of `CONSENT_COLUMNS` gives it: its times as ISO strings. */
export function consentRowOfJson(row: Record<keyof ConsentRow, unknown>): ConsentRow {
  return {
    ...(row as unknown as ConsentRow),
    grantedAt: new Date(row.grantedAt as string),
    revokedAt: row.revokedAt == null ? null : new Date(row.revokedAt as string),
  };
}

/** `ConsentRepository` on the control plane's Prisma client (shared: PGlite serves one connection). */
export class PrismaConsentRepository implements ConsentRepository {
  readonly #prisma: PrismaClient;
  /** The pool under `prisma`: `list`, asked by every uncached decision, goes to it as a named statement. */
  readonly #pool: pg.Pool;

  constructor(prisma: PrismaClient, pool: pg.Pool) {
    this.#prisma = prisma;
    this.#pool = pool;
  }

  async insert(row: ConsentRow): Promise<void> {
    // The service builds `document` from JSON-safe values only.
    await this.#prisma.consent.create({ data: { ...row, document: row.document as Prisma.InputJsonObject } });
  }

  async list(patientId: string): Promise<ConsentRow[]> {
    const { rows } = await this.#pool.query<ConsentRow>({
      name: 'consents-of-patient',
      text: `SELECT ${CONSENT_COLUMNS} FROM consents WHERE patient_id = $1 ORDER BY granted_at DESC, id ASC`,
      values: [patientId],
    });
    return rows;
  }

  get(id: string): Promise<ConsentRow | null> {
    return this.#prisma.consent.findUnique({ where: { id } });
  }

  async markRevoked(id: string, revokedAt: Date, revokeTxId: string): Promise<boolean> {
    const { count } = await this.#prisma.consent.updateMany({
      where: { id, status: 'active' },
      data: { status: 'revoked', revokedAt, revokeTxId },
    });
    return count === 1;
  }
}
