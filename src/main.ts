import 'reflect-metadata';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import { GATEWAY_ACTOR, openAccess, startAuditAnchoring, startWebhookDelivery } from './access/open-access.js';
import type { WebhookDispatcher } from './access/notify/webhook-dispatcher.js';
import type { AuditAnchorSchedule } from './access/audit/audit-anchor-schedule.js';
import { openOrganisations } from './auth/open-organisations.js';
import { openCache, type GatewayCache } from './cache/open-cache.js';
import type { Config } from './config/config.js';
import { seedOnFirstStart } from './demo/seed-on-first-start.js';
import { InstrumentedLedger } from './ledger/instrumented-ledger.js';
import { LedgerClient } from './ledger/ledger-client.js';
import type { Ledger } from './ledger/ledger.js';
import { openLedger } from './ledger/open-ledger.js';
import { createLogger } from './server/logger.js';
import { Metrics, watchGateway } from './server/metrics.js';
import { openHttp, type OpenHttp } from './server/open-http.js';
import { lockDataDir } from './stores/data-dir-lock.js';
import { ControlPlaneHeadCheckpoint } from './stores/ledger-head-checkpoint.js';
import { openTracing, type Tracing } from './tracing/open-tracing.js';
import { openStores, type Stores } from './stores/open-stores.js';
import { PatientKeys } from './access/patient-keys.js';
import type { SealedBox } from './cache/sealed-box.js';

export interface Gateway {
  readonly url: string;
  readonly port: number;
  readonly stores: Stores;
  /** The shared ledger: Fabric when configured, else the embedded one in the data folder. */
  readonly ledger: Ledger;
  close(): Promise<void>;
}

export interface StartOptions {
  /**
   * A ledger opened by the caller, shared with other gateways in this process (tests and
   * benchmarks of several gateways on one embedded ledger); the caller closes it.
   */
  readonly ledger?: Ledger;
  /** Also export spans here (tests read them from an in-memory exporter). */
  readonly spanExporter?: SpanExporter;
}

/** What a started gateway holds open, each closed in the order below. */
interface Opened {
  http?: OpenHttp;
  anchoring?: AuditAnchorSchedule;
  webhooks?: WebhookDispatcher;
  cache?: GatewayCache | null;
  stores?: Stores;
  ledger?: Ledger;
  tracing?: Tracing | null;
}

/** Stops taking requests, anchors the last audit events while the ledger is open, then closes the rest. */
async function shutdown(
  opened: Opened,
  ownsLedger: boolean,
  unlock: () => Promise<void>,
  logger: Logger,
): Promise<void> {
  await opened.http?.close();
  await opened.anchoring?.stop();
  await opened.webhooks?.stop();
  await opened.cache?.close();
  await opened.stores?.close();
  if (ownsLedger) await opened.ledger?.close();
  await opened.tracing?.shutdown();
  logger.debug('databases and ledger closed');
  await unlock();
}

/** Wires and starts Meridian: stores, ledger, demo data on first start, cache, access services, HTTP. */
export async function startGateway(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
  options: StartOptions = {},
): Promise<Gateway> {
  const ownsLedger = options.ledger === undefined;
  const embedded = config.controlDatabase.kind === 'pglite';
  const unlock = embedded ? await lockDataDir(config.dataDir, 'the gateway') : (): Promise<void> => Promise.resolve();
  const opened: Opened = {};
  try {
    const tracing = (opened.tracing = openTracing(config, options.spanExporter));
    // One registry per gateway: tests and benchmarks run several gateways in one process.
    const metrics = new Metrics({ regions: config.regions.map((r) => r.id) });
    const onAuditGroupCommit = metrics.auditGroupCommit.bind(metrics);
    const stores = (opened.stores = await openStores(config, { onAuditGroupCommit }));
    const headCheckpoint = new ControlPlaneHeadCheckpoint(stores.control.chainHeads, logger);
    const ledger = (opened.ledger = options.ledger ?? (await openLedger(config, { headCheckpoint, logger })));
    const organisations = await openOrganisations(config, stores.control);
    const patientKeys = new PatientKeys(stores.control.patientKeys);
    const client = new LedgerClient(new InstrumentedLedger(ledger, metrics), patientKeys);
    await seedOnFirstStart(config, stores, client, logger);
    const onLookup = metrics.cacheLookup.bind(metrics);
    const patientBox = (id: string): Promise<SealedBox | null> => patientKeys.cacheBox(id);
    const cacheOptions = { config, ledger, client, actor: GATEWAY_ACTOR, logger, onLookup, patientBox };
    const cache = (opened.cache = config.cache.ttlMs > 0 ? await openCache(cacheOptions) : null);
    watchGateway(metrics, stores, cache);
    const organisationNames = new Map(organisations.map((o) => [o.id, o.name]));
    const access = await openAccess({
      config,
      stores,
      ledger: client,
      cache,
      metrics,
      logger,
      organisationNames,
      patientKeys,
    });
    const resumed = await access.services.erasures.resume();
    if (resumed > 0) logger.info({ erasures: resumed }, 'finished erasures a stopped gateway left pending');
    const http = (opened.http = await openHttp({
      config,
      logger,
      services: access.services,
      organisations,
      metrics,
      stores,
      patientJurisdictions: (id) => access.patientJurisdictions(id),
      cache,
      tracer: tracing?.tracer,
    }));
    await cache?.start(http.port);
    logger.info(
      { url: http.url, mode: config.mode, regions: config.regions.map((r) => r.id), embedded },
      'meridian gateway listening',
    );
    opened.anchoring = startAuditAnchoring(config, access, logger);
    opened.webhooks = startWebhookDelivery({ config, stores, organisationNames, logger, metrics });
    let closing: Promise<void> | undefined;
    return {
      url: http.url,
      port: http.port,
      stores,
      ledger,
      close: () =>
        (closing ??= shutdown(opened, ownsLedger, unlock, logger).then(() => {
          logger.info('meridian gateway stopped');
        })),
    };
  } catch (err) {
    await shutdown(opened, ownsLedger, unlock, logger);
    throw err;
  }
}
