import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import type { SealedBox } from '../../cache/sealed-box.js';
import { backoffDelay } from '../../cache/retry-delay.js';
import { webhookPayload } from '../../domain/notification.js';
import type { AuditLog } from '../../stores/audit-log.js';
import type { WebhookOutcome } from '../../server/metrics.js';
import type { ClaimedDelivery, NotificationStore } from '../../stores/notification-store.js';
import { webhookLookup } from './webhook-url.js';

/** At most this many deliveries are in flight from one gateway at once. */
const CLAIM_BATCH = 16;
/** Longest backoff step between two attempts. */
const MAX_RETRY_MS = 6 * 3600 * 1000;
/** Most of a receiver's answer read (for the delivery's last error). */
const MAX_ANSWER_BYTES = 4096;

export interface WebhookDispatcherOptions {
  readonly store: NotificationStore;
  readonly auditLog: AuditLog;
  /** Opens a channel's sealed signing secret (additional data: the channel id). */
  readonly secrets: SealedBox;
  readonly organisationName: (id: string) => string | null;
  readonly allowLocalWebhooks: boolean;
  readonly retryBaseMs: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly onError?: (err: unknown) => void;
  readonly onAttempt?: (delivery: ClaimedDelivery, outcome: WebhookOutcome, detail: string) => void;
  readonly now?: () => Date;
}

/**
 * Sends the outbox's due deliveries as Standard Webhooks (`webhook-id` is the notification id,
 * the receiver's idempotency key; `webhook-signature` an HMAC-SHA256 under the channel's secret),
 * at least once: a delivery is claimed before it is sent (due again after the attempt's lease),
 * a 2xx answer settles it, anything else is retried with exponential backoff until `maxAttempts`.
 */
export class WebhookDispatcher {
  readonly #o: WebhookDispatcherOptions;
  readonly #now: () => Date;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: WebhookDispatcherOptions) {
    this.#o = options;
    this.#now = options.now ?? ((): Date => new Date());
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops polling and waits for the deliveries in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Sends what is due now; resolves with how many deliveries were attempted. */
  async tick(): Promise<number> {
    const now = this.#now();
    // The lease outlasts an attempt: a delivery is claimed by one gateway until then.
    const lease = new Date(now.getTime() + 2 * this.#o.timeoutMs + 1000);
    const claimed = await this.#o.store.claimDue(now, lease, CLAIM_BATCH);
    await Promise.all(claimed.map((d) => this.#attempt(d)));
    return claimed.length;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.tick()
        .then((n) => {
          // A full batch: there may be more due at once.
          this.#schedule(n >= CLAIM_BATCH ? 0 : this.#o.pollMs);
        })
        .catch((err: unknown) => {
          this.#o.onError?.(err);
          this.#schedule(this.#o.pollMs);
        });
    }, delayMs);
    this.#timer.unref();
  }

  async #attempt(d: ClaimedDelivery): Promise<void> {
    let failure: string;
    try {
      failure = await this.#send(d);
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    const at = this.#now();
    if (failure === '') {
      await this.#o.store.delivered(d.notificationId, d.channelId, at);
      this.#o.onAttempt?.(d, 'delivered', '');
      return;
    }
    const giveUp = d.attempt >= this.#o.maxAttempts;
    const retryAt = giveUp
      ? null
      : new Date(at.getTime() + backoffDelay(d.attempt - 1, { baseMs: this.#o.retryBaseMs, maxMs: MAX_RETRY_MS }));
    await this.#o.store.failed(d.notificationId, d.channelId, failure, at, retryAt);
    this.#o.onAttempt?.(d, giveUp ? 'given_up' : 'retry', failure);
  }

  /** One attempt; '' when the receiver took it (2xx), else why not. */
  async #send(d: ClaimedDelivery): Promise<string> {
    const secret = this.#o.secrets.open(Buffer.from(d.sealedSecret, 'base64'), d.channelId);
    if (secret === null) return "the channel's signing secret does not open under this gateway's key";
    const event = await this.#o.auditLog.event(d.auditEventId);
    if (event === null) return 'the audit event of this notification is missing';
    const body = JSON.stringify(
      webhookPayload({ id: d.notificationId, kind: d.kind }, event, this.#o.organisationName(event.requesterOrg)),
    );
    const sentAt = this.#now();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Meridian-Webhooks/1',
      'webhook-id': d.notificationId,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': new Webhook(secret.toString('utf8')).sign(d.notificationId, sentAt, body),
    };
    const status = await this.#post(new URL(d.url), body, headers);
    return status >= 200 && status < 300 ? '' : `the receiver answered ${String(status)}`;
  }

  /** POSTs without following redirects; resolves with the status once the answer is read. */
  #post(url: URL, body: string, headers: Record<string, string>): Promise<number> {
    const send = url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup: webhookLookup(this.#o.allowLocalWebhooks),
          timeout: this.#o.timeoutMs,
          signal: AbortSignal.timeout(this.#o.timeoutMs),
        },
        (res) => {
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) res.destroy();
          });
          res.on('close', () => {
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${String(this.#o.timeoutMs)} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
