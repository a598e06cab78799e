import type { Prisma, PrismaClient } from '../generated/control/client.js';
import { ERASED_PATIENT_PREFIX } from '../domain/audit-event.js';

/** An erasure as its row holds it. */
export interface ErasureRow {
  readonly id: string;
  /** While pending; null once done. */
  readonly patientId: string | null;
  readonly requestedBy: string;
  readonly basis: string;
  readonly requestedAt: Date;
  readonly ledgerTxId: string | null;
  readonly completedAt: Date | null;
  readonly receipt: unknown;
}

/** What the control plane's part of an erasure removed or pseudonymised. */
export interface ControlErasure {
  readonly consents: number;
  readonly careRelationships: number;
  readonly accessCodes: number;
  readonly notifications: number;
  readonly indexEntries: number;
  /** Audit events kept, the patient id in them replaced by `erased:<erasure id>`. */
  readonly auditEventsPseudonymised: number;
  /**
   * Audit events that chain the id itself (written before patient keys): replacing it would
   * break the chain, so they keep it (the id is random and nothing left links it to anyone).
   */
  readonly auditEventsUnchanged: number;
}

export interface ErasureStore {
  /** Records a requested erasure (pending); the request is acknowledged once this returns. */
  begin(row: Pick<ErasureRow, 'id' | 'patientId' | 'requestedBy' | 'basis' | 'requestedAt'>): Promise<void>;
  /** The pending erasure of a patient, if one is under way. */
  pendingFor(patientId: string): Promise<ErasureRow | null>;
  /** Erasures begun and not finished (a gateway stopped midway), oldest first. */
  pending(): Promise<ErasureRow[]>;
  find(id: string): Promise<ErasureRow | null>;
  markedOnLedger(id: string, txId: string): Promise<void>;
  /**
   * Removes the patient from the control plane in one transaction: consents, care relationships
   * and access codes, notifications and channels, index entries, identifiers, reviews and their
   * history, personas and the patient's key; pseudonymises their audit events; completes the
   * erasure with its receipt (which names no patient). Idempotent.
   */
  complete(
    id: string,
    patientId: string,
    receipt: (done: ControlErasure) => Prisma.InputJsonObject,
  ): Promise<ControlErasure>;
}

export class PrismaErasureStore implements ErasureStore {
  readonly #prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  async begin(row: Pick<ErasureRow, 'id' | 'patientId' | 'requestedBy' | 'basis' | 'requestedAt'>): Promise<void> {
    await this.#prisma.erasure.create({ data: { ...row } });
  }

  pendingFor(patientId: string): Promise<ErasureRow | null> {
    return this.#prisma.erasure.findFirst({ where: { patientId, completedAt: null } });
  }

  pending(): Promise<ErasureRow[]> {
    return this.#prisma.erasure.findMany({ where: { completedAt: null }, orderBy: { requestedAt: 'asc' } });
  }

  find(id: string): Promise<ErasureRow | null> {
    return this.#prisma.erasure.findUnique({ where: { id } });
  }

  async markedOnLedger(id: string, txId: string): Promise<void> {
    await this.#prisma.erasure.update({ where: { id }, data: { ledgerTxId: txId } });
  }

  complete(
    id: string,
    patientId: string,
    receipt: (done: ControlErasure) => Prisma.InputJsonObject,
  ): Promise<ControlErasure> {
    return this.#prisma.$transaction(
      async (tx) => {
        const where = { patientId };
        const channels = await tx.notificationChannel.findMany({ where, select: { id: true } });
        const notes = await tx.notification.findMany({ where, select: { id: true } });
        await tx.notificationDelivery.deleteMany({
          where: {
            OR: [{ channelId: { in: channels.map((c) => c.id) } }, { notificationId: { in: notes.map((n) => n.id) } }],
          },
        });
        const notifications = (await tx.notification.deleteMany({ where })).count;
        await tx.notificationChannel.deleteMany({ where });
        const consents = (await tx.consent.deleteMany({ where })).count;
        const careRelationships = (await tx.careRelationship.deleteMany({ where })).count;
        const accessCodes = (await tx.accessCode.deleteMany({ where })).count;
        const indexEntries = (await tx.patientLocation.deleteMany({ where: { globalId: patientId } })).count;
        await tx.patientIdentifier.deleteMany({ where: { globalId: patientId } });
        await tx.patientMatchReview.deleteMany({
          where: { OR: [{ globalId: patientId }, { candidateId: patientId }] },
        });
        await tx.patientIndexEvent.deleteMany({ where: { OR: [{ globalId: patientId }, { otherId: patientId }] } });
        await tx.persona.deleteMany({ where });
        const auditEventsPseudonymised = (
          await tx.auditEvent.updateMany({
            where: { patientId, patientCommitment: { not: null } },
            data: { patientId: `${ERASED_PATIENT_PREFIX}${id}` },
          })
        ).count;
        const auditEventsUnchanged = await tx.auditEvent.count({ where });
        await tx.patientKey.deleteMany({ where: { globalId: patientId } });
        const done: ControlErasure = {
          consents,
          careRelationships,
          accessCodes,
          notifications,
          indexEntries,
          auditEventsPseudonymised,
          auditEventsUnchanged,
        };
        await tx.erasure.update({
          where: { id },
          data: { patientId: null, completedAt: new Date(), receipt: receipt(done) },
        });
        return done;
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  }
}
