import type { AddressInfo } from 'node:net';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { OrganisationEntry } from '../auth/organisation-directory.js';
import { openDevSignIn } from '../auth/dev-sign-in.js';
import { TokenVerifier } from '../auth/token-verifier.js';
import type { GatewayCache } from '../cache/open-cache.js';
import type { Config } from '../config/config.js';
import { createApollo } from '../graphql/apollo.js';
import type { GraphQLContext, Services } from '../graphql/context.js';
import { metricsPlugin } from '../graphql/metrics-plugin.js';
import { tracingPlugin } from '../graphql/tracing-plugin.js';
import { buildMeridianSchema } from '../graphql/schema.js';
import type { Stores } from '../stores/open-stores.js';
import { findConsoleDir } from './console-dir.js';
import { createHttpServer } from './http-server.js';
import { serveSubscriptions } from './graphql-ws.js';
import { fhirApi } from '../fhir/rest/fhir-api.js';
import { packageVersion } from '../cli/version.js';
import type { Metrics } from './metrics.js';
import { openRateLimits } from './open-rate-limits.js';
import { readiness, type DegradableCheck } from './readiness.js';

export interface HttpOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly services: Services;
  readonly organisations: readonly OrganisationEntry[];
  readonly metrics: Metrics;
  readonly stores: Stores;
  /** The jurisdictions the ledger's patient index places a patient in. */
  readonly patientJurisdictions: (patientId: string) => Promise<readonly string[]>;
  /** The verified-lookup cache, reported by `/readyz`; null when it is off. */
  readonly cache?: GatewayCache | null;
  /** Present when tracing is on (OTLP endpoint configured, or a test's exporter). */
  readonly tracer: Tracer | undefined;
}

/** The gateway's HTTP front: GraphQL, health and metrics, listening. */
export interface OpenHttp {
  readonly port: number;
  readonly url: string;
  /** Stops taking requests, lets open ones finish (5 s grace), then stops GraphQL. */
  close(): Promise<void>;
}

/** The console at /console, its sign-in, the offline IDE outside production, and CORS. */
function consoleOptions(o: Readonly<HttpOptions>): Partial<Parameters<typeof createHttpServer>[0]> {
  const consoleDir = findConsoleDir();
  if (consoleDir === undefined) o.logger.warn('the console is not built (npm run build): /console is not served');
  const devSignIn = openDevSignIn(
    o.config,
    o.stores.control,
    o.organisations.map((org) => org.id),
  );
  const issuers = o.organisations.flatMap((org) =>
    org.oidc ? [{ organisationId: org.id, name: org.name, issuer: org.oidc.issuer, clientId: org.oidc.clientId }] : [],
  );
  return {
    ...(consoleDir !== undefined ? { consoleDir } : {}),
    signIn: { issuers },
    ide: o.config.mode !== 'production',
    ...(devSignIn ? { devSignIn } : {}),
    corsOrigins: o.config.corsOrigins,
  };
}

/** Builds the GraphQL schema and Apollo, and listens on the configured host and port. */
export async function openHttp(o: Readonly<HttpOptions>): Promise<OpenHttp> {
  const { config, logger } = o;
  const verifier = new TokenVerifier({
    organisations: o.organisations,
    audience: config.tokenAudience,
    patientJurisdictions: o.patientJurisdictions,
    clockToleranceSeconds: config.protection.tokenClockSkewSeconds,
  });
  const rateLimits = openRateLimits(config, logger);
  // The parts that lean on Redis, which may fail without making the gateway unready.
  const degradable: Record<string, DegradableCheck> = {};
  if (config.cache.redisUrl !== undefined) {
    degradable['rate-limit'] = () => rateLimits.health();
    const store = o.cache?.store;
    if (store) degradable.cache = () => store.health();
  }
  // Known once listening (a port of 0 is chosen then); MERIDIAN_PUBLIC_URL when clients reach us elsewhere.
  let origin = config.publicUrl ?? '';
  const fhir = fhirApi(o.services, packageVersion());
  const schema = await buildMeridianSchema();
  const apollo = createApollo(schema, config, [metricsPlugin(o.metrics), tracingPlugin()]);
  await apollo.start();
  const context = (base: Pick<GraphQLContext, 'requestId' | 'principal' | 'log'>): GraphQLContext => ({
    ...base,
    services: o.services,
    partialFailures: [],
    fhirBase: `${origin}/fhir`,
  });
  const server = createHttpServer({
    apollo,
    logger,
    maxBodyBytes: config.limits.maxBodyBytes,
    maxImportBytes: config.limits.maxImportBytes,
    maxBatch: config.limits.maxBatch,
    documentLimits: config.limits,
    rateLimit: (kind, client) => rateLimits.take(kind, client),
    authenticate: (token) => verifier.verify(token),
    context,
    readiness: readiness(o.stores, config.regionTimeoutMs, degradable),
    metrics: o.metrics,
    ...(o.tracer ? { tracer: o.tracer } : {}),
    fhir: { handle: fhir, base: () => `${origin}/fhir` },
    ...consoleOptions(o),
  });
  const subscriptions = serveSubscriptions(server, {
    schema,
    logger,
    limits: config.limits,
    authenticate: (token) => verifier.verify(token),
    context,
    rateLimit: (kind, client) => rateLimits.take(kind, client),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  }).catch(async (err: unknown) => {
    await rateLimits.close();
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  const reachable = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  origin ||= `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
  return {
    port,
    url: `http://${config.host}:${port}/graphql`,
    close: async () => {
      await subscriptions.close();
      const stopped = new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      server.closeIdleConnections();
      const grace = setTimeout(() => {
        server.closeAllConnections();
      }, 5000);
      await stopped;
      clearTimeout(grace);
      logger.debug('http server closed');
      await apollo.stop();
      await rateLimits.close();
      logger.debug('graphql stopped');
    },
  };
}
