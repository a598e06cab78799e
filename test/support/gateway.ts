import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import pino from 'pino';
import { ensureDevKeys } from '../../src/auth/dev-keys.js';
import { mintPersonaToken } from '../../src/auth/persona-token.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { regionUrlVariable } from '../../src/config/regions.js';
import { generateDemoData } from '../../src/demo/generator.js';
import { patientIdentityProviderOf } from '../../src/demo/organisations.js';
import type { Persona } from '../../src/stores/control-plane.js';
import type { PurposeOfUse } from '../../src/domain/purpose.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly data: T | null;
  readonly errors: { message: string; path?: (string | number)[]; extensions: Record<string, unknown> }[];
  readonly headers: Headers;
}

export interface TestGateway {
  readonly gateway: Gateway;
  readonly config: Config;
  readonly databases: ReadonlyMap<string, TestDatabase>;
  readonly demo: ReturnType<typeof generateDemoData>;
  /** The gateway's log lines, parsed, when started with `captureLogs`. */
  readonly logs: Record<string, unknown>[];
  /** A bearer token for a demo persona, signed with the organisation's dev key (bound to a purpose of use, as IHE IUA does, if given). */
  token(persona: string, options?: { readonly purposeOfUse?: PurposeOfUse }): Promise<string>;
  /**
   * The patient consents to treatment by any treating provider, sensitive items included:
   * what tests that are about something else need for cross-border reads to be permitted.
   */
  consentToTreatment(globalId: string): Promise<void>;
  /**
   * The patient issues an access code and the persona (a clinician) opens a care relationship
   * with it: the clinician's organisation is then treating the patient.
   */
  openCareRelationship(globalId: string, persona: string): Promise<{ id: string; expiresAt: string }>;
  /** A bearer token for the patient with this global id (a demo persona, or one made for an imported patient). */
  patientToken(globalId: string): Promise<string>;
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** The demo hospitals' clinicians, one per hospital. */
const DEMO_CLINICIANS = ['dr-weber', 'dr-martin', 'dr-johnson'];

export const DEFAULT_TEST_REGIONS = 'eu-de=DE,eu-fr=FR,us-ma=US-MA';

export interface TestGatewayOptions {
  readonly regions?: string;
  readonly patients?: number;
  readonly env?: Record<string, string>;
  /**
   * A second gateway beside this one, as at another hospital network: the same databases
   * and the same ledger (one object in this process), its own port, data folder (and so its
   * own dev keys), cache and event stream. It closes only itself; close it first.
   */
  readonly beside?: TestGateway;
  /** Keep the gateway's log lines (info and up) in `logs`, to assert on alerts. */
  readonly captureLogs?: boolean;
  /** Spans the gateway records go here too (tracing tests read an in-memory exporter). */
  readonly spanExporter?: SpanExporter;
}

/**
 * Boots the real gateway on the machine's PostgreSQL: one fresh database per region
 * and one for the control plane, demo data seeded, a random port. All removed on close.
 */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const regions = options.regions ?? DEFAULT_TEST_REGIONS;
  const patients = options.patients ?? 12;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'meridian-test-'));
  const databases = new Map<string, TestDatabase>();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    MERIDIAN_DATA_DIR: dataDir,
    MERIDIAN_REGIONS: regions,
    MERIDIAN_SEED_DEMO: 'true',
    MERIDIAN_DEMO_PATIENTS: String(patients),
    MERIDIAN_REGION_TIMEOUT_MS: '1500',
    // Tests send thousands of requests from one address and user; test/attacks.test.ts turns limits on.
    MERIDIAN_RATE_LIMIT_PER_ADDRESS: '0',
    MERIDIAN_RATE_LIMIT_PER_PRINCIPAL: '0',
    ...options.env,
  };
  const owned = options.beside === undefined;
  try {
    if (options.beside) {
      for (const [id, db] of options.beside.databases) databases.set(id, db);
    } else {
      databases.set('control', await createTestDatabase('control'));
      for (const part of regions.split(',')) {
        const id = part.split('=')[0] ?? '';
        databases.set(id, await createTestDatabase(id));
      }
    }
    for (const [id, db] of databases) {
      if (id === 'control') env.MERIDIAN_CONTROL_URL = db.url;
      else env[regionUrlVariable(id)] = db.url;
    }
    const config = loadConfig(env);
    const logs: Record<string, unknown>[] = [];
    const logger = options.captureLogs
      ? pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) })
      : pino({ level: 'silent' });
    const gateway = await startGateway(config, logger, {
      ...(options.beside ? { ledger: options.beside.gateway.ledger } : {}),
      ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
    });
    const demo = generateDemoData({ patients, regions: config.regions });
    const keys = await ensureDevKeys(
      dataDir,
      demo.organisations.map((o) => o.id),
    );
    /** A demo patient's persona, or one signed in by the identity provider of the jurisdiction holding an imported patient. */
    const patientPersona = async (globalId: string): Promise<Persona> => {
      const known = demo.personas.find((p) => p.patientId === globalId);
      if (known) return known;
      const [location] = await gateway.stores.control.locatePatient(globalId);
      const jurisdiction = config.regions.find((r) => r.id === location?.region)?.jurisdiction;
      if (jurisdiction === undefined) throw new Error(`patient ${globalId} is in no configured region`);
      return {
        name: `patient-${globalId}`,
        displayName: 'test patient',
        role: 'patient',
        organisationId: patientIdentityProviderOf(jurisdiction).id,
        patientId: globalId,
      };
    };
    const openCare = async (globalId: string, clinician: string): Promise<{ id: string; expiresAt: string }> => {
      const issued = await postGraphQL<{ issueAccessCode: { code: string } }>(
        gateway.url,
        { query: 'mutation { issueAccessCode(validMinutes: 5) { code } }' },
        await mintPersonaToken(await patientPersona(globalId), keys, { audience: config.tokenAudience }),
      );
      const code = issued.data?.issueAccessCode.code;
      if (code === undefined) throw new Error(`no access code: ${JSON.stringify(issued.errors)}`);
      const persona = demo.personas.find((p) => p.name === clinician);
      if (!persona) throw new Error(`no persona ${clinician}`);
      const opened = await postGraphQL<{ openCareRelationship: { id: string; expiresAt: string } }>(
        gateway.url,
        {
          query:
            'mutation($p: ID!, $c: String!) { openCareRelationship(patientId: $p, accessCode: $c) { id expiresAt } }',
          variables: { p: globalId, c: code },
        },
        await mintPersonaToken(persona, keys, { audience: config.tokenAudience }),
      );
      if (opened.data === null) throw new Error(`no care relationship: ${JSON.stringify(opened.errors)}`);
      return opened.data.openCareRelationship;
    };
    return {
      gateway,
      config,
      databases,
      demo,
      logs,
      async token(name, options = {}) {
        const persona = demo.personas.find((p) => p.name === name);
        if (!persona) throw new Error(`no persona ${name}`);
        return mintPersonaToken(persona, keys, { audience: config.tokenAudience, ...options });
      },
      async patientToken(globalId) {
        return mintPersonaToken(await patientPersona(globalId), keys, { audience: config.tokenAudience });
      },
      async consentToTreatment(globalId) {
        const persona = await patientPersona(globalId);
        const res = await postGraphQL(
          gateway.url,
          {
            query: 'mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }',
            variables: {
              input: {
                grantee: { kind: 'ANY_TREATING_PROVIDER' },
                purposes: ['TREAT'],
                sensitiveAllowed: ['PSY', 'HIV', 'GDIS', 'ETH', 'SEX'],
                destinationsAllowed: ['US', 'EU', 'UK'],
              },
            },
          },
          await mintPersonaToken(persona, keys, { audience: config.tokenAudience }),
        );
        if (res.errors.length > 0) throw new Error(`consent not granted: ${JSON.stringify(res.errors)}`);
        // "Any treating provider": each demo hospital's clinician has seen the patient.
        for (const clinician of DEMO_CLINICIANS) await openCare(globalId, clinician);
      },
      openCareRelationship: openCare,
      graphql: (query, variables, token) => postGraphQL(gateway.url, { query, variables }, token),
      async close() {
        await gateway.close();
        if (owned) await Promise.all([...databases.values()].map((db) => db.drop()));
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (owned) await Promise.all([...databases.values()].map((db) => db.drop()));
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** POSTs a GraphQL request as a partner hospital's system would. */
export async function postGraphQL<T>(
  url: string,
  body: unknown,
  token?: string,
  extraHeaders: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      ...extraHeaders,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as { data?: T | null; errors?: GraphQLResponse<T>['errors'] };
  return { status: res.status, data: json.data ?? null, errors: json.errors ?? [], headers: res.headers };
}

/** A demo patient of the Paris hospital with records in France and Germany, and that patient's persona. */
export function frenchPatient(t: TestGateway): {
  globalId: string;
  persona: string;
  regions: string[];
} {
  const patient = t.demo.patients.find(
    (p) =>
      p.homeRegion === 'eu-fr' &&
      p.locations.some((l) => l.region === 'eu-de') &&
      t.demo.personas.some((persona) => persona.patientId === p.globalId),
  )!;
  return {
    globalId: patient.globalId,
    persona: t.demo.personas.find((p) => p.patientId === patient.globalId)!.name,
    regions: patient.locations.map((l) => l.region),
  };
}
