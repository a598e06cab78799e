import type { NotificationService } from '../access/notify/notification-service.js';
import type { ErasureService } from '../access/erasure/erasure-service.js';
import type { CareService } from '../access/care/care-service.js';
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AuditService } from '../access/audit/audit-service.js';
import type { ConsentService } from '../access/consent/consent-service.js';
import type { DisclosureVerifier } from '../access/audit/disclosure-verifier.js';
import type { PolicySimulator } from '../access/policy/policy-simulation.js';
import type { PolicyService } from '../access/policy/policy-service.js';
import type { RecordService } from '../access/records/record-service.js';
import type { AuditChainVerifier } from '../access/audit/audit-chain-verifier.js';
import type { BundleImporter } from '../access/import/bundle-importer.js';
import type { PatientReviewService } from '../access/import/patient-review-service.js';
import { loadConfig } from '../config/config.js';
import { MeridianError } from '../domain/errors.js';
import { createApollo } from './apollo.js';
import type { GraphQLContext } from './context.js';
import { buildMeridianSchema } from './schema.js';

/** The `records` page query of README's "Try it", as a client would copy it. */
function readmeRecordsQuery(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const query = /```graphql\n(query \(\$p: ID!, \$after: String\) \{\n {2}records\([\s\S]*?)```/.exec(readme)?.[1];
  if (query === undefined) throw new Error("README's records query was not found");
  return query;
}

function contextWith(records: Partial<RecordService>): GraphQLContext {
  return {
    requestId: 'req-test-0001',
    fhirBase: 'http://127.0.0.1:4000/fhir',
    principal: { subject: 'dr-test', organisationId: 'charite-berlin', jurisdiction: 'DE', roles: ['clinician'] },
    services: {
      records: records as RecordService,
      consents: {} as ConsentService,
      care: {} as CareService,
      erasures: {} as ErasureService,
      notifications: {} as NotificationService,
      audit: {} as AuditService,
      auditChain: {} as AuditChainVerifier,
      disclosures: {} as DisclosureVerifier,
      simulator: {} as PolicySimulator,
      policies: {} as PolicyService,
      imports: {} as BundleImporter,
      patientReviews: {} as PatientReviewService,
      organisationName: () => null,
    },
    log: pino({ level: 'silent' }),
    partialFailures: [],
  };
}

/** A pseudonym key, which production configuration requires. */
const TEST_KEY = Buffer.alloc(32, 1).toString('base64');

async function run(
  env: Record<string, string>,
  query: string,
  records: Partial<RecordService> = {},
  variables?: Record<string, unknown>,
) {
  const apollo = createApollo(
    await buildMeridianSchema(),
    loadConfig({ MERIDIAN_ORG_KEYS_FILE: '/dev/null', MERIDIAN_PSEUDONYM_KEY: TEST_KEY, ...env }),
  );
  await apollo.start();
  try {
    const res = await apollo.executeOperation(
      { query, ...(variables ? { variables } : {}) },
      { contextValue: contextWith(records) },
    );
    if (res.body.kind !== 'single') throw new Error('expected a single result');
    return res.body.singleResult;
  } finally {
    await apollo.stop();
  }
}

describe('Apollo hardening', () => {
  it('refuses a query deeper than MERIDIAN_MAX_QUERY_DEPTH and allows one within it', async () => {
    const deep = '{ records(patientId: "p", purpose: TREAT) { edges { node { provenance { region } } } } }';
    const blocked = await run({ MERIDIAN_MAX_QUERY_DEPTH: '3' }, deep);
    expect(blocked.errors).toEqual([
      {
        message: 'The query nests 5 levels deep; the gateway allows 3.',
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth', maximum: 3, found: 5, requestId: 'req-test-0001' },
      },
    ]);
    expect(blocked.data).toBeUndefined();
    const allowed = await run({ MERIDIAN_MAX_QUERY_DEPTH: '3' }, '{ me { roles } }');
    expect(allowed.errors).toBeUndefined();
  });

  it('refuses a query over the cost limit', async () => {
    const fields = Array.from({ length: 40 }, (_, i) => `f${i}: me { subject organisationId jurisdiction roles }`).join(
      ' ',
    );
    const res = await run({ MERIDIAN_MAX_QUERY_COST: '100', MERIDIAN_MAX_ALIASES: '100' }, `{ ${fields} }`);
    expect(res.errors?.map((e) => e.extensions)).toEqual([
      { code: 'QUERY_TOO_COMPLEX', limit: 'cost', maximum: 100, found: 320, requestId: 'req-test-0001' },
    ]);
    expect(res.errors?.[0]?.message).toBe("The query's estimated cost is 320; the gateway allows 100.");
  });

  it('refuses too many aliases as a limit of its own, not as a syntax error', async () => {
    const fields = Array.from({ length: 4 }, (_, i) => `a${i}: me { subject }`).join(' ');
    const res = await run({ MERIDIAN_MAX_ALIASES: '3' }, `{ ${fields} }`);
    expect(res.errors?.map((e) => e.extensions)).toEqual([
      { code: 'QUERY_TOO_COMPLEX', limit: 'aliases', maximum: 3, found: 4, requestId: 'req-test-0001' },
    ]);
    expect(res.errors?.[0]?.message).not.toMatch(/Syntax Error/);
    expect((await run({ MERIDIAN_MAX_ALIASES: '4' }, `{ ${fields} }`)).errors).toBeUndefined();
  });

  it("admits README's page of records at the maximum page size under the default limits", async () => {
    const query = readmeRecordsQuery().replace(/first: \d+/, 'first: 100');
    const res = await run(
      {},
      query,
      { records: () => Promise.reject(new MeridianError('FORBIDDEN', 'No.')) },
      {
        p: 'mp-0123456789ab',
      },
    );
    // Validated and executed: the service's own answer comes back, no limit refused it.
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('turns introspection off in production and keeps it in development', async () => {
    const query = '{ __schema { queryType { name } } }';
    const production = await run({ NODE_ENV: 'production' }, query);
    expect(production.errors?.[0]?.message).toMatch(/introspection/i);
    const development = await run({ NODE_ENV: 'development' }, query);
    expect(development.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('masks internal errors and keeps Meridian error codes', async () => {
    const q = '{ patientSummary(patientId: "p", purpose: TREAT) { patientId } }';
    const internal = await run({}, q, {
      summary: () => Promise.reject(new Error('connect ECONNREFUSED; SELECT * FROM records WHERE secret')),
    });
    expect(internal.errors?.[0]?.message).not.toMatch(/SELECT|ECONNREFUSED/);
    expect(internal.errors?.[0]?.extensions).toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
      requestId: 'req-test-0001',
    });
    expect(JSON.stringify(internal.errors)).not.toMatch(/stacktrace|at .*\.ts/);
    const known = await run({}, q, { summary: () => Promise.reject(new MeridianError('FORBIDDEN', 'No.')) });
    expect(known.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requestId: 'req-test-0001' });
  });

  it('hides every kind of suggestion in production, and keeps them in development', async () => {
    const inline = '{ patientSummary(patientId: "p", purpose: TRET) { patientId } }';
    const field = '{ me { subjct } }';
    const variable = 'query($p: PurposeOfUse!) { patientSummary(patientId: "p", purpose: $p) { patientId } }';
    const development = await run({}, inline);
    expect(development.errors?.[0]?.message).toMatch(/Did you mean the enum value "TREAT"/);
    for (const [query, variables] of [
      [inline, undefined],
      [field, undefined],
      [variable, { p: 'TRET' }],
    ] as const) {
      const production = await run({ NODE_ENV: 'production' }, query, {}, variables);
      expect(production.errors?.length).toBeGreaterThan(0);
      for (const error of production.errors ?? []) {
        expect(error.message).not.toMatch(/Did you mean|TREAT|subject/);
        expect(error.extensions?.code).toMatch(/GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT/);
      }
    }
  });

  it("bounds a document's tokens in the parser itself: a 400 parse error, not a 500", async () => {
    const res = await run({ MERIDIAN_MAX_TOKENS: '100' }, '{me{roles}}'.repeat(100));
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED' });
    expect(res.errors?.[0]?.message).toMatch(/100 tokens/);
    const syntax = await run({ MERIDIAN_MAX_TOKENS: '100' }, '{ me { roles }');
    expect(syntax.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED' });
  });

  it('refuses a subscription over HTTP as a validation error naming the WebSocket', async () => {
    const res = await run({}, 'subscription { notifications { id } }');
    expect(res.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
      ['GRAPHQL_VALIDATION_FAILED', expect.stringMatching(/over WebSocket on \/graphql/) as string],
    ]);
  });
});
