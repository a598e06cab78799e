import type { Logger } from 'pino';
import type { GatewayCache } from '../cache/open-cache.js';
import type { Config } from '../config/config.js';
import type { Services } from '../graphql/context.js';
import type { LedgerClient } from '../ledger/ledger-client.js';
import type { LedgerActor } from '../ledger/ledger.js';
import type { Metrics } from '../server/metrics.js';
import type { Stores } from '../stores/open-stores.js';
import type { PolicyVersionRow } from '../stores/policy-repository.js';
import type { PolicyCoverage } from '../domain/consent/index.js';
import { liveLocations } from '../domain/patient-index.js';
import { DEFAULT_AUDIT_BATCH_SIZE, anchorAuditBatch, type AnchoredAuditBatch } from './audit/audit-anchoring.js';
import { scheduleAuditAnchoring, type AuditAnchorSchedule } from './audit/audit-anchor-schedule.js';
import { AuditChainVerifier } from './audit/audit-chain-verifier.js';
import { AuditService } from './audit/audit-service.js';
import { integrityKind } from './integrity-kind.js';
import { DisclosureVerifier } from './audit/disclosure-verifier.js';
import { anchorerOf } from './anchoring/record-anchoring.js';
import { importServices } from './import/import-services.js';
import { ConsentService } from './consent/consent-service.js';
import { CareService } from './care/care-service.js';
import { derivedKey } from './derived-key.js';
import { resolvePolicy, type EffectivePolicy } from '../domain/policy/index.js';
import { MeridianError } from '../domain/errors.js';
import { PolicyService } from './policy/policy-service.js';
import { PolicySimulator } from './policy/policy-simulation.js';
import { loadShippedPolicies } from './policy/shipped-policies.js';
import { AccessDecider } from './records/access-decider.js';
import { RegionLabels } from './records/region-labels.js';
import { DeidentifiedAnswers } from './records/deidentified-answer.js';
import { RecordService } from './records/record-service.js';
import { RecordVerifier } from './records/record-verifier.js';
import { rememberRecent } from './remember-recent.js';
import { LedgerError } from '../ledger/ledger-error.js';
import { PatientIndexCheck } from './records/patient-index-check.js';
import { SealedBox } from '../cache/sealed-box.js';
import { NotificationService } from './notify/notification-service.js';
import { WebhookDispatcher } from './notify/webhook-dispatcher.js';
import { PatientKeys } from './patient-keys.js';
import { ErasureService } from './erasure/erasure-service.js';

/** Patients whose ledger-verified jurisdictions are remembered for a ledger outage. */
const VERIFIED_PATIENTS = 10_000;

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
  /** The patients' own keys (audit commitments, cache boxes); one per gateway. */
  readonly patientKeys?: PatientKeys;
}

/** The access services, and how to anchor the audit log's pending events. */
export interface Access {
  readonly services: Services;
  anchorAudit(): Promise<AnchoredAuditBatch | null>;
  /** The jurisdictions of the regions the ledger's patient index places a patient in. */
  patientJurisdictions(patientId: string): Promise<readonly string[]>;
}

/** Activates the shipped policies where a jurisdiction has none yet (first start), and says what it did. */
async function bootstrapPolicies(
  policies: PolicyService,
  shipped: Awaited<ReturnType<typeof loadShippedPolicies>>,
  logger: Logger,
): Promise<void> {
  for (const outcome of await policies.bootstrap(shipped)) {
    if (outcome.action === 'skipped') logger.warn(outcome, 'shipped policy not activated');
    else if (outcome.action !== 'present') logger.info(outcome, `shipped policy ${outcome.action}`);
  }
}

/** What a stored policy row covers; a row whose document is not a policy covers nothing. */
function coverageOf(row: PolicyVersionRow): PolicyCoverage {
  const covers = (row.document as { covers?: unknown } | null)?.covers;
  return {
    jurisdiction: row.jurisdiction,
    covers: Array.isArray(covers) ? covers.filter((c): c is string => typeof c === 'string') : [],
  };
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
  parts: {
    policies: PolicyService;
    consents: ConsentService;
    care: CareService;
    audit: AuditService;
    labels: RegionLabels;
  },
): RecordService {
  const { config, stores, cache, metrics, logger } = o;
  const alert = integrityAlert(logger, metrics);
  const decider = new AccessDecider({
    ...parts,
    jurisdictions: new Map(config.regions.map((r) => [r.id, r.jurisdiction])),
    labelsIn: (location, census, patientId) => parts.labels.of(location, census, patientId),
    onIntegrityViolation: (problems) => {
      for (const p of problems) alert(p.subject, p.message);
    },
    ...(cache ? { cache: cache.cache, epochs: cache.epochs } : {}),
  });
  return new RecordService({
    audit: parts.audit,
    decider,
    integrity: new RecordVerifier({ stores: stores.anchors, ledger: o.ledger }),
    index: new PatientIndexCheck({ ledger: o.ledger, actor: GATEWAY_ACTOR }),
    ...(cache ? { cache: cache.cache } : {}),
    control: stores.control,
    stores: stores.stores,
    regionTimeoutMs: config.regionTimeoutMs,
    maxPageSize: config.limits.maxPageSize,
    deidentified: new DeidentifiedAnswers(config.pseudonymKey),
    onRegionError: (region, err) => {
      metrics.regionError(region);
      logger.warn({ region, err: err instanceof Error ? err.message : String(err) }, 'region unavailable');
    },
    onIntegrityViolation: (region, message, of) => {
      alert(of === 'patient index' ? `patient index ${region}` : `region ${region}`, message);
    },
  });
}

/** The audit chain's verifier; every problem it finds is an `integrity_violation` alert. */
function openAuditChain(o: Readonly<AccessOptions>, keys: PatientKeys): AuditChainVerifier {
  const alert = integrityAlert(o.logger, o.metrics);
  return new AuditChainVerifier({
    auditLog: o.stores.control.auditLog,
    ledger: o.ledger,
    actor: GATEWAY_ACTOR,
    commitment: (patientId) => keys.commitment(patientId),
    onProblem: (p) => {
      alert('audit log', p.detail);
    },
  });
}

/** Assembles the policy, consent, audit and record services over the stores and the ledger. */
export async function openAccess(o: Readonly<AccessOptions>): Promise<Access> {
  const { config, stores, ledger, metrics } = o;
  const shipped = await loadShippedPolicies();
  const policies = new PolicyService({
    policies: stores.control.policies,
    ledger,
    expectedIds: shipped.map((p) => p.jurisdiction),
  });
  await bootstrapPolicies(policies, shipped, o.logger);
  const keys = o.patientKeys ?? new PatientKeys(stores.control.patientKeys);
  const auditChain = openAuditChain(o, keys);
  const audit = new AuditService({
    log: stores.control.auditLog,
    integrity: auditChain,
    maxPageSize: config.limits.maxPageSize,
    commitment: (patientId) => keys.commitment(patientId),
    onDecision: (outcome, breakGlass) => {
      metrics.decision(outcome, breakGlass);
    },
  });
  const consents = new ConsentService({
    consents: stores.control.consents,
    ledger,
    parties: {
      knowsOrganisation: (id) => o.organisationNames.has(id),
      // The stored active rows, not the ledger-verified set: a grant is only checked against them
      // (the decision itself uses verified policies), and a grant must not cost a verification.
      policies: async () => (await stores.control.policies.active()).map(coverageOf),
    },
    onRepair: (subject, message) => {
      o.logger.warn({ repair: subject, problem: message }, 'stored row repaired from the ledger');
    },
  });
  /** The effective policy of a jurisdiction under the verified active policies; `refusal` when there is none. */
  const verifiedPolicy = async (jurisdiction: string, refusal: MeridianError): Promise<EffectivePolicy> => {
    const active = await policies.active();
    const resolved = resolvePolicy(
      jurisdiction,
      active.policies.map((p) => p.document),
    );
    if (active.violations.length > 0 || !resolved.ok) throw refusal;
    return resolved.policy;
  };
  const care = new CareService({
    care: stores.control.care,
    ledger,
    audit,
    codeKey: derivedKey(config.pseudonymKey, 'meridian access codes'),
    knowsOrganisation: (id) => o.organisationNames.has(id),
    // The verified active policies: the episode a relationship is anchored for must be the policy's.
    episodeDays: async (jurisdiction) =>
      (
        await verifiedPolicy(
          jurisdiction,
          new MeridianError(
            'FORBIDDEN',
            'No verified policy governs your jurisdiction; no care relationship can be opened.',
          ),
        )
      ).careEpisodeDays,
    onRepair: (subject, message) => {
      o.logger.warn({ repair: subject, problem: message }, 'care relationship without its row');
    },
  });
  const notifications = new NotificationService({
    store: stores.control.notifications,
    events: (ids) => stores.control.auditLog.events(ids),
    secrets: notificationSecrets(config),
    allowLocalWebhooks: config.notifications.allowLocalWebhooks,
    pollMs: config.notifications.pollMs,
  });
  const anchorAudit = (): Promise<AnchoredAuditBatch | null> =>
    anchorAuditBatch(stores.control.auditLog, ledger, GATEWAY_ACTOR);
  const jurisdictions = new Map(config.regions.map((r) => [r.id, r.jurisdiction]));
  const labels = new RegionLabels(stores.stores);
  const erasures = new ErasureService({
    store: stores.control.erasures,
    control: stores.control,
    regions: stores.stores,
    ledger,
    actor: GATEWAY_ACTOR,
    keys,
    forgetDecoded: (id: string) => {
      labels.forgetPatient(id);
      o.cache?.cache.forgetPatient(id);
    },
    jurisdictions,
    retentionYears: async (jurisdiction) =>
      (
        await verifiedPolicy(
          jurisdiction,
          new MeridianError(
            'INTEGRITY_VIOLATION',
            `No verified policy governs ${jurisdiction}, so the audit retention is unknown; the erasure stays pending and is finished once one does.`,
          ),
        )
      ).auditRetentionYears,
  });
  const services: Services = {
    records: openRecords(o, { policies, consents, care, audit, labels }),
    consents,
    care,
    erasures,
    notifications,
    audit,
    auditChain,
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
      jurisdictions,
      maxReplay: 5000,
    }),
    ...importServices(config, stores, anchorerOf(stores, ledger)),
    organisationName: (id) => o.organisationNames.get(id) ?? null,
  };
  // As last read from the ledger: a patient verified here keeps signing in while the ledger is
  // unreachable (their writes then fail there, with the transaction id); an unseen one does not.
  const verified = new Map<string, string[]>();
  const patientJurisdictions = async (patientId: string): Promise<string[]> => {
    try {
      const state = await ledger.getPatientState(GATEWAY_ACTOR, patientId);
      const found = state.erasure
        ? []
        : liveLocations(state.patientRef, state.locations).flatMap((l) => jurisdictions.get(l.region) ?? []);
      rememberRecent(verified, patientId, found, VERIFIED_PATIENTS);
      return found;
    } catch (err) {
      const known = verified.get(patientId);
      if (err instanceof LedgerError && err.code === 'LEDGER_UNAVAILABLE' && known !== undefined) return known;
      throw err;
    }
  };
  return { services, anchorAudit, patientJurisdictions };
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

/** The box the webhooks' signing secrets are sealed in, keyed from the pseudonym secret. */
function notificationSecrets(config: Config): SealedBox {
  return new SealedBox(derivedKey(config.pseudonymKey, 'meridian notification secrets'));
}

/** Delivers the patients' notifications to their webhooks from the outbox, until stopped. */
export function startWebhookDelivery(
  o: Pick<AccessOptions, 'config' | 'stores' | 'organisationNames' | 'logger' | 'metrics'>,
): WebhookDispatcher {
  const { config, stores, logger } = o;
  const dispatcher = new WebhookDispatcher({
    store: stores.control.notifications,
    auditLog: stores.control.auditLog,
    secrets: notificationSecrets(config),
    organisationName: (id) => o.organisationNames.get(id) ?? null,
    ...config.notifications,
    onError: (err) => {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'webhook delivery round failed');
    },
    onAttempt: (d, outcome, detail) => {
      o.metrics.webhookAttempt(outcome);
      const fields = { notificationId: d.notificationId, channelId: d.channelId, attempt: d.attempt, outcome };
      if (outcome === 'delivered') logger.info(fields, 'notification delivered');
      else logger.warn({ ...fields, problem: detail }, 'notification not delivered');
    },
  });
  dispatcher.start();
  return dispatcher;
}
