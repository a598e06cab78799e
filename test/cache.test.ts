import { randomBytes } from 'node:crypto';
import { createClient, RESP_TYPES } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frenchPatient, startTestGateway, type GraphQLResponse, type TestGateway } from './support/gateway.js';
import { parsePrometheusText } from './support/prometheus.js';
import { TestRedis } from './support/redis-server.js';

const SUMMARY = /* GraphQL */ `
  query Summary($p: ID!) {
    patientSummary(patientId: $p, purpose: TREAT) {
      regions
      demographics {
        name
      }
      problems {
        id
        display
      }
      medications {
        display
      }
    }
  }
`;

interface Summary {
  regions: string[];
  demographics: { name: string | null }[];
  problems: { id: string; display: string | null }[];
  medications: { display: string | null }[];
}

type SummaryResponse = GraphQLResponse<{ patientSummary: Summary }>;

const GRANT = 'mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }';
const REVOKE = 'mutation($id: ID!) { revokeConsent(consentId: $id) { status } }';
const EU_TREATMENT = { grantee: { kind: 'JURISDICTION', jurisdiction: 'EU' }, purposes: ['TREAT'] };

async function cacheLookups(t: TestGateway, result: string): Promise<number> {
  const text = await (await fetch(t.gateway.url.replace('/graphql', '/metrics'))).text();
  return parsePrometheusText(text).sum('meridian_cache_lookups_total', { result });
}

describe('the verified-lookup cache in Redis, through faults', () => {
  let redis: TestRedis;
  let t: TestGateway;
  let clinician: string;
  let patient: { globalId: string; persona: string };
  const prefix = `cache-test-${randomBytes(4).toString('hex')}`;

  const read = (): Promise<SummaryResponse> =>
    t.graphql<{ patientSummary: Summary }>(SUMMARY, { p: patient.globalId }, clinician);

  beforeAll(async () => {
    redis = await TestRedis.start();
    t = await startTestGateway({ env: { MERIDIAN_REDIS_URL: redis.url, MERIDIAN_CACHE_PREFIX: prefix } });
    clinician = await t.token('dr-weber');
    patient = frenchPatient(t);
    await t.consentToTreatment(patient.globalId);
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('serves repeated reads from the cache, and a key dump holds no readable clinical content', async () => {
    const first = await read();
    expect(first.errors).toEqual([]);
    const hitsBefore = await cacheLookups(t, 'hit');
    const second = await read();
    expect(second.data).toEqual(first.data);
    expect(await cacheLookups(t, 'hit')).toBeGreaterThan(hitsBefore);

    const dump = createClient({ url: redis.url }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    await dump.connect();
    try {
      const keys: string[] = [];
      for await (const batch of dump.scanIterator({ MATCH: '*', COUNT: 100 })) keys.push(...batch.map(String));
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.every((k) => k.startsWith(`${prefix}:`))).toBe(true);
      const values = await Promise.all(keys.map(async (k) => (await dump.get(k)) as Buffer));
      const everything = Buffer.concat([Buffer.from(keys.join('\n')), ...values]).toString('latin1');
      const s = first.data!.patientSummary;
      const clinical = [
        ...s.demographics.map((d) => d.name),
        ...s.problems.map((p) => p.display),
        ...s.medications.map((m) => m.display),
      ].filter((text): text is string => text !== null && text.length > 3);
      expect(clinical.length).toBeGreaterThan(0);
      for (const text of clinical) expect(everything).not.toContain(text);
      for (const word of ['resourceType', 'Condition', 'patientId', patient.globalId])
        expect(everything).not.toContain(word);
    } finally {
      await dump.close();
    }
  });

  it('keeps answering with Redis stopped, discloses nothing unverified, and picks the cache up again', async () => {
    const warm = await read();
    expect(warm.errors).toEqual([]);
    await redis.stop();
    try {
      for (let i = 0; i < 5; i++) {
        const res = await read();
        expect(res.errors).toEqual([]);
        expect(res.data).toEqual(warm.data);
      }
      // A revocation while Redis is away is in force at once; granting again restores the answer.
      const me = await t.token(patient.persona);
      const granted = await t.graphql<{ grantConsent: { id: string } }>(GRANT, { input: EU_TREATMENT }, me);
      expect(granted.errors).toEqual([]);
      const consents = await t.graphql<{ myConsents: { id: string }[] }>('{ myConsents { id } }', {}, me);
      for (const { id } of consents.data!.myConsents) expect((await t.graphql(REVOKE, { id }, me)).errors).toEqual([]);
      const denied = await read();
      expect(denied.data!.patientSummary.regions).toEqual(['eu-de']);
      expect(denied.errors.map((e) => e.extensions.code)).toContain('CONSENT_REVOKED');
      expect(await cacheLookups(t, 'error')).toBeGreaterThan(0);
    } finally {
      await redis.restart();
    }
    await t.consentToTreatment(patient.globalId);
    const hitsBefore = await cacheLookups(t, 'hit');
    for (let i = 0; i < 100 && (await cacheLookups(t, 'hit')) <= hitsBefore; i++) {
      const res = await read();
      expect(res.errors).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await cacheLookups(t, 'hit')).toBeGreaterThan(hitsBefore);
  });
});

describe('revocation across gateways that share a ledger but not a cache', () => {
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    a = await startTestGateway();
    // Gateway B: another hospital network's, with its own in-process cache and event stream.
    b = await startTestGateway({ beside: a });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('revoke through A, read through B at once: no stale read in 1,000 trials', async () => {
    // Patients with records in France (each trial withdraws their consent to EU treatment),
    // in parallel: the trials of one patient run one after another.
    const patients = a.demo.patients.filter(
      (p) => p.locations.some((l) => l.region === 'eu-fr') && a.demo.personas.some((x) => x.patientId === p.globalId),
    );
    expect(patients.length).toBeGreaterThanOrEqual(2);
    const clinician = await b.token('dr-weber');
    const hitsBefore = await cacheLookups(b, 'hit');
    const trials = 1000;
    let stale = 0;
    let done = 0;
    await Promise.all(
      patients.map(async (patient, n) => {
        const me = await a.token(a.demo.personas.find((x) => x.patientId === patient.globalId)!.name);
        const readThroughB = (): Promise<SummaryResponse> =>
          b.graphql<{ patientSummary: Summary }>(SUMMARY, { p: patient.globalId }, clinician);
        const mine = Math.floor(trials / patients.length) + (n < trials % patients.length ? 1 : 0);
        for (let trial = 0; trial < mine; trial++) {
          const granted = await a.graphql<{ grantConsent: { id: string } }>(GRANT, { input: EU_TREATMENT }, me);
          expect(granted.errors).toEqual([]);
          expect((await readThroughB()).data!.patientSummary.regions).toContain('eu-fr');
          await readThroughB(); // served from B's cache
          const revoked = await a.graphql(REVOKE, { id: granted.data!.grantConsent.id }, me);
          expect(revoked.errors).toEqual([]);
          const after = await readThroughB();
          if (after.data?.patientSummary.regions.includes('eu-fr') ?? true) stale++;
          done++;
        }
      }),
    );
    expect(done).toBe(trials);
    expect(stale).toBe(0);
    // The cache was in use all along: every trial's second read was a hit.
    expect((await cacheLookups(b, 'hit')) - hitsBefore).toBeGreaterThanOrEqual(trials);
  }, 300_000);
});
