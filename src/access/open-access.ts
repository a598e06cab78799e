import type { Logger } from 'pino';
import type { GatewayCache } from '../cache/open-cache.js';
import type { Config } from '../config/config.js';
import type { Services } from '../graphql/context.js';
import type { LedgerClient } from '../ledger/ledger-client.js';
import type { LedgerActor } from '../ledger/ledger.js';
import type { Metrics } from '../server/metrics.js';
import type { Stores } from '../stores/open-stores.js';
import { DEFAULT_AUDIT_BATCH_SIZE, anchorAuditBatch, type AnchoredAuditBatch } from './audit/audit-anchoring.js';
import { scheduleAuditAnchoring, type AuditAnchorSchedule } from './audit/audit-anchor-schedule.js';
import { AuditService } from './audit/audit-service.js';
import { integrityKind } from './integrity-kind.js';
import { DisclosureVerifier } from './audit/disclosure-verifier.js';
import { ConsentService } from './consent/consent-service.js';
import { PolicyService } from './policy/policy-service.js';
import { PolicySimulator } from './policy/policy-simulation.js';
import { loadShippedPolicies } from './policy/shipped-policies.js';
import { AccessDecider } from './records/access-decider.js';
import { RecordService } from './records/record-service.js';
import { RecordVerifier } from './records/record-verifier.js';

/** Who the gateway anchors audit batches as. */
export const GATEWAY_ACTOR: LedgerActor = { user: 'meridian-gateway', role: 'gateway' };

export interface AccessOptions {
  readonly config: Config;
  readonly stores: Stores;
  readonly ledger: LedgerClient;
  readonly cache: GatewayCache | null;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Display names of the known organisations, by id. */
  readonly organisationNames: ReadonlyMap<string, string>;
}

/** The access services, and how to anchor the audit log's pending events. */
export interface Access {
  readonly services: Services;
  anchorAudit(): Promise<AnchoredAuditBatch | null>;
}

/** Activates the shipped policies where a jurisdiction has none yet (first start), and says what it did. */
async function bootstrapPolicies(policies: PolicyService, logger: Logger): Promise<void> {
  for (const outcome of await policies.bootstrap(await loadShippedPolicies())) {
    if (outcome.action === 'skipped') logger.warn(outcome, 'shipped policy not activated');
    else if (outcome.action !== 'present') logger.info(outcome, `shipped policy ${outcome.action}`);
  }
}

/** Logs and counts stored data that disagrees with the ledger, as an alert operators can page on. */
function integrityAlert(logger: Logger, metrics: Metrics): (subject: string, message: string) => void {
  return (subject, message) => {
    metrics.integrityViolation(integrityKind(subject));
    logger.error({ alert: 'integrity_violation', subject, problem: message }, 'stored data disagrees with the ledger');
  };
}

function openRecords(
  o: Readonly<AccessOptions>,
  parts: { policies: PolicyService; consents: ConsentService; audit: AuditService },
): RecordService {
  const { config, stores, cache, metrics, logger } = o;
  const alert = integrityAlert(logger, metrics);
  const decider = new AccessDecider({
    ...parts,
    jurisdictions: new Map(config.regions.map((r) => [r.id, r.jurisdiction])),
    labelsIn: async (location) => (await stores.stores.get(location.region)?.sensitivityLabels(location.localId)) ?? [],
    onIntegrityViolation: (problems) => {
      for (const p of problems) alert(p.subject, p.message);
    },
    ...(cache ? { cache: cache.cache, epochs: cache.epochs } : {}),
  });
  return new RecordService({
    audit: parts.audit,
    decider,
    integrity: new RecordVerifier({ stores: stores.anchors, ledger: o.ledger }),
    ...(cache ? { cache: cache.cache } : {}),
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
}

/** Assembles the policy, consent, audit and record services over the stores and the ledger. */
export async function openAccess(o: Readonly<AccessOptions>): Promise<Access> {
  const { config, stores, ledger, metrics } = o;
  const policies = new PolicyService({ policies: stores.control.policies, ledger });
  await bootstrapPolicies(policies, o.logger);
  const audit = new AuditService({
    log: stores.control.auditLog,
    maxPageSize: config.limits.maxPageSize,
    onDecision: (outcome, breakGlass) => {
      metrics.decision(outcome, breakGlass);
    },
  });
  const consents = new ConsentService({ consents: stores.control.consents, ledger });
  const anchorAudit = (): Promise<AnchoredAuditBatch | null> =>
    anchorAuditBatch(stores.control.auditLog, ledger, GATEWAY_ACTOR);
  const services: Services = {
    records: openRecords(o, { policies, consents, audit }),
    consents,
    audit,
    policies,
    disclosures: new DisclosureVerifier({
      auditLog: stores.control.auditLog,
      ledger,
      actor: GATEWAY_ACTOR,
      anchorPending: anchorAudit,
    }),
    simulator: new PolicySimulator({
      policies,
      draftOf: (principal, jurisdiction, version) => policies.anchoredVersion(principal, jurisdiction, version),
      auditLog: stores.control.auditLog,
      consents,
      jurisdictions: new Map(config.regions.map((r) => [r.id, r.jurisdiction])),
      maxReplay: 5000,
    }),
    organisationName: (id) => o.organisationNames.get(id) ?? null,
  };
  return { services, anchorAudit };
}

/** Anchors the audit log's new events on the ledger every `auditAnchorIntervalMs`. */
export function startAuditAnchoring(config: Config, access: Access, logger: Logger): AuditAnchorSchedule {
  return scheduleAuditAnchoring({
    intervalMs: config.auditAnchorIntervalMs,
    batchSize: DEFAULT_AUDIT_BATCH_SIZE,
    anchorBatch: () => access.anchorAudit(),
    onBatch: (b) => {
      logger.info({ batchId: b.batchId, count: b.count, txId: b.txId }, 'audit batch anchored');
    },
    onError: (err) => {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'audit anchoring failed; will retry');
    },
  });
}
