import { createClient, type Client } from 'graphql-ws';
import { Webhook } from 'standardwebhooks';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway.js';
import { WebhookReceiver, type ReceivedWebhook } from './support/webhook-receiver.js';

// Notifications end to end on PostgreSQL: written with the audit event, delivered to a real
// HTTP receiver as signed Standard Webhooks, listed with their delivery state.

const REGISTER = /* GraphQL */ `
  mutation Register($url: String!, $every: Boolean) {
    registerWebhook(url: $url, everyAccess: $every) {
      channel {
        id
        url
        everyAccess
      }
      secret
    }
  }
`;
const REMOVE = 'mutation Remove($id: ID!) { removeWebhook(channelId: $id) { id } }';
const MY_WEBHOOKS = 'query { myWebhooks { id url everyAccess } }';
const MY_NOTIFICATIONS = /* GraphQL */ `
  query {
    myNotifications(first: 20) {
      id
      kind
      decisionId
      organisationName
      purpose
      justification
      deliveries {
        channelId
        state
        attempts
        lastError
      }
    }
  }
`;
const SUMMARY = /* GraphQL */ `
  query Summary($p: ID!, $purpose: PurposeOfUse!, $j: String) {
    patientSummary(patientId: $p, purpose: $purpose, justification: $j) {
      receipt {
        decisionId
      }
    }
  }
`;
const JUSTIFICATION = 'Unconscious on arrival in the emergency department, no next of kin.';

interface Registration {
  channel: { id: string; url: string; everyAccess: boolean };
  secret: string;
}
interface NotificationData {
  id: string;
  kind: string;
  decisionId: string;
  organisationName: string | null;
  purpose: string | null;
  justification: string | null;
  deliveries: { channelId: string; state: string; attempts: number; lastError: string | null }[];
}

/** The body of a delivery, once its signature is checked under the channel's secret. */
function verified(secret: string, delivery: ReceivedWebhook): { type: string; data: Record<string, unknown> } {
  return new Webhook(secret).verify(delivery.body, delivery.headers) as { type: string; data: Record<string, unknown> };
}

describe('break-glass and access notifications', () => {
  let t: TestGateway;
  let patient: { id: string; token: string };
  let otherPatient: string;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    t = await startTestGateway({
      env: {
        MERIDIAN_WEBHOOK_ALLOW_LOCAL: 'true',
        MERIDIAN_WEBHOOK_RETRY_BASE_MS: '50',
        MERIDIAN_WEBHOOK_POLL_MS: '50',
        MERIDIAN_CACHE_TTL_MS: '0',
      },
    });
    const withPersonas = t.demo.patients.filter(
      (p) => p.locations.some((l) => l.region === 'eu-de') && t.demo.personas.some((x) => x.patientId === p.globalId),
    );
    const [first, second] = withPersonas;
    patient = { id: first!.globalId, token: await t.patientToken(first!.globalId) };
    otherPatient = await t.patientToken(second!.globalId);
  });
  afterEach(async () => {
    // Each test's webhooks go with it, so the next starts with none.
    const { myWebhooks } = (await t.graphql<{ myWebhooks: { id: string }[] }>(MY_WEBHOOKS, {}, patient.token)).data!;
    for (const w of myWebhooks) await t.graphql(REMOVE, { id: w.id }, patient.token);
  });
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await t.close();
  });

  async function receiver(answers: number[] = []): Promise<WebhookReceiver> {
    const r = await WebhookReceiver.start(answers);
    receivers.push(r);
    return r;
  }
  async function register(
    url: string,
    every = false,
    token = patient.token,
  ): Promise<GraphQLResponse<{ registerWebhook: Registration }>> {
    return t.graphql<{ registerWebhook: Registration }>(REGISTER, { url, every }, token);
  }
  async function read(persona: string, purpose: string, justification?: string): Promise<string> {
    const token = purpose === 'PATRQT' ? patient.token : await t.token(persona);
    const res = await t.graphql<{ patientSummary: { receipt: { decisionId: string } } }>(
      SUMMARY,
      { p: patient.id, purpose, ...(justification !== undefined ? { j: justification } : {}) },
      token,
    );
    expect(res.data, JSON.stringify(res.errors)).not.toBeNull();
    return res.data!.patientSummary.receipt.decisionId;
  }
  async function notifications(): Promise<NotificationData[]> {
    const res = await t.graphql<{ myNotifications: NotificationData[] }>(MY_NOTIFICATIONS, {}, patient.token);
    expect(res.errors).toEqual([]);
    return res.data!.myNotifications;
  }
  /** The patient's notifications once none of their deliveries is pending. */
  async function settled(): Promise<NotificationData[]> {
    for (;;) {
      const list = await notifications();
      if (list.every((n) => n.deliveries.every((d) => d.state !== 'PENDING'))) return list;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('a break-glass read is delivered once, signed, with who and why but no staff member, and listed as delivered', async () => {
    const r = await receiver();
    const registered = await register(r.url);
    expect(registered.errors).toEqual([]);
    const { channel, secret } = registered.data!.registerWebhook;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(channel).toMatchObject({ url: r.url, everyAccess: false });

    const decisionId = await read('dr-weber', 'ETREAT', JUSTIFICATION);
    await r.until(1);
    const [delivery] = r.received;
    const body = verified(secret, delivery!);
    expect(body.type).toBe('meridian.access.break_glass');
    expect(body.data).toMatchObject({
      decisionId,
      patientId: patient.id,
      organisationId: 'charite-berlin',
      organisationName: 'Charité – Universitätsmedizin Berlin',
      purpose: 'ETREAT',
      breakGlass: true,
      justification: JUSTIFICATION,
    });
    expect(delivery!.body).not.toContain('dr-weber');
    // Signed under this channel's secret only: another secret does not verify it.
    expect(() => verified(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, delivery!)).toThrow();

    const [listed] = await settled();
    expect(listed).toMatchObject({
      id: delivery!.headers['webhook-id'],
      kind: 'BREAK_GLASS',
      decisionId,
      justification: JUSTIFICATION,
      deliveries: [{ channelId: channel.id, state: 'DELIVERED', attempts: 1, lastError: null }],
    });
    expect(r.received).toHaveLength(1);
  });

  it('an ordinary read is told only to a webhook that asked for every access; the patient reading their own data to none', async () => {
    const breakGlassOnly = await receiver();
    const everything = await receiver();
    const only = (await register(breakGlassOnly.url)).data!.registerWebhook;
    const every = (await register(everything.url, true)).data!.registerWebhook;
    const before = (await notifications()).length;

    await read('patient', 'PATRQT');
    const decisionId = await read('dr-weber', 'TREAT');
    await everything.until(1);
    const body = verified(every.secret, everything.received[0]!);
    expect(body).toMatchObject({ type: 'meridian.access.disclosed', data: { decisionId, purpose: 'TREAT' } });

    const list = await settled();
    expect(list).toHaveLength(before + 1);
    expect(list[0]).toMatchObject({
      kind: 'ACCESS',
      decisionId,
      deliveries: [{ channelId: every.channel.id, state: 'DELIVERED' }],
    });
    expect(breakGlassOnly.received).toEqual([]);
    expect(only.channel.everyAccess).toBe(false);
  });

  it('a failing receiver is retried with backoff until it takes the notification, under the same idempotency key', async () => {
    const r = await receiver([500, 503]);
    const { secret } = (await register(r.url)).data!.registerWebhook;
    await read('dr-weber', 'ETREAT', JUSTIFICATION);
    await r.until(3);
    expect(r.received.map((d) => d.status)).toEqual([500, 503, 204]);
    expect(new Set(r.received.map((d) => d.headers['webhook-id'])).size).toBe(1);
    for (const d of r.received) expect(verified(secret, d).type).toBe('meridian.access.break_glass');
    const [listed] = await settled();
    expect(listed!.deliveries).toEqual([expect.objectContaining({ state: 'DELIVERED', attempts: 3, lastError: null })]);
    // An operator sees the retries and the delivery in the gateway's metrics.
    const metrics = await (await fetch(new URL('/metrics', t.gateway.url))).text();
    const count = (outcome: string): number =>
      Number(
        new RegExp(`^meridian_webhook_deliveries_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(metrics)?.[1],
      );
    expect(count('retry')).toBeGreaterThanOrEqual(2);
    expect(count('delivered')).toBeGreaterThanOrEqual(1);
  });

  it('a break-glass access is listed even without a webhook, and a removed webhook gets nothing more', async () => {
    const r = await receiver();
    const { channel } = (await register(r.url)).data!.registerWebhook;
    // Another patient may not remove it; an unknown id gets the same answer.
    const theirs = await t.graphql(REMOVE, { id: channel.id }, otherPatient);
    const unknown = await t.graphql(REMOVE, { id: `chn-${'0'.repeat(32)}` }, otherPatient);
    expect([theirs, unknown].map((res) => res.errors.map((e) => e.extensions.code))).toEqual([
      ['FORBIDDEN'],
      ['FORBIDDEN'],
    ]);
    expect((await t.graphql(REMOVE, { id: channel.id }, patient.token)).errors).toEqual([]);

    const decisionId = await read('dr-weber', 'ETREAT', JUSTIFICATION);
    const [listed] = await notifications();
    expect(listed).toMatchObject({ kind: 'BREAK_GLASS', decisionId, deliveries: [] });
    expect(r.received).toEqual([]);
  });

  describe('the subscription the console follows (graphql-ws)', () => {
    const clients: Client[] = [];
    afterAll(async () => {
      for (const c of clients) await c.dispose();
    });
    function client(token: string | undefined): Client {
      const c = createClient({
        url: t.gateway.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(c);
      return c;
    }
    /** The first result of an operation over the socket, or how the socket closed. */
    function first(
      c: Client,
      query: string,
    ): Promise<{
      data?: unknown;
      errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
      closed?: number;
    }> {
      return new Promise((resolve) => {
        const stop = c.subscribe(
          { query },
          {
            next: (value) => {
              stop();
              resolve(value);
            },
            error: (err: unknown) => {
              if (Array.isArray(err)) resolve({ errors: err as { message: string }[] });
              else resolve({ closed: (err as { code?: number }).code ?? -1 });
            },
            complete: () => {
              resolve({});
            },
          },
        );
      });
    }
    const FOLLOW = 'subscription { notifications { id kind decisionId organisationName justification } }';

    it('tells the signed-in patient of a break-glass read as it happens', async () => {
      const c = client(patient.token);
      let told: Awaited<ReturnType<typeof first>> | undefined;
      const following = first(c, FOLLOW).then((value) => (told = value));
      // What was written before the server took the operation is not told: read until one is.
      const decisions: string[] = [];
      while (told === undefined) {
        decisions.push(await read('dr-weber', 'ETREAT', JUSTIFICATION));
        await Promise.race([following, new Promise((resolve) => setTimeout(resolve, 200))]);
      }
      const { notifications } = told.data as { notifications: { decisionId: string } };
      expect(decisions).toContain(notifications.decisionId);
      expect(notifications).toEqual({
        id: expect.stringMatching(/^ntf-/) as string,
        kind: 'BREAK_GLASS',
        decisionId: notifications.decisionId,
        organisationName: 'Charité – Universitätsmedizin Berlin',
        justification: JUSTIFICATION,
      });
    });

    it('with since, first tells what was written from then on before it subscribed', async () => {
      const since = new Date().toISOString();
      const decisionId = await read('dr-weber', 'ETREAT', JUSTIFICATION);
      const told = await first(
        client(patient.token),
        `subscription { notifications(since: "${since}") { decisionId kind } }`,
      );
      expect(told.data).toEqual({ notifications: { decisionId, kind: 'BREAK_GLASS' } });
    });

    it('holds at most five subscriptions on one socket', async () => {
      const c = client(patient.token);
      const held = Array.from({ length: 5 }, () =>
        c.subscribe({ query: FOLLOW }, { next: () => undefined, error: () => undefined, complete: () => undefined }),
      );
      // The sixth is refused, sent right behind the five; the socket and the five stay.
      const sixth = await first(c, FOLLOW);
      expect(sixth.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
        ['BAD_REQUEST', expect.stringMatching(/At most 5 subscriptions per connection/) as string],
      ]);
      for (const stop of held) stop();
      // Completing them frees their places (once the server has read the complete messages).
      const since = FOLLOW.replace('notifications {', 'notifications(since: "2000-01-01T00:00:00Z") {');
      let again = await first(c, since);
      for (let tries = 0; again.errors !== undefined && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        again = await first(c, since);
      }
      expect(again.errors).toBeUndefined();
      expect(again.data).toBeDefined();
    });

    it('refuses a socket without a valid token, anyone but a patient, and queries', async () => {
      expect(await first(client(undefined), FOLLOW)).toEqual({ closed: 4403 });
      expect(await first(client('not-a-token'), FOLLOW)).toEqual({ closed: 4403 });
      const clinician = await first(client(await t.token('dr-weber')), FOLLOW);
      expect(clinician.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      // Over HTTP a subscription has nowhere to stream to.
      const overHttp = await t.graphql(FOLLOW, {}, patient.token);
      expect(overHttp.data).toBeNull();
      expect(overHttp.errors.map((e) => [e.extensions.code, e.message])).toEqual([
        ['GRAPHQL_VALIDATION_FAILED', expect.stringMatching(/over WebSocket/) as string],
      ]);
      const query = await first(client(patient.token), MY_WEBHOOKS);
      expect(query.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
        ['GRAPHQL_VALIDATION_FAILED', expect.stringMatching(/over HTTP/) as string],
      ]);
    });
  });

  it('refuses a webhook that is not an http(s) URL, carries credentials, or is registered by anyone but a patient', async () => {
    const cases: [string, string | undefined][] = [
      ['ftp://example.org/hook', undefined],
      ['not a url', undefined],
      ['https://user:pass@example.org/hook', undefined],
      ['https://example.org/hook', await t.token('dr-weber')],
    ];
    for (const [url, token] of cases) {
      const res = await register(url, false, token);
      expect(res.data).toBeNull();
      expect(res.errors.map((e) => e.extensions.code)).toEqual([token === undefined ? 'BAD_USER_INPUT' : 'FORBIDDEN']);
    }
    expect((await t.graphql<{ myWebhooks: unknown[] }>(MY_WEBHOOKS, {}, patient.token)).data!.myWebhooks).toEqual([]);
    // Nobody but the patient lists them.
    const listed = await t.graphql(MY_NOTIFICATIONS, {}, await t.token('officer-schmidt'));
    expect(listed.errors.map((e) => e.extensions.code)).toEqual(['FORBIDDEN']);
  });
});

describe('the notifications socket under the rate limits', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ patients: 4, env: { MERIDIAN_RATE_LIMIT_PER_PRINCIPAL: '2' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts each connection as a request of its user: over the limit the socket closes with 4429', async () => {
    const persona = t.demo.personas.find((p) => p.patientId !== null)!;
    const token = await t.token(persona.name);
    for (let i = 0; i < 3; i++) {
      const socket = new WebSocket(t.gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      const outcome = await new Promise<{ kind: string; code?: number; reason?: string }>((resolve) => {
        socket.once('message', (data: Buffer) => {
          resolve({ kind: (JSON.parse(data.toString()) as { type: string }).type });
        });
        socket.once('close', (code: number, reason: Buffer) => {
          resolve({ kind: 'closed', code, reason: reason.toString() });
        });
      });
      if (i < 2) expect(outcome.kind).toBe('connection_ack');
      else
        expect(outcome).toMatchObject({
          kind: 'closed',
          code: 4429,
          reason: expect.stringMatching(/Too many requests from this user; retry in \d+ s/) as string,
        });
      socket.close();
    }
  });
});
