import { monitorEventLoopDelay } from 'node:perf_hooks';
import { performance } from 'node:perf_hooks';
import { parse, specifiedRules, validate } from 'graphql';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevKeys } from '../src/auth/dev-keys.js';
import { buildMeridianSchema } from '../src/graphql/schema.js';
import { postGraphQL, startTestGateway, type TestGateway } from './support/gateway.js';

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
