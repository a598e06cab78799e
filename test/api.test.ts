import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/token-minter.js';
import { ensureDevKeys } from '../src/auth/dev-keys.js';
import { admin } from './support/postgres.js';
import { postGraphQL, startTestGateway, type TestGateway } from './support/gateway.js';

const SUMMARY = /* GraphQL */ `
  query Summary($patientId: ID!, $purpose: PurposeOfUse!) {
    patientSummary(patientId: $patientId, purpose: $purpose) {
      patientId
      regions
      unavailableRegions
      demographics {
        name
        birthDate
        gender
        provenance {
          region
          organisationId
        }
      }
      problems {
        id
        resourceType
        category
        code {
          system
          code
          display
        }
        display
        status
        date
        provenance {
          region
          organisationId
          organisationName
          lastUpdated
          contentHash
        }
      }
      medications {
        id
        display
        code {
          system
          code
        }
        provenance {
          region
        }
      }
      results {
        id
        display
        value
        provenance {
          region
        }
      }
      allergies {
        id
        display
        provenance {
          region
        }
      }
    }
  }
`;

const RECORDS = /* GraphQL */ `
  query Records($patientId: ID!, $purpose: PurposeOfUse!, $first: Int, $after: String, $filter: RecordFilter) {
    records(patientId: $patientId, purpose: $purpose, first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          id
          resourceType
          category
          provenance {
            region
            lastUpdated
          }
          fhir
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
      regions
      unavailableRegions
    }
  }
`;

interface SummaryData {
  patientSummary: {
    patientId: string;
    regions: string[];
    unavailableRegions: string[];
    demographics: { name: string; provenance: { region: string } }[];
    problems: {
      id: string;
      code: { system: string } | null;
      provenance: {
        region: string;
        organisationId: string;
        organisationName: string;
        lastUpdated: string;
        contentHash: string;
      };
    }[];
    medications: { provenance: { region: string } }[];
    results: { provenance: { region: string } }[];
    allergies: { provenance: { region: string } }[];
  };
}

interface RecordsData {
  records: {
    edges: {
      cursor: string;
      node: {
        id: string;
        resourceType: string;
        category: string;
        provenance: { region: string; lastUpdated: string };
        fhir: { resourceType: string };
      };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    regions: string[];
    unavailableRegions: string[];
  };
}

/** The `records` page query of README's "Try it", as a client would copy it. */
function readmeRecordsQuery(): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const query = /```graphql\n(query \(\$p: ID!, \$after: String\) \{\n {2}records\([\s\S]*?)```/.exec(readme)?.[1];
  if (query === undefined) throw new Error("README's records query was not found");
  return query;
}

describe('GraphQL API against PostgreSQL', () => {
  let t: TestGateway;
  let clinician: string;
  let crossBorder: { globalId: string; regions: string[] };

  beforeAll(async () => {
    // Uncached: a region taken down below must be missed, not served from the cache (test/cache.test.ts).
    t = await startTestGateway({ env: { MERIDIAN_CACHE_TTL_MS: '0' } });
    clinician = await t.token('dr-weber');
    const p = t.demo.patients[0]!;
    crossBorder = { globalId: p.globalId, regions: p.locations.map((l) => l.region) };
    // Cross-border treatment within the EU needs the patient's consent; the patient gives it,
    // sensitive items included, so these tests see every record.
    await t.consentToTreatment(p.globalId);
  });
  afterAll(async () => {
    await t.close();
  });

  it('returns a cross-border patient summary with items from every region, each with provenance', async () => {
    expect(crossBorder.regions.length).toBeGreaterThanOrEqual(2);
    const res = await t.graphql<SummaryData>(SUMMARY, { patientId: crossBorder.globalId, purpose: 'TREAT' }, clinician);
    expect(res.errors).toEqual([]);
    const s = res.data!.patientSummary;
    expect(s.regions.sort()).toEqual([...crossBorder.regions].sort());
    expect(s.unavailableRegions).toEqual([]);
    expect(new Set(s.demographics.map((d) => d.provenance.region))).toEqual(new Set(crossBorder.regions));
    const items = [...s.problems, ...s.medications, ...s.results, ...s.allergies];
    expect(new Set(items.map((i) => i.provenance.region)).size).toBeGreaterThanOrEqual(2);
    for (const problem of s.problems) {
      expect(problem.provenance.organisationId).toMatch(/^[a-z0-9-]+$/);
      expect(problem.provenance.organisationName).toBeTruthy();
      expect(Date.parse(problem.provenance.lastUpdated)).not.toBeNaN();
      expect(problem.provenance.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(problem.code?.system).toMatch(/snomed|icd-10/);
    }
  });

  it('pages through all records across regions with cursors, without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page++) {
      const res: Awaited<ReturnType<typeof t.graphql<RecordsData>>> = await t.graphql<RecordsData>(
        RECORDS,
        { patientId: crossBorder.globalId, purpose: 'TREAT', first: 4, after },
        clinician,
      );
      expect(res.errors).toEqual([]);
      const conn = res.data!.records;
      seen.push(...conn.edges.map((e) => e.node.id));
      const times = conn.edges.map((e) => Date.parse(e.node.provenance.lastUpdated));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    const expected = t.demo.patients[0]!.locations.reduce((n, l) => n + l.records.length, 0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(expected);
  });

  it('filters records by resource type, category and date', async () => {
    const byType = await t.graphql<RecordsData>(
      RECORDS,
      { patientId: crossBorder.globalId, purpose: 'TREAT', first: 100, filter: { resourceTypes: ['Observation'] } },
      clinician,
    );
    expect(byType.errors).toEqual([]);
    const edges = byType.data!.records.edges;
    expect(edges.length).toBeGreaterThan(0);
    expect(
      edges.every((e) => e.node.resourceType === 'Observation' && e.node.fhir.resourceType === 'Observation'),
    ).toBe(true);

    const byCategory = await t.graphql<RecordsData>(
      RECORDS,
      { patientId: crossBorder.globalId, purpose: 'TREAT', first: 100, filter: { categories: ['PATIENT'] } },
      clinician,
    );
    expect(byCategory.data!.records.edges.map((e) => e.node.resourceType)).toEqual(
      crossBorder.regions.map(() => 'Patient'),
    );

    const all = await t.graphql<RecordsData>(
      RECORDS,
      { patientId: crossBorder.globalId, purpose: 'TREAT', first: 100 },
      clinician,
    );
    const times = all.data!.records.edges.map((e) => e.node.provenance.lastUpdated).sort();
    const median = times[Math.floor(times.length / 2)]!;
    const since = await t.graphql<RecordsData>(
      RECORDS,
      { patientId: crossBorder.globalId, purpose: 'TREAT', first: 100, filter: { since: median } },
      clinician,
    );
    const sinceTimes = since.data!.records.edges.map((e) => e.node.provenance.lastUpdated);
    expect(sinceTimes.length).toBe(times.filter((x) => x >= median).length);
    expect(sinceTimes.every((x) => x >= median)).toBe(true);
  });

  describe('authentication and roles', () => {
    const query = 'query($p: ID!) { patientSummary(patientId: $p, purpose: TREAT) { patientId } }';

    it('refuses a request without a token with 401, a Bearer challenge and UNAUTHENTICATED', async () => {
      const res = await t.graphql(query, { p: crossBorder.globalId });
      // It used to be HTTP 200 with no challenge.
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="meridian"');
      expect(res.data?.patientSummary ?? null).toBeNull();
      expect(res.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
      // Another scheme is no bearer token either.
      const basic = await postGraphQL(t.gateway.url, { query, variables: { p: crossBorder.globalId } }, undefined, {
        authorization: 'Basic ZHItd2ViZXI6c2VjcmV0',
      });
      expect(basic.status).toBe(401);
      expect(basic.headers.get('www-authenticate')).toBe('Bearer realm="meridian"');
      expect(basic.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    });

    it('refuses a tampered, foreign or expired token with UNAUTHENTICATED', async () => {
      const tampered = `${clinician.slice(0, -4)}AAAA`;
      const expired = await mintExpired(t);
      for (const bad of [tampered, 'not-a-jwt', expired]) {
        const res = await t.graphql(query, { p: crossBorder.globalId }, bad);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="meridian", error="invalid_token"');
        expect(res.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
        expect(res.data).toBeNull();
      }
      const res = await t.graphql(query, { p: crossBorder.globalId }, expired);
      expect(res.errors[0]?.message).toMatch(/expired/);
    });

    it('refuses a compliance officer or auditor reading records with FORBIDDEN', async () => {
      for (const persona of ['officer-schmidt', 'auditor-klein']) {
        const res = await t.graphql(query, { p: crossBorder.globalId }, await t.token(persona));
        expect(res.errors[0]?.extensions.code).toBe('FORBIDDEN');
        expect(res.data).toBeNull();
      }
    });

    it("lets a patient read their own records but not another patient's", async () => {
      const own = `patient-${crossBorder.globalId}`;
      const token = await t.token(own);
      const mine = await t.graphql(
        'query($p: ID!) { patientSummary(patientId: $p, purpose: PATRQT) { patientId } }',
        { p: crossBorder.globalId },
        token,
      );
      expect(mine.errors).toEqual([]);
      expect(mine.data).toEqual({ patientSummary: { patientId: crossBorder.globalId } });
      const other = t.demo.patients[1]!.globalId;
      const theirs = await t.graphql(
        'query($p: ID!) { patientSummary(patientId: $p, purpose: PATRQT) { patientId } }',
        { p: other },
        token,
      );
      expect(theirs.errors[0]?.extensions.code).toBe('FORBIDDEN');
    });

    it('tells the caller who they are', async () => {
      const res = await t.graphql('{ me { subject organisationId jurisdiction roles } }', {}, clinician);
      expect(res.data).toEqual({
        me: { subject: 'dr-weber', organisationId: 'charite-berlin', jurisdiction: 'DE', roles: ['clinician'] },
      });
    });
  });

  describe('bad input gets a clear, specific error', () => {
    it('a malformed query', async () => {
      const res = await t.graphql('{ patientSummary(patientId: "x", purpose: TREAT) { ', {}, clinician);
      expect(res.status).toBe(400);
      expect(res.errors[0]?.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
      expect(res.errors[0]?.message).toMatch(/Syntax Error/);
    });

    it('an unknown purpose of use', async () => {
      const inline = await t.graphql(
        `{ patientSummary(patientId: "${crossBorder.globalId}", purpose: SHOPPING) { patientId } }`,
        {},
        clinician,
      );
      expect(inline.errors[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(inline.errors[0]?.message).toMatch(/SHOPPING.*PurposeOfUse/);
      const variable = await t.graphql(SUMMARY, { patientId: crossBorder.globalId, purpose: 'SHOPPING' }, clinician);
      expect(variable.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
      expect(variable.errors[0]?.message).toMatch(/SHOPPING/);
      expect(variable.data).toBeNull();
    });

    it('too many aliases', async () => {
      const aliases = Array.from({ length: t.config.limits.maxAliases + 1 }, (_, i) => `a${i}: me { subject }`).join(
        ' ',
      );
      const res = await t.graphql(`{ ${aliases} }`, {}, clinician);
      expect(res.data).toBeNull();
      expect(res.errors[0]?.message).toMatch(/alias/i);
    });

    it('a bad cursor, page size or patient id', async () => {
      const cursor = await t.graphql<RecordsData>(
        RECORDS,
        { patientId: crossBorder.globalId, purpose: 'TREAT', after: 'garbage' },
        clinician,
      );
      expect(cursor.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
      const first = await t.graphql<RecordsData>(
        RECORDS,
        { patientId: crossBorder.globalId, purpose: 'TREAT', first: 100000 },
        clinician,
      );
      expect(first.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
      const id = await t.graphql(SUMMARY, { patientId: "x'; DROP TABLE records; --", purpose: 'TREAT' }, clinician);
      expect(id.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'patientId' });
      const unknown = await t.graphql(SUMMARY, { patientId: 'mp-000000000000', purpose: 'TREAT' }, clinician);
      expect(unknown.errors[0]?.extensions.code).toBe('NOT_FOUND');
    });

    it('an oversized body, an oversized batch, and a cross-site form post', async () => {
      const big = await postGraphQL(
        t.gateway.url,
        { query: `{ me { subject } } # ${'x'.repeat(t.config.limits.maxBodyBytes)}` },
        clinician,
      );
      expect(big.status).toBe(413);
      const batch = Array.from({ length: t.config.limits.maxBatch + 1 }, () => ({ query: '{ me { subject } }' }));
      const tooMany = await postGraphQL(t.gateway.url, batch, clinician);
      expect(tooMany.status).toBe(400);
      expect(tooMany.errors[0]?.message).toMatch(/batch/);
      const csrf = await fetch(t.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{"query":"{ me { subject } }"}',
      });
      expect(csrf.status).toBe(400);
      expect(await csrf.text()).toMatch(/CSRF/);
      // An answer is for its requester and purpose alone: no HTTP cache may keep it.
      const answer = await fetch(t.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${clinician}` },
        body: '{"query":"{ me { subject } }"}',
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
    });

    it("depth, cost and alias limits are 400 QUERY_TOO_COMPLEX, not syntax errors; README's page at the maximum size passes", async () => {
      const page = readmeRecordsQuery().replace(/first: \d+/, `first: ${t.config.limits.maxPageSize}`);
      const admitted = await t.graphql<{ records: { edges: unknown[] } }>(page, { p: crossBorder.globalId }, clinician);
      expect(admitted.status).toBe(200);
      expect(admitted.errors.map((e) => e.extensions.code)).not.toContain('QUERY_TOO_COMPLEX');
      expect(admitted.data?.records.edges.length).toBeGreaterThan(0);

      const inner = 'provenance { region }';
      const nested = Array.from({ length: 5 }).reduce<string>((q) => `... on ClinicalItem { ${q} }`, inner);
      const deep = `query($p: ID!) { records(patientId: $p, purpose: TREAT) { edges { node { ${nested} } } } }`;
      const selection = /records\([^)]*\) (\{[\s\S]*\})\s*\}\s*$/.exec(page)?.[1] ?? '';
      const costly = `query($p: ID!) { ${['a', 'b', 'c'].map((a) => `${a}: records(patientId: $p, purpose: TREAT, first: 100) ${selection}`).join(' ')} }`;
      const aliased = `{ ${Array.from({ length: t.config.limits.maxAliases + 1 }, (_, i) => `m${i}: me { subject }`).join(' ')} }`;
      for (const [limit, query] of [
        ['depth', deep],
        ['cost', costly],
        ['aliases', aliased],
      ] as const) {
        const res = await t.graphql(query, { p: crossBorder.globalId }, clinician);
        expect(res.status).toBe(400);
        expect(res.errors).toHaveLength(1);
        expect(res.errors[0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit });
        expect(res.errors[0]!.message).not.toMatch(/Syntax Error/);
        expect(res.errors[0]!.message).toMatch(/the gateway allows \d+\.$/);
      }
    });

    it('every error carries the request id, and internal details never leak', async () => {
      const res = await t.graphql(SUMMARY, { patientId: 'mp-000000000000', purpose: 'TREAT' }, clinician);
      const requestId = res.headers.get('x-request-id');
      expect(requestId).toBeTruthy();
      expect(res.errors[0]?.extensions.requestId).toBe(requestId);
      expect(JSON.stringify(res.errors)).not.toMatch(/stack|SELECT|prisma/i);
    });
  });

  describe('a region database that goes down mid-run', () => {
    it("yields the other regions' data plus REGION_UNAVAILABLE naming the region, and recovers", async () => {
      const down = crossBorder.regions[1]!;
      const dbName = t.databases.get(down)!.name;
      await admin(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS false`);
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbName}'`);
      try {
        const res = await t.graphql<SummaryData>(
          SUMMARY,
          { patientId: crossBorder.globalId, purpose: 'TREAT' },
          clinician,
        );
        expect(res.status).toBe(200);
        const s = res.data!.patientSummary;
        expect(s.unavailableRegions).toEqual([down]);
        expect(s.regions).not.toContain(down);
        expect(s.demographics.length).toBe(crossBorder.regions.length - 1);
        expect(res.errors).toHaveLength(1);
        expect(res.errors[0]).toMatchObject({
          path: ['patientSummary'],
          extensions: { code: 'REGION_UNAVAILABLE', region: down },
        });
        expect(res.errors[0]?.message).toContain(down);

        const ready = await fetch(t.gateway.url.replace('/graphql', '/readyz'));
        const body = (await ready.json()) as { checks: Record<string, string> };
        expect(body.checks[`region:${down}`]).toBe('unavailable');
        expect(body.checks.control).toBe('ok');
      } finally {
        await admin(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS true`);
      }
      const again = await t.graphql<SummaryData>(
        SUMMARY,
        { patientId: crossBorder.globalId, purpose: 'TREAT' },
        clinician,
      );
      expect(again.errors).toEqual([]);
      expect(again.data!.patientSummary.regions.sort()).toEqual([...crossBorder.regions].sort());
    });
  });

  it('answers /healthz and /readyz', async () => {
    const base = t.gateway.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, string> };
    expect(Object.keys(body.checks).sort()).toEqual(['control', 'region:eu-de', 'region:eu-fr', 'region:us-ma']);
  });
});

async function mintExpired(t: TestGateway): Promise<string> {
  const keys = await ensureDevKeys(t.config.dataDir, ['charite-berlin']);
  return mintToken(keys['charite-berlin']!.privateJwk, {
    organisationId: 'charite-berlin',
    subject: 'dr-weber',
    roles: ['clinician'],
    audience: t.config.tokenAudience,
    ttlSeconds: -120,
  });
}
