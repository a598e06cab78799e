import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parse, specifiedRules, validate } from 'graphql';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevKeys } from '../src/auth/dev-keys.js';
import { buildMeridianSchema } from '../src/graphql/schema.js';
import { postGraphQL, startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway.js';
import { TestRedis } from './support/redis-server.js';

/** The attack: 8,000 operations in one 88 KB unauthenticated request. */
const FLOOD = '{me{roles}}'.repeat(8000);

/** A token of `organisationId`'s dev key with claims as given (iat and exp in seconds since the epoch). */
async function signAs(
  t: TestGateway,
  organisationId: string,
  claims: { sub: string; roles: string[]; iat: number; exp: number },
): Promise<string> {
  const keys = await ensureDevKeys(t.config.dataDir, [organisationId]);
  const jwk = keys[organisationId]!.privateJwk;
  return new SignJWT({ roles: claims.roles })
    .setProtectedHeader({ alg: 'ES256', ...(jwk.kid ? { kid: jwk.kid } : {}) })
    .setIssuer(organisationId)
    .setSubject(claims.sub)
    .setAudience(t.config.tokenAudience)
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .sign(await importJWK(jwk, 'ES256'));
}

/** The longest the event loop was held up while `work` ran, in ms. */
async function loopDelayDuring(work: () => Promise<void>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  try {
    await work();
  } finally {
    histogram.disable();
  }
  return histogram.max / 1e6;
}

describe('hostile requests get a clear error, cheaply', () => {
  let t: TestGateway;
  let clinician: string;
  let patientId: string;

  beforeAll(async () => {
    t = await startTestGateway({ env: { MERIDIAN_CACHE_TTL_MS: '0' } });
    clinician = await t.token('dr-weber');
    patientId = t.demo.patients.find((p) => p.homeRegion === 'eu-de')!.globalId;
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses an 88 KB flood of 8,000 operations before validating it, without holding up the event loop', async () => {
    expect(FLOOD.length).toBe(88_000);
    expect(FLOOD.length).toBeLessThan(t.config.limits.maxBodyBytes);
    // Baseline, in this run: what validating the document would cost the gateway's event loop.
    const schema = await buildMeridianSchema();
    const started = performance.now();
    const problems = validate(schema, parse(FLOOD), specifiedRules);
    const validationMs = performance.now() - started;
    expect(problems.length).toBeGreaterThan(0);

    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      let res: Awaited<ReturnType<typeof postGraphQL>> | undefined;
      delays.push(
        await loopDelayDuring(async () => {
          res = await postGraphQL(t.gateway.url, { query: FLOOD });
        }),
      );
      expect(res!.status).toBe(400);
      expect(res!.errors).toHaveLength(1);
      expect(res!.errors[0]!.extensions.code).toBe('QUERY_TOO_LARGE');
      expect(res!.errors[0]!.message).toMatch(new RegExp(`more than ${t.config.limits.maxTokens} tokens`));
    }
    // The refusal costs a small fraction of what validation would (the best of three, so one GC pause does not count).
    expect(Math.min(...delays)).toBeLessThan(validationMs / 4);
  });

  it('refuses a 3,000-deep input literal with a clean input error', async () => {
    for (const literal of ['['.repeat(3000) + ']'.repeat(3000), '{a:'.repeat(3000) + '1' + '}'.repeat(3000)]) {
      const res = await t.graphql(
        `{ patientSummary(patientId: "${patientId}", purpose: ETREAT, justification: ${literal}) { patientId } }`,
        {},
        clinician,
      );
      expect(res.status).toBe(400);
      expect(res.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
      expect(res.errors[0]!.message).toMatch(/nest/);
      expect(JSON.stringify(res.errors)).not.toMatch(/call stack/i);
    }
    // Deeply nested variables likewise.
    const deep = JSON.parse('['.repeat(3000) + ']'.repeat(3000)) as unknown;
    const res = await t.graphql(
      'query($j: String) { patientSummary(patientId: "x", purpose: ETREAT, justification: $j) { patientId } }',
      { j: deep },
      clinician,
    );
    expect(res.status).toBe(400);
    expect(res.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a token issued an hour in the future, and takes one within the clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    const future = await signAs(t, 'charite-berlin', {
      sub: 'dr-weber',
      roles: ['clinician'],
      iat: now + 3600,
      exp: now + 7200,
    });
    const res = await t.graphql('{ me { subject } }', {}, future);
    expect(res.status).toBe(401);
    expect(res.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect(res.errors[0]!.message).toMatch(/iat/);
    const skewed = await signAs(t, 'charite-berlin', {
      sub: 'dr-weber',
      roles: ['clinician'],
      iat: now + 20,
      exp: now + 3600,
    });
    expect((await t.graphql('{ me { subject } }', {}, skewed)).data).toEqual({ me: { subject: 'dr-weber' } });
  });

  it('refuses a null byte in a justification with a clean input error', async () => {
    const query =
      'query($p: ID!, $j: String) { patientSummary(patientId: $p, purpose: ETREAT, justification: $j) { patientId } }';
    const viaVariable = await t.graphql(query, { p: patientId, j: 'Unconscious on arrival\u0000; DROP' }, clinician);
    expect(viaVariable.status).toBe(400);
    expect(viaVariable.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(viaVariable.errors[0]!.message).toMatch(/U\+0000|null character/i);
    const viaLiteral = await t.graphql(
      `{ patientSummary(patientId: "${patientId}", purpose: ETREAT, justification: "Unconscious on arrival\\u0000") { patientId } }`,
      {},
      clinician,
    );
    expect(viaLiteral.status).toBe(400);
    expect(viaLiteral.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a subscription operation with a clean error', async () => {
    const res = await t.graphql('subscription { me { subject } }', {}, clinician);
    expect(res.status).toBe(400);
    expect(res.errors[0]!.extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(res.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors[0]!.message).toMatch(/subscription/i);
  });
});

function expectRateLimited(res: GraphQLResponse): void {
  expect(res.status).toBe(429);
  expect(res.data).toBeNull();
  expect(res.errors[0]!.extensions.code).toBe('RATE_LIMITED');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.errors[0]!.extensions.retryAfterSeconds).toBe(retryAfter);
  expect(res.errors[0]!.message).toMatch(/Too many requests/);
}

describe('rate limits', () => {
  it('limits each address in memory without Redis: 429 with Retry-After, before the body is read', async () => {
    const t = await startTestGateway({
      patients: 2,
      env: { MERIDIAN_RATE_LIMIT_PER_ADDRESS: '3', MERIDIAN_RATE_LIMIT_PER_PRINCIPAL: '0' },
    });
    try {
      for (let i = 0; i < 3; i++) expect((await t.graphql('{ me { subject } }')).status).not.toBe(429);
      expectRateLimited(await t.graphql('{ me { subject } }'));
      // The flood costs nothing more once the address is over its limit; health routes are not limited.
      expectRateLimited(await postGraphQL(t.gateway.url, { query: FLOOD }));
      expect((await fetch(t.gateway.url.replace('/graphql', '/healthz'))).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('limits each principal across gateways sharing a Redis, and no one else', async () => {
    const redis = await TestRedis.start();
    const env = {
      MERIDIAN_REDIS_URL: redis.url,
      MERIDIAN_CACHE_PREFIX: `rate-test-${randomBytes(4).toString('hex')}`,
      MERIDIAN_RATE_LIMIT_PER_ADDRESS: '1000',
      MERIDIAN_RATE_LIMIT_PER_PRINCIPAL: '4',
    };
    const a = await startTestGateway({ patients: 2, env });
    const b = await startTestGateway({ beside: a, env });
    try {
      const me = '{ me { subject } }';
      const [weberA, weberB] = [await a.token('dr-weber'), await b.token('dr-weber')];
      for (const [gateway, token] of [
        [a, weberA],
        [b, weberB],
        [a, weberA],
        [b, weberB],
      ] as const) {
        expect((await gateway.graphql(me, {}, token)).data).toEqual({ me: { subject: 'dr-weber' } });
      }
      // The fifth request of dr-weber is over the limit at either gateway: the count is shared in Redis.
      expectRateLimited(await a.graphql(me, {}, weberA));
      expectRateLimited(await b.graphql(me, {}, weberB));
      // Another clinician at the same address goes on.
      expect((await b.graphql(me, {}, await b.token('dr-martin'))).data).toEqual({ me: { subject: 'dr-martin' } });
    } finally {
      await b.close();
      await a.close();
      await redis.stop();
    }
  });
});
