import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { RecordService } from './access/record-service.js';
import { scheduleAuditAnchoring } from './access/audit-anchor-schedule.js';
import { AccessDecider } from './access/access-decider.js';
import { DEFAULT_AUDIT_BATCH_SIZE, anchorAuditBatch, type AnchoredAuditBatch } from './access/audit-anchoring.js';
import { DisclosureVerifier } from './access/disclosure-verifier.js';
import { PolicySimulator } from './access/policy-simulation.js';
import { AuditService } from './access/audit-service.js';
import { ConsentService } from './access/consent-service.js';
import { RecordAnchorer } from './access/record-anchoring.js';
import { importServices } from './access/records/import-services.js';
import { RecordVerifier } from './access/record-verifier.js';
import { PolicyService } from './access/policy-service.js';
import { loadShippedPolicies } from './access/shipped-policies.js';
import { LedgerClient } from './ledger/ledger-client.js';
import { ensureDevKeys } from './auth/dev-keys.js';
import { loadOrganisationDirectory, type OrganisationEntry } from './auth/organisation-directory.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { demoOrganisations } from './demo/organisations.js';
import { seedDemo } from './demo/seed.js';
import { openCache, type GatewayCache } from './cache/open-cache.js';
import { createApollo } from './graphql/apollo.js';
import { buildMeridianSchema } from './graphql/schema.js';
import { withDeadline } from './access/deadline.js';
import type { Ledger, LedgerActor } from './ledger/ledger.js';
import { openLedger } from './ledger/open-ledger.js';
import { InstrumentedLedger } from './ledger/instrumented-ledger.js';
import { metricsPlugin } from './graphql/metrics-plugin.js';
import { Metrics } from './server/metrics.js';
import { createHttpServer, type ReadinessReport } from './server/http-server.js';
import { createLogger } from './server/logger.js';
import type { ControlPlane } from './stores/control-plane.js';
import { lockDataDir } from './stores/data-dir-lock.js';
import { openStores, type Stores } from './stores/open-stores.js';

export interface Gateway {
  readonly url: string;
  readonly port: number;
  readonly stores: Stores;
  /** The shared ledger: Fabric when configured, else the embedded one in the data folder. */
  readonly ledger: Ledger;
  close(): Promise<void>;
}

/** Who the gateway anchors audit batches as. */
const GATEWAY_ACTOR: LedgerActor = { user: 'meridian-gateway', role: 'gateway' };

/** Activates the shipped policies where a jurisdiction has none yet (first start), and says what it did. */
async function bootstrapPolicies(policies: PolicyService, logger: Logger): Promise<void> {
  for (const outcome of await policies.bootstrap(await loadShippedPolicies())) {
    if (outcome.action === 'skipped') logger.warn(outcome, 'shipped policy not activated');
    else if (outcome.action !== 'present') logger.info(outcome, `shipped policy ${outcome.action}`);
  }
}

/** Organisations and their token keys: from MERIDIAN_ORG_KEYS_FILE, or generated dev keys for the demo hospitals. */
async function organisationDirectory(config: Config, control: ControlPlane): Promise<OrganisationEntry[]> {
  let entries: OrganisationEntry[];
  if (config.orgKeysFile !== undefined) {
    entries = await loadOrganisationDirectory(config.orgKeysFile);
  } else {
    const orgs = demoOrganisations(config.regions);
    const keys = await ensureDevKeys(
      config.dataDir,
      orgs.map((o) => o.id),
    );
    entries = orgs.map((o) => {
      const pair = keys[o.id];
      return { ...o, keys: pair ? [pair.publicJwk] : [] };
    });
  }
  await control.upsertOrganisations(entries.map(({ id, name, jurisdiction }) => ({ id, name, jurisdiction })));
  return entries;
}

function readiness(stores: Stores, timeoutMs: number): () => Promise<ReadinessReport> {
  return async () => {
    const targets: [string, () => Promise<void>][] = [
      ['control', () => stores.control.ping()],
      ...[...stores.stores].map(([region, store]): [string, () => Promise<void>] => [
        `region:${region}`,
        () => store.ping(),
      ]),
    ];
    const results = await Promise.allSettled(targets.map(([name, ping]) => withDeadline(name, timeoutMs, ping())));
    const checks = Object.fromEntries(
      targets.map(([name], i) => [name, results[i]?.status === 'fulfilled' ? 'ok' : 'unavailable']),
    );
    // One region down still leaves a useful gateway (partial answers); no control plane or no region does not.
    const ready =
      checks.control === 'ok' && targets.some(([name]) => name.startsWith('region:') && checks[name] === 'ok');
    return { ready, checks };
  };
}

export interface StartOptions {
  /**
   * A ledger opened by the caller, shared with other gateways in this process (tests and
   * benchmarks of several gateways on one embedded ledger); the caller closes it.
   */
  readonly ledger?: Ledger;
}

/** Wires and starts Meridian: stores, demo data on first start, auth, GraphQL, HTTP. */
export async function startGateway(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
  options: StartOptions = {},
): Promise<Gateway> {
  const ownsLedger = options.ledger === undefined;
  const embedded = config.controlDatabase.kind === 'pglite';
  const unlock = embedded ? await lockDataDir(config.dataDir, 'the gateway') : (): Promise<void> => Promise.resolve();
  const stores = await openStores(config).catch(async (err: unknown) => {
    await unlock();
    throw err;
  });
  let ledger: Ledger | undefined;
  let cached: GatewayCache | null = null;
  try {
    ledger = options.ledger ?? (await openLedger(config));
    const organisations = await organisationDirectory(config, stores.control);
    // One registry per gateway: tests and benchmarks run several gateways in one process.
    const metrics = new Metrics({ regions: config.regions.map((r) => r.id) });
    const ledgerClient = new LedgerClient(new InstrumentedLedger(ledger, metrics));
    if (config.seedDemo && (await stores.control.patients(1)).length === 0) {
      logger.info({ patients: config.demoPatients }, 'seeding demo data (first start)');
      await seedDemo({
        stores: stores.stores,
        control: stores.control,
        regions: config.regions,
        patients: config.demoPatients,
        anchor: new RecordAnchorer({ stores: stores.anchors, ledger: ledgerClient }),
      });
    }
    const policies = new PolicyService({ policies: stores.control.policies, ledger: ledgerClient });
    await bootstrapPolicies(policies, logger);
    const names = new Map(organisations.map((o) => [o.id, o.name]));
    const audit = new AuditService({
      log: stores.control.auditLog,
      maxPageSize: config.limits.maxPageSize,
      onDecision: (outcome, breakGlass) => {
        metrics.decision(outcome, breakGlass);
      },
    });
    const consents = new ConsentService({ consents: stores.control.consents, ledger: ledgerClient });
    cached =
      config.cache.ttlMs > 0
        ? await openCache({
            config,
            ledger,
            client: ledgerClient,
            actor: GATEWAY_ACTOR,
            logger,
            onLookup: (kind, result) => {
              metrics.cacheLookup(kind, result);
            },
          })
        : null;
    const caching = cached ? { cache: cached.cache, epochs: cached.epochs } : {};
    const alert = (subject: string, message: string): void => {
      logger.error(
        { alert: 'integrity_violation', subject, problem: message },
        'stored data disagrees with the ledger',
      );
    };
    const jurisdictions = new Map(config.regions.map((r) => [r.id, r.jurisdiction]));
    const decider = new AccessDecider({
      policies,
      consents,
      jurisdictions,
      labelsIn: async (location) =>
        (await stores.stores.get(location.region)?.sensitivityLabels(location.localIds ?? location.localId)) ?? [],
      onIntegrityViolation: (problems) => {
        for (const p of problems) alert(p.subject, p.message);
      },
      ...caching,
    });
    const records = new RecordService({
      audit,
      decider,
      integrity: new RecordVerifier({ stores: stores.anchors, ledger: ledgerClient }),
      ...(cached ? { cache: cached.cache } : {}),
      control: stores.control,
      stores: stores.stores,
      regionTimeoutMs: config.regionTimeoutMs,
      maxPageSize: config.limits.maxPageSize,
      onRegionError: (region, err) => {
        metrics.regionError(region);
        logger.warn({ region, err: err instanceof Error ? err.message : String(err) }, 'region unavailable');
      },
      onIntegrityViolation: (region, message) => {
        alert(`region ${region}`, message);
      },
    });
    const anchorAudit = (): Promise<AnchoredAuditBatch | null> =>
      anchorAuditBatch(stores.control.auditLog, ledgerClient, GATEWAY_ACTOR);
    const simulator = new PolicySimulator({
      policies,
      draftOf: (principal, jurisdiction, version) => policies.anchoredVersion(principal, jurisdiction, version),
      auditLog: stores.control.auditLog,
      consents,
      jurisdictions,
      maxReplay: 5000,
    });
    const disclosures = new DisclosureVerifier({
      auditLog: stores.control.auditLog,
      ledger: ledgerClient,
      actor: GATEWAY_ACTOR,
      anchorPending: anchorAudit,
    });
    const verifier = new TokenVerifier({ organisations, audience: config.tokenAudience });
    const apollo = createApollo(await buildMeridianSchema(), config, [metricsPlugin(metrics)]);
    await apollo.start();
    const server = createHttpServer({
      apollo,
      logger,
      maxBodyBytes: config.limits.maxBodyBytes,
      maxImportBytes: config.limits.maxImportBytes,
      maxBatch: config.limits.maxBatch,
      authenticate: (token) => verifier.verify(token),
      context: (base) => ({
        ...base,
        services: {
          records,
          consents,
          audit,
          policies,
          disclosures,
          simulator,
          ...importServices(config, stores, new RecordAnchorer({ stores: stores.anchors, ledger: ledgerClient })),
          organisationName: (id) => names.get(id) ?? null,
        },
        partialFailures: [],
      }),
      readiness: readiness(stores, config.regionTimeoutMs),
      metrics,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, resolve);
    });
    const port = (server.address() as AddressInfo).port;
    await cached?.start(port);
    const url = `http://${config.host}:${port}/graphql`;
    logger.info(
      { url, mode: config.mode, regions: config.regions.map((r) => r.id), embedded },
      'meridian gateway listening',
    );
    const anchoring = scheduleAuditAnchoring({
      intervalMs: config.auditAnchorIntervalMs,
      batchSize: DEFAULT_AUDIT_BATCH_SIZE,
      anchorBatch: anchorAudit,
      onBatch: (b) => {
        logger.info({ batchId: b.batchId, count: b.count, txId: b.txId }, 'audit batch anchored');
      },
      onError: (err) => {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'audit anchoring failed; will retry');
      },
    });
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      stores,
      ledger,
      close: () =>
        (closing ??= (async () => {
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
          logger.debug('graphql stopped');
          // No request can add events now: anchor the last ones while the ledger is still open.
          await anchoring.stop();
          await cached?.close();
          await stores.close();
          if (ownsLedger) await ledger?.close();
          logger.debug('databases and ledger closed');
          await unlock();
          logger.info('meridian gateway stopped');
        })()),
    };
  } catch (err) {
    await stores.close();
    await cached?.close();
    if (ownsLedger) await ledger?.close();
    await unlock();
    throw err;
  }
}

/** `npm start` / `meridian serve`: start, and stop gracefully on SIGINT/SIGTERM. */
export async function runGateway(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const gateway = await startGateway(config, logger);
  let stopping = false;
  // npm forwards the terminal's signal to the gateway too: only the first one counts.
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runGateway().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
