import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST a receiver got, and what it answered. */
export interface ReceivedWebhook {
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly status: number;
}

/**
 * A webhook receiver as a patient's app runs one: a real HTTP server on this machine that
 * records every POST and answers each with the next status of `answers` (then 204).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  readonly #answers: number[];
  readonly #server: http.Server;
  readonly #waiting: { count: number; resolve: () => void }[] = [];

  private constructor(answers: readonly number[]) {
    this.#answers = [...answers];
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.#answers.shift() ?? 204;
        const headers = Object.fromEntries(
          Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
        );
        res.writeHead(status).end(() => {
          this.received.push({ headers, body: Buffer.concat(chunks).toString('utf8'), status });
          for (const w of this.#waiting.filter((x) => this.received.length >= x.count)) w.resolve();
        });
      });
    });
  }

  static async start(answers: readonly number[] = []): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(answers);
    receiver.#server.listen(0, '127.0.0.1');
    await once(receiver.#server, 'listening');
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${String((this.#server.address() as AddressInfo).port)}/meridian`;
  }

  /** Resolves once `count` POSTs have been answered. */
  until(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push({ count, resolve }));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
