import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { parsePrometheusText } from './support/prometheus.js';
import { TestRedis } from './support/redis-server.js';

const SUMMARY = 'query($p: ID!) { patientSummary(patientId: $p, purpose: TREAT) { regions problems { id } } }';

interface Answer {
  readonly status: number;
  readonly body: { data?: unknown; errors?: { extensions: { code: string } }[] };
}

async function cacheLookups(t: TestGateway, result: string): Promise<number> {
  const text = await (await fetch(t.gateway.url.replace('/graphql', '/metrics'))).text();
  return parsePrometheusText(text).sum('meridian_cache_lookups_total', { result });
}

async function readiness(
  t: TestGateway,
  limitMs: number,
): Promise<Answer & { body: { checks: Record<string, string> } }> {
  const res = await fetch(t.gateway.url.replace('/graphql', '/readyz'), { signal: AbortSignal.timeout(limitMs) });
  return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
}

describe('a hung Redis (SIGSTOP, connections open) never stalls a read', () => {
  let redis: TestRedis;
  let t: TestGateway;
  let clinician: string;
  let patientId: string;
  /**
   * The client gives up on an answer after this long: several times the gateway's own
   * region deadline, far less than the minutes a hung Redis would hold a read otherwise.
   */
  let patienceMs: number;

  const read = async (): Promise<Answer> => {
    const res = await fetch(t.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${clinician}` },
      body: JSON.stringify({ query: SUMMARY, variables: { p: patientId } }),
      signal: AbortSignal.timeout(patienceMs),
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };

  beforeAll(async () => {
    redis = await TestRedis.start();
    t = await startTestGateway({
      env: {
        MERIDIAN_REDIS_URL: redis.url,
        MERIDIAN_CACHE_PREFIX: `stall-test-${randomBytes(4).toString('hex')}`,
        // The Redis-backed rate limiter is on too: it must not stall a read either.
        MERIDIAN_RATE_LIMIT_PER_ADDRESS: '100000',
        MERIDIAN_RATE_LIMIT_PER_PRINCIPAL: '100000',
        MERIDIAN_REDIS_BREAKER_RETRY_MS: '300',
        // Every lookup asks Redis: the gateway's decoded copies would answer this warm patient without it.
        MERIDIAN_CACHE_DECODED_MB: '0',
      },
    });
    patienceMs = 3 * t.config.regionTimeoutMs;
    clinician = await t.token('dr-weber');
    const patient = t.demo.patients.find((p) => p.homeRegion === 'eu-de')!;
    patientId = patient.globalId;
    await t.consentToTreatment(patientId);
  });
  afterAll(async () => {
    redis.resume();
    await t.close();
    await redis.stop();
  });

  it('answers every read uncached while Redis is frozen, /readyz says the cache is degraded, and hits resume after SIGCONT', async () => {
    const warm = await read();
    expect(warm.body.errors).toBeUndefined();
    const hitsBefore = await cacheLookups(t, 'hit');
    expect((await read()).body.data).toEqual(warm.body.data);
    expect(await cacheLookups(t, 'hit')).toBeGreaterThan(hitsBefore);
    expect((await readiness(t, patienceMs)).body.checks).toMatchObject({ cache: 'ok', 'rate-limit': 'ok' });

    redis.pause();
    try {
      const errorsBefore = await cacheLookups(t, 'error');
      const answers = await Promise.all(Array.from({ length: 4 }, () => read()));
      for (let i = 0; i < 6; i++) answers.push(await read());
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.body.errors).toBeUndefined();
        expect(answer.body.data).toEqual(warm.body.data);
      }
      // Served without the cache: every lookup of those reads failed over to a load.
      expect(await cacheLookups(t, 'error')).toBeGreaterThan(errorsBefore);
      const ready = await readiness(t, patienceMs);
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toMatchObject({ control: 'ok', cache: 'degraded', 'rate-limit': 'degraded' });
    } finally {
      redis.resume();
    }

    // Each breaker's probe finds Redis answering again: the cache is hit, and both parts are ok.
    const hitsAfterStall = await cacheLookups(t, 'hit');
    let checks: Record<string, string> = {};
    for (let i = 0; i < 100; i++) {
      expect((await read()).body.errors).toBeUndefined();
      checks = (await readiness(t, patienceMs)).body.checks;
      if ((await cacheLookups(t, 'hit')) > hitsAfterStall && checks.cache === 'ok' && checks['rate-limit'] === 'ok')
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await cacheLookups(t, 'hit')).toBeGreaterThan(hitsAfterStall);
    expect(checks).toMatchObject({ cache: 'ok', 'rate-limit': 'ok' });
  });
});
