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

/** `ConsentRepository` on the control plane's Prisma client (shared: PGlite serves one connection). */
export class PrismaConsentRepository implements ConsentRepository {
  readonly #prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  async insert(row: ConsentRow): Promise<void> {
    // The service builds `document` from JSON-safe values only.
    await this.#prisma.consent.create({ data: { ...row, document: row.document as Prisma.InputJsonObject } });
  }

  list(patientId: string): Promise<ConsentRow[]> {
    return this.#prisma.consent.findMany({ where: { patientId }, orderBy: [{ grantedAt: 'desc' }, { id: 'asc' }] });
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
