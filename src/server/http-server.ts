import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { MeridianError } from '../domain/errors.js';
import { hasRole, type Principal } from '../domain/principal.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { DocumentLimits } from '../graphql/document-limits.js';
import type { RateDecision, RateLimitKind } from './rate-limits.js';
import { bearerChallenge } from '../auth/bearer-challenge.js';
import {
  errorResponse as fhirError,
  FHIR_CONTENT_TYPE,
  type FhirRequest,
  type FhirResponse,
} from '../fhir/rest/fhir-api.js';
import type { DevSignIn } from '../auth/dev-sign-in.js';
import { applyCors } from './cors.js';
import { serveConsoleApi } from './console-api.js';
import { checkRequestLimits } from './request-limits.js';
import { serveStatic } from './static-files.js';
import { inRequestSpan } from '../tracing/request-span.js';
import { traced } from '../tracing/traced.js';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

export interface HttpServerOptions {
  readonly apollo: ApolloServer<GraphQLContext>;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** Body limit for principals with the integration role (importBundle); default maxBodyBytes. */
  readonly maxImportBytes?: number;
  readonly maxBatch: number;
  /** Token and nesting limits of each operation, checked before Apollo parses anything. */
  readonly documentLimits: DocumentLimits;
  /** Counts a request of a client (address before the body is read, principal once authenticated). */
  readonly rateLimit?: (kind: RateLimitKind, client: string) => Promise<RateDecision>;
  /** Verifies a bearer token; throws UNAUTHENTICATED. */
  readonly authenticate: (token: string) => Promise<Principal>;
  readonly context: (base: Pick<GraphQLContext, 'requestId' | 'principal' | 'log'>) => GraphQLContext;
  readonly readiness: () => Promise<ReadinessReport>;
  /** Served at GET /metrics (Prometheus text); without it /metrics is not found. */
  readonly metrics?: { readonly contentType: string; render(): Promise<string> };
  /** Traces each /graphql request (continuing the caller's `traceparent`); untraced without one. */
  readonly tracer?: Tracer;
  /** The read-only FHIR R4 API under /fhir, and the base URL its links use; not found without it. */
  readonly fhir?: { readonly handle: (request: FhirRequest) => Promise<FhirResponse>; readonly base: () => string };
  /** The built web console (`dist/console`), served at /console; not served without it. */
  readonly consoleDir?: string;
  /** Serve the console's offline GraphiQL to browsers that open /graphql (development). */
  readonly ide?: boolean;
  /** The console's persona sign-in (development only). */
  readonly devSignIn?: DevSignIn;
  /** What the console's production sign-in offers: each organisation's OpenID Connect issuer. */
  readonly signIn?: ConsoleSignIn;
  /** Origins allowed to call /graphql from a browser (CORS); none by default. */
  readonly corsOrigins?: readonly string[];
}

/** An organisation whose staff or patients sign in to the console with OpenID Connect. */
export interface ConsoleIssuer {
  readonly organisationId: string;
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
}

export interface ConsoleSignIn {
  readonly issuers: readonly ConsoleIssuer[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Node's HTTP server in front of Apollo: body limit, batch limit, authentication, health routes. */
export function createHttpServer(options: Readonly<HttpServerOptions>): http.Server {
  const cors = new Set(options.corsOrigins ?? []);
  return http.createServer((req, res) => {
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    res.setHeader('x-request-id', requestId);
    const log = options.logger.child({ requestId });
    if (req.url?.startsWith('/graphql') === true && applyCors(cors, req, res)) return;
    route(options, req, res, requestId, log).catch((err: unknown) => {
      if (err instanceof HttpError) {
        for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
        sendJson(res, err.status, {
          errors: [{ message: err.message, extensions: { ...err.extensions, code: err.code, requestId } }],
        });
        return;
      }
      log.error({ err }, 'request failed');
      if (!res.headersSent) {
        sendJson(res, 500, {
          errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }],
        });
      } else res.destroy();
    });
  });
}

async function route(
  o: Readonly<HttpServerOptions>,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  log: Logger,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (await prefixRoute(o, req, res, url, requestId, log)) return;
  switch (url.pathname) {
    case '/healthz':
      sendJson(res, 200, { status: 'ok' });
      return;
    case '/readyz': {
      const report = await o.readiness();
      sendJson(res, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', checks: report.checks });
      return;
    }
    case '/metrics':
      if (o.metrics === undefined) break;
      await metrics(o.metrics, req, res);
      return;
    case '/graphql': {
      if (await serveIde(o, req, res, url)) return;
      const serve = (): Promise<void> => graphql(o, req, res, url, requestId, log);
      await (o.tracer ? inRequestSpan(o.tracer, '/graphql', req, res, serve) : serve());
      return;
    }
  }
  throw new HttpError(
    404,
    'NOT_FOUND',
    `Not found. The GraphQL endpoint is /graphql${o.fhir ? ', the FHIR API /fhir' : ''}.`,
  );
}

/** The routes under a prefix, /console and /fhir: true when one answered. */
async function prefixRoute(
  o: Readonly<HttpServerOptions>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requestId: string,
  log: Logger,
): Promise<boolean> {
  const under = (prefix: string): boolean => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`);
  if (under('/console')) {
    await consoleRoute(o, req, res, url);
    return true;
  }
  if (o.fhir && under('/fhir')) {
    const fhirApi = o.fhir;
    const serve = (): Promise<void> => fhir(o, fhirApi, req, res, url, requestId, log);
    await (o.tracer ? inRequestSpan(o.tracer, '/fhir', req, res, serve) : serve());
    return true;
  }
  return false;
}

/** The console's sign-in API, then its files; the IDE's files only where the IDE is served. */
async function consoleRoute(
  o: Readonly<HttpServerOptions>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (url.pathname === '/console') {
    res.statusCode = 308;
    res.setHeader('location', '/console/');
    res.end();
    return;
  }
  const relative = url.pathname.slice('/console/'.length);
  if (relative.startsWith('api/')) {
    await consoleApi(o, req, res, relative.slice('api/'.length));
    return;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const ideFile = relative === 'ide' || relative.startsWith('ide/');
  const readable = (method === 'GET' || method === 'HEAD') && !(ideFile && o.ide !== true);
  const issuers = o.signIn?.issuers.map((i) => new URL(i.issuer).origin) ?? [];
  if (readable && o.consoleDir !== undefined && (await serveStatic(o.consoleDir, relative, req, res, issuers))) return;
  throw new HttpError(404, 'NOT_FOUND', 'Not found.');
}

async function consoleApi(
  o: Readonly<HttpServerOptions>,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
): Promise<void> {
  await limitRate(o, 'address', req.socket.remoteAddress ?? 'unknown');
  const answer = await serveConsoleApi(name, req, {
    mode: o.devSignIn ? 'development' : 'production',
    devSignIn: o.devSignIn,
    issuers: o.signIn?.issuers ?? [],
  });
  if (answer.status >= 400) {
    throw new HttpError(answer.status, answer.status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', answer.message ?? '');
  }
  res.setHeader('cache-control', 'no-store');
  sendJson(res, answer.status, answer.body);
}

/** Development: the bundled GraphiQL for a browser that opens /graphql. */
async function serveIde(
  o: Readonly<HttpServerOptions>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  if (o.ide !== true || o.consoleDir === undefined || !wantsIde(req, url)) return false;
  return serveStatic(o.consoleDir, 'ide/index.html', req, res);
}

/** A browser navigating to /graphql (not a GraphQL GET request, which names a query). */
function wantsIde(req: IncomingMessage, url: URL): boolean {
  const method = (req.method ?? 'GET').toUpperCase();
  const accept = req.headers.accept ?? '';
  return (method === 'GET' || method === 'HEAD') && !url.searchParams.has('query') && accept.includes('text/html');
}

async function metrics(
  source: NonNullable<HttpServerOptions['metrics']>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    throw new HttpError(405, 'BAD_REQUEST', 'Use GET on /metrics.');
  }
  const text = await source.render();
  res.statusCode = 200;
  res.setHeader('content-type', source.contentType);
  res.setHeader('cache-control', 'no-store');
  res.end(method === 'HEAD' ? undefined : text);
}

function bodyLimit(o: Readonly<HttpServerOptions>, principal: Principal | null): number {
  return principal && hasRole(principal, 'integration') ? (o.maxImportBytes ?? o.maxBodyBytes) : o.maxBodyBytes;
}

async function graphql(
  o: Readonly<HttpServerOptions>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requestId: string,
  log: Logger,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw new HttpError(405, 'BAD_REQUEST', 'Use GET or POST on /graphql.');
  // Authenticated first: an integration user's bundles may be larger than anyone else's requests.
  const principal = await admit(o, req);
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const body =
    method === 'POST' ? await readJson(req, bodyLimit(o, principal), headers.get('content-type')) : undefined;
  checkShape(o, body, url);
  // The tracing plugin names this span after the operation once it has parsed.
  const response = await traced('graphql', {}, () =>
    o.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: url.search, body },
      context: () =>
        Promise.resolve(
          o.context({ requestId, principal, log: principal ? log.child({ org: principal.organisationId }) : log }),
        ),
    }),
  );
  for (const [key, value] of response.headers) res.setHeader(key, value);
  // Answers are per requester and purpose: no shared or browser cache may keep one.
  res.setHeader('cache-control', 'no-store');
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * A FHIR request: rate-limited and authenticated as GraphQL's are, answered as FHIR
 * (OperationOutcome for every error, the HTTP layer's included).
 */
async function fhir(
  o: Readonly<HttpServerOptions>,
  api: NonNullable<HttpServerOptions['fhir']>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requestId: string,
  log: Logger,
): Promise<void> {
  let response: FhirResponse;
  try {
    const principal = await admit(o, req);
    response = await api.handle({
      method: req.method ?? 'GET',
      url,
      headers: req.headers,
      principal,
      base: api.base(),
    });
  } catch (err) {
    if (!(err instanceof HttpError)) {
      log.error({ err }, 'FHIR request failed');
      response = fhirError('INTERNAL_SERVER_ERROR', `Internal server error (request ${requestId}).`);
    } else response = fhirError(err.code, err.message, {}, err.headers);
  }
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  res.statusCode = response.status;
  res.setHeader('content-type', FHIR_CONTENT_TYPE);
  res.setHeader('cache-control', 'no-store');
  if ((req.method ?? 'GET').toUpperCase() === 'HEAD') {
    res.end();
    return;
  }
  if (response.stream === undefined) {
    res.end(JSON.stringify(response.body));
    return;
  }
  try {
    for await (const chunk of response.stream) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } catch (err) {
    // Headers are out: a half-written answer must not look complete.
    log.error({ err }, 'FHIR answer failed while streaming');
    res.destroy();
  }
}

/** Refuses an oversized batch, and any operation over the token or nesting limits, before Apollo parses it. */
function checkShape(o: Readonly<HttpServerOptions>, body: unknown, url: URL): void {
  if (Array.isArray(body) && body.length > o.maxBatch) {
    throw new HttpError(
      400,
      'BAD_REQUEST',
      `A batch may hold at most ${o.maxBatch} operations; this one has ${body.length}.`,
    );
  }
  const violation = checkRequestLimits(body, url.searchParams, o.documentLimits);
  if (violation !== null) throw new HttpError(400, violation.code, violation.message);
}

/**
 * Who is asking, the same for every front door: the client address counted, the bearer token
 * verified (null without one), then the user counted.
 */
async function admit(o: Readonly<HttpServerOptions>, req: IncomingMessage): Promise<Principal | null> {
  await limitRate(o, 'address', req.socket.remoteAddress ?? 'unknown');
  const principal = await authenticate(o, req.headers.authorization);
  if (principal) await limitRate(o, 'principal', `${principal.organisationId}/${principal.subject}`);
  return principal;
}

/** Refuses a request over its client's limit with 429 and `Retry-After`. */
async function limitRate(o: Readonly<HttpServerOptions>, kind: RateLimitKind, client: string): Promise<void> {
  const decision = (await o.rateLimit?.(kind, client)) ?? { allowed: true };
  if (decision.allowed) return;
  const seconds = decision.retryAfterSeconds;
  throw new HttpError(
    429,
    'RATE_LIMITED',
    `Too many requests from this ${kind === 'address' ? 'address' : 'user'}; retry in ${seconds} s.`,
    { 'retry-after': String(seconds) },
    { retryAfterSeconds: seconds },
  );
}

async function authenticate(
  o: Readonly<HttpServerOptions>,
  authorization: string | undefined,
): Promise<Principal | null> {
  if (authorization === undefined || authorization === '') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match?.[1]) {
    // Another scheme is no bearer token at all; a Bearer header without a single token is a bad one.
    const challenge = /^Bearer\b/i.test(authorization) ? bearerChallenge('invalid_token') : bearerChallenge();
    throw new HttpError(401, 'UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>".', {
      'www-authenticate': challenge,
    });
  }
  try {
    return await o.authenticate(match[1]);
  } catch (err) {
    if (err instanceof MeridianError) {
      throw new HttpError(401, err.code, err.message, { 'www-authenticate': bearerChallenge('invalid_token') });
    }
    throw err;
  }
}

async function readJson(req: IncomingMessage, limit: number, contentType: string | undefined): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!contentType?.toLowerCase().startsWith('application/json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'The request body is not valid JSON.');
  }
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'BAD_REQUEST', `The request body is larger than ${limit} bytes.`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
