import { randomBytes } from 'node:crypto';
import type { SealedBox } from '../../cache/sealed-box.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import { badInput, MeridianError } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { NotificationChannelRow, NotificationRow, NotificationStore } from '../../stores/notification-store.js';
import { ownPatient } from '../consent/patient-actor.js';
import { checkWebhookUrl } from './webhook-url.js';

/** Webhooks one patient may have at once. */
export const MAX_CHANNELS = 5;
export const MAX_NOTIFICATIONS_PAGE = 200;
const CHANNEL_ID = /^chn-[0-9a-f]{32}$/;
/** Longest a decision may take from its time stamp to its notification's write, for the subscription. */
const WRITE_LAG_MS = 60_000;
const WHAT = 'manage their notifications';

/** A webhook as registered: the signing secret is in this answer only. */
export interface RegisteredChannel {
  readonly channel: NotificationChannelRow;
  /** Standard Webhooks secret, `whsec_` and base64 of 32 random bytes. */
  readonly secret: string;
}

/** A notification with the access it tells of (null when that audit event is gone). */
export interface PatientNotification extends NotificationRow {
  readonly event: AuditEvent | null;
}

export interface NotificationServiceOptions {
  readonly store: NotificationStore;
  /** The audit events notifications tell of, read together. */
  readonly events: (ids: readonly string[]) => Promise<readonly AuditEvent[]>;
  /** Seals the signing secrets (additional data: the channel id). */
  readonly secrets: SealedBox;
  readonly allowLocalWebhooks: boolean;
  /** How often a subscription looks for new notifications (any gateway may have written them). */
  readonly pollMs: number;
  readonly clock?: () => Date;
}

/** A patient's webhooks and notifications; the audit log writes the notifications, a dispatcher sends them. */
export class NotificationService {
  readonly #o: NotificationServiceOptions;

  constructor(options: NotificationServiceOptions) {
    this.#o = options;
  }

  /**
   * Registers a webhook for the calling patient: told of every break-glass access to their
   * data, and of every other disclosure when `everyAccess`.
   * @throws FORBIDDEN for anyone but a patient; BAD_USER_INPUT naming `url`, nothing stored.
   */
  async register(principal: Principal, url: string, everyAccess: boolean): Promise<RegisteredChannel> {
    const patientId = ownPatient(principal, WHAT);
    const checked = checkWebhookUrl(url, this.#o.allowLocalWebhooks);
    if ((await this.#o.store.channels(patientId)).length >= MAX_CHANNELS) {
      throw badInput(`A patient may have at most ${String(MAX_CHANNELS)} webhooks; remove one first.`, {
        field: 'url',
      });
    }
    const id = `chn-${randomBytes(16).toString('hex')}`;
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const channel: NotificationChannelRow = {
      id,
      patientId,
      url: checked.href,
      sealedSecret: this.#o.secrets.seal(Buffer.from(secret, 'utf8'), id).toString('base64'),
      everyAccess,
      createdAt: this.#now(),
      removedAt: null,
    };
    await this.#o.store.insertChannel(channel);
    return { channel, secret };
  }

  /**
   * Removes one of the calling patient's webhooks; what was not delivered to it yet never is.
   * Another patient's id and an unknown one get the same FORBIDDEN.
   */
  async remove(principal: Principal, channelId: string): Promise<NotificationChannelRow> {
    const patientId = ownPatient(principal, WHAT);
    if (!CHANNEL_ID.test(channelId)) {
      throw badInput('`channelId` is not a webhook id (chn-…).', { field: 'channelId' });
    }
    const row = await this.#o.store.channel(channelId);
    if (row === null || row.patientId !== patientId || row.removedAt !== null) {
      throw new MeridianError('FORBIDDEN', 'A patient may remove only their own webhooks.');
    }
    const at = this.#now();
    await this.#o.store.removeChannel(channelId, at);
    return { ...row, removedAt: at };
  }

  channels(principal: Principal): Promise<NotificationChannelRow[]> {
    return this.#o.store.channels(ownPatient(principal, WHAT));
  }

  /** The calling patient's notifications, newest first, each with its deliveries. */
  async notifications(principal: Principal, first: number): Promise<PatientNotification[]> {
    const patientId = ownPatient(principal, WHAT);
    if (!Number.isInteger(first) || first < 1 || first > MAX_NOTIFICATIONS_PAGE) {
      throw badInput(`first must be a whole number from 1 to ${String(MAX_NOTIFICATIONS_PAGE)}.`, { field: 'first' });
    }
    return this.#withEvents(await this.#o.store.notifications(patientId, first));
  }

  /**
   * The calling patient's notifications as they are written (by this gateway or another: the
   * outbox is read every `pollMs`), oldest first; ends when the caller returns. With `since`,
   * those written from then on that the first read finds come first, so a client that read its
   * list at `since` misses nothing written before the subscription began (it may see one twice).
   * @throws FORBIDDEN for anyone but a patient, before anything is read.
   */
  follow(principal: Principal, since: Date | null = null): AsyncIterableIterator<PatientNotification> {
    const patientId = ownPatient(principal, WHAT);
    // A notification carries its decision's time, stamped before it is written: each read looks
    // back WRITE_LAG_MS, and what it has seen there is not sent twice.
    let from = since ?? new Date(this.#now().getTime() - WRITE_LAG_MS);
    let seen: ReadonlySet<string> | null = since === null ? null : new Set();
    return polling(async () => {
      const readAt = this.#now().getTime();
      const rows = await this.#o.store.notifications(patientId, MAX_NOTIFICATIONS_PAGE, from);
      const known = seen;
      const fresh = known === null ? [] : rows.filter((r) => !known.has(r.id));
      from = new Date(Math.max(from.getTime(), readAt - WRITE_LAG_MS));
      seen = new Set(rows.filter((r) => r.createdAt >= from).map((r) => r.id));
      return this.#withEvents(fresh.reverse());
    }, this.#o.pollMs);
  }

  async #withEvents(rows: readonly NotificationRow[]): Promise<PatientNotification[]> {
    if (rows.length === 0) return [];
    const events = new Map((await this.#o.events(rows.map((r) => r.auditEventId))).map((e) => [e.id, e]));
    return rows.map((row) => ({ ...row, event: events.get(row.auditEventId) ?? null }));
  }

  #now(): Date {
    return this.#o.clock?.() ?? new Date();
  }
}

/**
 * An iterator over what `read` finds, read again every `pollMs` while it finds nothing;
 * `return()` (a client unsubscribing) ends it at once, even while it waits.
 */
function polling<T>(read: () => Promise<readonly T[]>, pollMs: number): AsyncIterableIterator<T> {
  const queue: T[] = [];
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const done = (): IteratorReturnResult<undefined> => ({ value: undefined, done: true });
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<T, undefined>> {
      while (!stopped) {
        const item = queue.shift();
        if (item !== undefined) return { value: item, done: false };
        queue.push(...(await read()));
        if (queue.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, pollMs);
          });
        }
      }
      return done();
    },
    return(): Promise<IteratorReturnResult<undefined>> {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      return Promise.resolve(done());
    },
  };
}
