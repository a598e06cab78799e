import type { NotificationKind } from '../domain/notification.js';
import type { PrismaClient } from '../generated/control/client.js';

/** A patient's webhook as stored: its secret sealed, never in clear. */
export interface NotificationChannelRow {
  readonly id: string;
  readonly patientId: string;
  readonly url: string;
  readonly sealedSecret: string;
  readonly everyAccess: boolean;
  readonly createdAt: Date;
  readonly removedAt: Date | null;
}

/** One notification to one channel, as the outbox has it. */
export interface DeliveryRow {
  readonly channelId: string;
  readonly url: string;
  readonly attempts: number;
  readonly nextAttemptAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly failedAt: Date | null;
  readonly lastError: string | null;
}

export interface NotificationRow {
  readonly id: string;
  readonly kind: NotificationKind;
  readonly patientId: string;
  readonly createdAt: Date;
  readonly auditEventId: string;
  readonly deliveries: readonly DeliveryRow[];
}

/** A delivery a dispatcher has claimed: everything it needs to send it. */
export interface ClaimedDelivery {
  readonly notificationId: string;
  readonly kind: NotificationKind;
  readonly channelId: string;
  readonly url: string;
  readonly sealedSecret: string;
  /** This attempt's number, from 1. */
  readonly attempt: number;
  readonly auditEventId: string;
}

/** The patients' notification channels and the outbox of their notifications (written by the audit log). */
export interface NotificationStore {
  insertChannel(row: NotificationChannelRow): Promise<void>;
  /** The patient's channels not removed, oldest first. */
  channels(patientId: string): Promise<NotificationChannelRow[]>;
  channel(id: string): Promise<NotificationChannelRow | null>;
  /** Removes a channel: nothing more is delivered to it. False when it was removed already. */
  removeChannel(id: string, at: Date): Promise<boolean>;
  /** The patient's notifications, newest first, with their deliveries; only those created at or after `since` when given. */
  notifications(patientId: string, first: number, since?: Date): Promise<NotificationRow[]>;
  /**
   * Claims up to `limit` deliveries due at `now`, each counted as an attempt and not due again
   * before `leaseUntil`: a gateway that dies while sending leaves it to be sent again then.
   * Two gateways never claim the same delivery at once (SKIP LOCKED).
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]>;
  delivered(notificationId: string, channelId: string, at: Date): Promise<void>;
  /** A failed attempt: due again at `retryAt`, or given up on when it is null. */
  failed(notificationId: string, channelId: string, error: string, at: Date, retryAt: Date | null): Promise<void>;
}

interface ClaimedSql {
  notification_id: string;
  kind: string;
  channel_id: string;
  url: string;
  sealed_secret: string;
  attempts: number;
  audit_event_id: string;
}

export class PrismaNotificationStore implements NotificationStore {
  readonly #prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  async insertChannel(row: NotificationChannelRow): Promise<void> {
    await this.#prisma.notificationChannel.create({ data: row });
  }

  channels(patientId: string): Promise<NotificationChannelRow[]> {
    return this.#prisma.notificationChannel.findMany({
      where: { patientId, removedAt: null },
      orderBy: { createdAt: 'asc' },
    });
  }

  channel(id: string): Promise<NotificationChannelRow | null> {
    return this.#prisma.notificationChannel.findUnique({ where: { id } });
  }

  async removeChannel(id: string, at: Date): Promise<boolean> {
    const [{ count }] = await this.#prisma.$transaction([
      this.#prisma.notificationChannel.updateMany({ where: { id, removedAt: null }, data: { removedAt: at } }),
      this.#prisma.notificationDelivery.updateMany({
        where: { channelId: id, nextAttemptAt: { not: null } },
        data: { nextAttemptAt: null, failedAt: at, lastError: 'the channel was removed' },
      }),
    ]);
    return count === 1;
  }

  async notifications(patientId: string, first: number, since?: Date): Promise<NotificationRow[]> {
    const rows = await this.#prisma.notification.findMany({
      where: { patientId, ...(since !== undefined ? { createdAt: { gte: since } } : {}) },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      take: first,
      include: { deliveries: { include: { channel: { select: { url: true } } }, orderBy: { channelId: 'asc' } } },
    });
    return rows.map((n) => ({
      id: n.id,
      kind: n.kind as NotificationKind,
      patientId: n.patientId,
      createdAt: n.createdAt,
      auditEventId: n.auditEventId,
      deliveries: n.deliveries.map((d) => ({
        channelId: d.channelId,
        url: d.channel.url,
        attempts: d.attempts,
        nextAttemptAt: d.nextAttemptAt,
        deliveredAt: d.deliveredAt,
        failedAt: d.failedAt,
        lastError: d.lastError,
      })),
    }));
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
    const rows = await this.#prisma.$queryRaw<ClaimedSql[]>`
      UPDATE notification_deliveries d SET attempts = d.attempts + 1, next_attempt_at = ${leaseUntil}
      FROM (
        SELECT notification_id, channel_id FROM notification_deliveries
        WHERE next_attempt_at <= ${now} ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
      ) due, notifications n, notification_channels c
      WHERE d.notification_id = due.notification_id AND d.channel_id = due.channel_id
        AND n.id = d.notification_id AND c.id = d.channel_id
      RETURNING d.notification_id, n.kind, d.channel_id, c.url, c.sealed_secret, d.attempts, n.audit_event_id`;
    return rows.map((r) => ({
      notificationId: r.notification_id,
      kind: r.kind as NotificationKind,
      channelId: r.channel_id,
      url: r.url,
      sealedSecret: r.sealed_secret,
      attempt: r.attempts,
      auditEventId: r.audit_event_id,
    }));
  }

  async delivered(notificationId: string, channelId: string, at: Date): Promise<void> {
    await this.#prisma.notificationDelivery.updateMany({
      where: { notificationId, channelId, deliveredAt: null },
      data: { deliveredAt: at, nextAttemptAt: null, lastError: null },
    });
  }

  async failed(
    notificationId: string,
    channelId: string,
    error: string,
    at: Date,
    retryAt: Date | null,
  ): Promise<void> {
    // Not over a delivery already made (a slow earlier attempt) or a channel removed meanwhile.
    await this.#prisma.notificationDelivery.updateMany({
      where: { notificationId, channelId, deliveredAt: null, failedAt: null },
      data: { lastError: error.slice(0, 500), nextAttemptAt: retryAt, ...(retryAt === null ? { failedAt: at } : {}) },
    });
  }
}
