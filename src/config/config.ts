import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_TRUSTED_SYSTEMS } from '../fhir/patient-identifiers.js';
import { trustedIdentifiersSchema } from './trusted-identifiers.js';
import { fabricConfig, fabricEnvShape, type FabricConfig } from './fabric-config.js';
import { protectionConfig, protectionEnvShape, type ProtectionConfig } from './protection-config.js';
import { parseRedisTopology, type RedisTopology } from './redis-topology.js';
import { DEFAULT_REGIONS, regionListSchema, regionUrlVariable, type RegionConfig } from './regions.js';

export type { FabricConfig } from './fabric-config.js';
export type { ProtectionConfig, RateLimitConfig, RedisCallConfig } from './protection-config.js';

export type Mode = 'development' | 'production' | 'test';

/** Where a database lives: a PostgreSQL server, or PGlite in a folder (embedded). */
export type DatabaseLocation =
  { readonly kind: 'postgres'; readonly url: string } | { readonly kind: 'pglite'; readonly dir: string };

export interface Config {
  readonly mode: Mode;
  readonly host: string;
  readonly port: number;
  /** Where clients reach the gateway (links in FHIR answers); default http://<host>:<port>. */
  readonly publicUrl?: string;
  readonly dataDir: string;
  readonly logLevel: string;
  readonly regions: readonly RegionConfig[];
  /** Database per region id. */
  readonly regionDatabases: Readonly<Record<string, DatabaseLocation>>;
  readonly controlDatabase: DatabaseLocation;
  /**
   * Per-region read deadline, measured from the moment the read has a connection to the region:
   * time spent waiting inside the gateway for one is bounded by `database.connectTimeoutMs`.
   */
  readonly regionTimeoutMs: number;
  /** Every database's connection pool: the control plane's and each region's. */
  readonly database: Readonly<{
    /** Most connections the gateway holds to one PostgreSQL database (PGlite serves one). */
    poolSize: number;
    /** How long a query may wait for a pooled connection (a free one, or a new one opened) before it fails. */
    connectTimeoutMs: number;
  }>;
  /** JSON file of organisation id → public JWK(s); absent in development means generated dev keys. */
  readonly orgKeysFile: string | undefined;
  readonly tokenAudience: string;
  readonly seedDemo: boolean;
  readonly demoPatients: number;
  readonly limits: Readonly<{
    maxDepth: number;
    maxCost: number;
    maxAliases: number;
    maxBatch: number;
    maxBodyBytes: number;
    /** Body limit for integration users, whose importBundle carries whole FHIR bundles. */
    maxImportBytes: number;
    maxPageSize: number;
    /** Lexical tokens in one operation's document, counted before it is parsed. */
    maxTokens: number;
    /** Brackets, braces and parentheses open at once in a document, and nesting of variable values. */
    maxNesting: number;
  }>;
  /**
   * The verified-lookup cache: Redis when `redisUrl` is set, else in-process; `ttlMs` 0
   * turns it off. `key` (base64, 32 bytes) encrypts cached content; without one a key is
   * generated in the data folder (development and test only).
   */
  readonly cache: {
    readonly redisUrl: string | undefined;
    /** Which Redis `redisUrl` names: one server, a Cluster or a Sentinel-managed master. */
    readonly redis: RedisTopology | undefined;
    readonly ttlMs: number;
    /** Bytes of decoded entries each gateway keeps in its own memory in front of the store; 0: none. */
    readonly decodedBytes: number;
    readonly prefix: string;
    readonly key: string | undefined;
  };
  /** The Fabric peer to anchor on (MERIDIAN_FABRIC_*); undefined: the embedded ledger. */
  readonly fabric: FabricConfig | undefined;
  /** How often new audit events are anchored on the ledger as a batch (and once more at shutdown). */
  readonly auditAnchorIntervalMs: number;
  /** Rate limits, bounds on Redis calls, token clock skew. */
  readonly protection: ProtectionConfig;
  /**
   * Key of the pseudonyms in de-identified answers (and their sealed cursors), 32 bytes. A
   * fixed development key unless MERIDIAN_PSEUDONYM_KEY is set; required in production.
   */
  readonly pseudonymKey: Buffer;
  /** Identifier systems trusted per jurisdiction to match patients (MERIDIAN_TRUSTED_IDENTIFIERS), over the defaults. */
  readonly trustedIdentifiers: Readonly<Record<string, readonly string[]>>;
  /**
   * Browser origins (`https://app.example.org`) whose scripts may call /graphql from another
   * origin (MERIDIAN_CORS_ORIGINS, comma-separated); empty: none. The console at /console is
   * same-origin and needs none.
   */
  readonly corsOrigins: readonly string[];
  /** Webhook deliveries of the patients' notifications. */
  readonly notifications: Readonly<{
    /** Also http:// and loopback or private addresses (development and tests); else https:// to public addresses only. */
    allowLocalWebhooks: boolean;
    /** The first retry's step; each next one doubles, up to six hours. */
    retryBaseMs: number;
    /** Attempts before a delivery is given up on. */
    maxAttempts: number;
    /** How long one delivery may take before it counts as failed. */
    timeoutMs: number;
    /** How often each gateway looks for deliveries that are due. */
    pollMs: number;
  }>;
  /** OpenTelemetry: spans go to `otlpEndpoint` (OTLP/HTTP) when it is set; nothing is traced otherwise. */
  readonly tracing: Readonly<{ otlpEndpoint: string | undefined; serviceName: string }>;
}

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
  .refine((u) => URL.canParse(u), 'is not a valid URL');

// eslint-disable-next-line @typescript-eslint/explicit-function-return-type -- zod's inferred type is the point
const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(4000, 0, 65535),
  MERIDIAN_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'MERIDIAN_PUBLIC_URL must be an http(s) URL' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  MERIDIAN_DATA_DIR: z.string().min(1).default('./.meridian'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MERIDIAN_REGIONS: regionListSchema.default(regionListSchema.parse(DEFAULT_REGIONS)),
  MERIDIAN_CONTROL_URL: postgresUrl.optional(),
  MERIDIAN_REGION_TIMEOUT_MS: int(2000, 50, 60000),
  MERIDIAN_DB_POOL_SIZE: int(10, 1, 1000),
  MERIDIAN_DB_CONNECT_TIMEOUT_MS: int(10_000, 100, 600_000),
  MERIDIAN_ORG_KEYS_FILE: z.string().min(1).optional(),
  MERIDIAN_TOKEN_AUDIENCE: z.string().min(1).default('meridian-gateway'),
  MERIDIAN_SEED_DEMO: z.enum(['true', 'false']).optional(),
  MERIDIAN_DEMO_PATIENTS: int(60, 1, 1_000_000),
  MERIDIAN_MAX_QUERY_DEPTH: int(8, 2, 50),
  MERIDIAN_MAX_QUERY_COST: int(20_000, 100, 1_000_000),
  MERIDIAN_MAX_ALIASES: int(15, 1, 1000),
  MERIDIAN_MAX_BATCH: int(5, 1, 100),
  MERIDIAN_MAX_BODY_BYTES: int(100_000, 1000, 10_000_000),
  MERIDIAN_MAX_IMPORT_BYTES: int(20_000_000, 1000, 200_000_000),
  MERIDIAN_MAX_PAGE_SIZE: int(100, 1, 1000),
  MERIDIAN_MAX_TOKENS: int(2000, 100, 1_000_000),
  MERIDIAN_MAX_NESTING: int(32, 8, 1000),
  MERIDIAN_AUDIT_ANCHOR_INTERVAL_MS: int(30_000, 100, 86_400_000),
  MERIDIAN_TRUSTED_IDENTIFIERS: trustedIdentifiersSchema.default({}),
  MERIDIAN_WEBHOOK_ALLOW_LOCAL: z.enum(['true', 'false']).optional(),
  MERIDIAN_WEBHOOK_RETRY_BASE_MS: int(10_000, 10, 3_600_000),
  MERIDIAN_WEBHOOK_MAX_ATTEMPTS: int(12, 1, 100),
  MERIDIAN_WEBHOOK_TIMEOUT_MS: int(10_000, 100, 120_000),
  MERIDIAN_WEBHOOK_POLL_MS: int(1000, 20, 60_000),
  MERIDIAN_REDIS_URL: z
    .string()
    .transform((url, ctx) => {
      try {
        return { url, topology: parseRedisTopology(url) };
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  MERIDIAN_CACHE_TTL_MS: int(60_000, 0, 86_400_000),
  MERIDIAN_CACHE_DECODED_MB: int(64, 0, 65_536),
  MERIDIAN_CACHE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, "1-64 letters, digits, ':', '_' or '-'")
    .default('meridian'),
  MERIDIAN_CACHE_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64 (openssl rand -base64 32)')
    .optional(),
  MERIDIAN_PSEUDONYM_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64 (openssl rand -base64 32)')
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .refine((u) => /^https?:\/\//.test(u) && URL.canParse(u), 'must be an http:// or https:// URL')
    .optional(),
  MERIDIAN_CORS_ORIGINS: z
    .string()
    .transform((list, ctx) => {
      const origins = list
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== '');
      for (const origin of origins) {
        if (!isOrigin(origin)) {
          ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin such as https://app.example.org` });
        }
      }
      return origins;
    })
    .default([]),
  OTEL_SERVICE_NAME: z.string().min(1).max(100).default('meridian-gateway'),
  ...fabricEnvShape,
  ...protectionEnvShape,
});

/** `scheme://host[:port]` exactly as a browser sends it in `Origin`: no path, query or trailing slash. */
function isOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
}

/** Raised at start when the environment is invalid; lists every bad variable. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = z.infer<typeof envSchema>;

/** Region URLs from MERIDIAN_REGION_<ID>_URL, and what is wrong with them. */
function regionUrls(e: Env, clean: Readonly<Record<string, string>>, problems: string[]): Map<string, string> {
  const urls = new Map<string, string>();
  for (const region of e.MERIDIAN_REGIONS) {
    const name = regionUrlVariable(region.id);
    const raw = clean[name];
    if (raw === undefined) continue;
    const url = postgresUrl.safeParse(raw);
    if (url.success) urls.set(region.id, url.data);
    else problems.push(`${name}: ${url.error.issues.map((i) => i.message).join('; ')}`);
  }
  const known = new Set(e.MERIDIAN_REGIONS.map((r) => regionUrlVariable(r.id)));
  for (const name of Object.keys(clean)) {
    const m = /^MERIDIAN_REGION_([A-Z0-9_]+)_URL$/.exec(name);
    if (m?.[1] !== undefined && !known.has(name)) {
      problems.push(`${name}: no region ${m[1].toLowerCase().replaceAll('_', '-')} in MERIDIAN_REGIONS`);
    }
  }
  return urls;
}

/** Either every database is on PostgreSQL or none is: a half-embedded setup is a mistake. */
function checkExternal(
  e: Env,
  clean: Readonly<Record<string, string>>,
  urls: Map<string, string>,
  problems: string[],
): boolean {
  const external = e.MERIDIAN_CONTROL_URL !== undefined || urls.size > 0;
  if (!external) return false;
  if (e.MERIDIAN_CONTROL_URL === undefined) problems.push('MERIDIAN_CONTROL_URL: required when region URLs are set');
  for (const region of e.MERIDIAN_REGIONS) {
    const name = regionUrlVariable(region.id);
    if (clean[name] === undefined) problems.push(`${name}: required when MERIDIAN_CONTROL_URL is set`);
  }
  return true;
}

/**
 * Parses and validates the environment once. The only reader of `process.env`
 * in Meridian: everything else receives the frozen result.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const clean = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
  const parsed = envSchema.safeParse(clean);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const urls = regionUrls(e, clean, problems);
  const external = checkExternal(e, clean, urls, problems);
  if (e.NODE_ENV === 'production' && e.MERIDIAN_PSEUDONYM_KEY === undefined) {
    problems.push(
      'MERIDIAN_PSEUDONYM_KEY: required in production: de-identified answers are pseudonymous under it, the same on every gateway',
    );
  }
  if (e.NODE_ENV === 'production' && e.MERIDIAN_ORG_KEYS_FILE === undefined) {
    problems.push('MERIDIAN_ORG_KEYS_FILE: required in production (development mode generates keys)');
  }
  if (e.NODE_ENV === 'production' && e.MERIDIAN_REDIS_URL !== undefined && e.MERIDIAN_CACHE_KEY === undefined) {
    problems.push(
      'MERIDIAN_CACHE_KEY: required in production with MERIDIAN_REDIS_URL (development mode generates one)',
    );
  }
  const fabric = fabricConfig(e, clean, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return build(e, urls, external, fabric);
}

function build(e: Env, urls: Map<string, string>, external: boolean, fabric: FabricConfig | undefined): Config {
  const dataDir = path.resolve(e.MERIDIAN_DATA_DIR);
  const regionDatabases: Record<string, DatabaseLocation> = {};
  for (const region of e.MERIDIAN_REGIONS) {
    const url = urls.get(region.id);
    regionDatabases[region.id] =
      url !== undefined ? { kind: 'postgres', url } : { kind: 'pglite', dir: path.join(dataDir, 'regions', region.id) };
  }
  const config: Config = {
    mode: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    ...(e.MERIDIAN_PUBLIC_URL !== undefined ? { publicUrl: e.MERIDIAN_PUBLIC_URL } : {}),
    dataDir,
    logLevel: e.LOG_LEVEL,
    regions: Object.freeze(e.MERIDIAN_REGIONS.map((r) => Object.freeze(r))),
    regionDatabases: Object.freeze(regionDatabases),
    controlDatabase:
      e.MERIDIAN_CONTROL_URL !== undefined
        ? { kind: 'postgres', url: e.MERIDIAN_CONTROL_URL }
        : { kind: 'pglite', dir: path.join(dataDir, 'control') },
    regionTimeoutMs: e.MERIDIAN_REGION_TIMEOUT_MS,
    database: Object.freeze({
      poolSize: e.MERIDIAN_DB_POOL_SIZE,
      connectTimeoutMs: e.MERIDIAN_DB_CONNECT_TIMEOUT_MS,
    }),
    orgKeysFile: e.MERIDIAN_ORG_KEYS_FILE,
    tokenAudience: e.MERIDIAN_TOKEN_AUDIENCE,
    seedDemo: e.MERIDIAN_SEED_DEMO !== undefined ? e.MERIDIAN_SEED_DEMO === 'true' : !external,
    demoPatients: e.MERIDIAN_DEMO_PATIENTS,
    limits: Object.freeze({
      maxDepth: e.MERIDIAN_MAX_QUERY_DEPTH,
      maxCost: e.MERIDIAN_MAX_QUERY_COST,
      maxAliases: e.MERIDIAN_MAX_ALIASES,
      maxBatch: e.MERIDIAN_MAX_BATCH,
      maxBodyBytes: e.MERIDIAN_MAX_BODY_BYTES,
      maxImportBytes: e.MERIDIAN_MAX_IMPORT_BYTES,
      maxPageSize: e.MERIDIAN_MAX_PAGE_SIZE,
      maxTokens: e.MERIDIAN_MAX_TOKENS,
      maxNesting: e.MERIDIAN_MAX_NESTING,
    }),
    fabric,
    auditAnchorIntervalMs: e.MERIDIAN_AUDIT_ANCHOR_INTERVAL_MS,
    protection: protectionConfig(e),
    pseudonymKey:
      e.MERIDIAN_PSEUDONYM_KEY === undefined
        ? createHash('sha256').update('meridian development pseudonyms').digest()
        : Buffer.from(e.MERIDIAN_PSEUDONYM_KEY, 'base64'),
    trustedIdentifiers: Object.freeze({ ...DEFAULT_TRUSTED_SYSTEMS, ...e.MERIDIAN_TRUSTED_IDENTIFIERS }),
    corsOrigins: Object.freeze([...e.MERIDIAN_CORS_ORIGINS]),
    notifications: Object.freeze({
      // Unset: only the embedded development gateway delivers to this machine (`npm start`'s demo).
      allowLocalWebhooks:
        e.MERIDIAN_WEBHOOK_ALLOW_LOCAL === undefined
          ? !external && e.NODE_ENV !== 'production'
          : e.MERIDIAN_WEBHOOK_ALLOW_LOCAL === 'true',
      retryBaseMs: e.MERIDIAN_WEBHOOK_RETRY_BASE_MS,
      maxAttempts: e.MERIDIAN_WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: e.MERIDIAN_WEBHOOK_TIMEOUT_MS,
      pollMs: e.MERIDIAN_WEBHOOK_POLL_MS,
    }),
    tracing: Object.freeze({ otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME }),
    cache: Object.freeze({
      redisUrl: e.MERIDIAN_REDIS_URL?.url,
      redis: e.MERIDIAN_REDIS_URL?.topology,
      ttlMs: e.MERIDIAN_CACHE_TTL_MS,
      decodedBytes: e.MERIDIAN_CACHE_DECODED_MB * 1024 * 1024,
      prefix: e.MERIDIAN_CACHE_PREFIX,
      key: e.MERIDIAN_CACHE_KEY,
    }),
  };
  return Object.freeze(config);
}
