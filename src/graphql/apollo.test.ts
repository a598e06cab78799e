import 'reflect-metadata';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AuditService } from '../access/audit-service.js';
import type { ConsentService } from '../access/consent-service.js';
import type { DisclosureVerifier } from '../access/disclosure-verifier.js';
import type { PolicySimulator } from '../access/policy-simulation.js';
import type { PolicyService } from '../access/policy-service.js';
import type { RecordService } from '../access/record-service.js';
import type { BundleImporter } from '../access/records/bundle-importer.js';
import type { PatientReviewService } from '../access/records/patient-review-service.js';
import { loadConfig } from '../config/config.js';
import { MeridianError } from '../domain/errors.js';
import { createApollo } from './apollo.js';
import type { GraphQLContext } from './context.js';
import { buildMeridianSchema } from './schema.js';

function contextWith(records: Partial<RecordService>): GraphQLContext {
  return {
    requestId: 'req-test-0001',
    principal: { subject: 'dr-test', organisationId: 'charite-berlin', jurisdiction: 'DE', roles: ['clinician'] },
    services: {
      records: records as RecordService,
      consents: {} as ConsentService,
      audit: {} as AuditService,
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

async function run(env: Record<string, string>, query: string, records: Partial<RecordService> = {}) {
  const apollo = createApollo(await buildMeridianSchema(), loadConfig({ MERIDIAN_ORG_KEYS_FILE: '/dev/null', ...env }));
  await apollo.start();
  try {
    const res = await apollo.executeOperation({ query }, { contextValue: contextWith(records) });
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
    expect(blocked.errors?.[0]?.message).toMatch(/depth limit of 3/i);
    expect(blocked.data).toBeUndefined();
    const allowed = await run({ MERIDIAN_MAX_QUERY_DEPTH: '3' }, '{ me { roles } }');
    expect(allowed.errors).toBeUndefined();
  });

  it('refuses a query over the cost limit', async () => {
    const fields = Array.from({ length: 40 }, (_, i) => `f${i}: me { subject organisationId jurisdiction roles }`).join(
      ' ',
    );
    const res = await run({ MERIDIAN_MAX_QUERY_COST: '100', MERIDIAN_MAX_ALIASES: '100' }, `{ ${fields} }`);
    expect(res.errors?.[0]?.message).toMatch(/cost/i);
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
});
