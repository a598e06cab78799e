import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GatewayCache } from '../cache/open-cache.js';
import type { AuditOutcome } from '../domain/audit-event.js';
import type { Stores } from '../stores/open-stores.js';

/** How a GraphQL request ended: `error` when the response carries any error (partial answers included). */
export type GraphQLOutcome = 'ok' | 'error';
/** What a cache lookup found; `bypass` when the cache was not asked (disabled, or the read must be fresh). */
export type CacheLookupResult = 'hit' | 'miss' | 'error' | 'bypass';
export type LedgerCallKind = 'submit' | 'evaluate';
export type LedgerCallOutcome = 'ok' | 'error';
/** What disagreed with the ledger: a consent, a policy version, a record, the patient index, or something else. */
export type IntegrityKind = 'consent' | 'policy' | 'record' | 'patient_index' | 'audit_chain' | 'other';
const INTEGRITY_KINDS: readonly IntegrityKind[] = [
  'consent',
  'policy',
  'record',
  'patient_index',
  'audit_chain',
  'other',
];

/** Live state read at each scrape. */
export interface MetricsSources {
  /** Audit events no anchored batch covers yet. */
  readonly unanchoredAuditEvents: () => Promise<number>;
  /** Whether the chaincode event stream is open; absent when the gateway consumes none (cache off). */
  readonly eventStreamUp?: () => boolean;
}

export interface MetricsOptions {
  /**
   * prom-client's process metrics under their standard names (`process_*`, `nodejs_*`:
   * event-loop lag, heap, GC), so stock Node.js dashboards work; default true.
   */
  readonly defaultMetrics?: boolean;
  /** Regions whose error counter starts at 0, so a rate over it is defined before the first failure. */
  readonly regions?: readonly string[];
}

const PREFIX = 'meridian_';
/** Seconds: from an embedded-ledger read (well under a millisecond) to a slow Fabric commit. */
const LEDGER_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const GRAPHQL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DECISION_OUTCOMES: readonly AuditOutcome[] = ['permit', 'partial', 'deny'];
const WEBHOOK_OUTCOMES = ['delivered', 'retry', 'given_up'] as const;
/** How one webhook delivery attempt ended. */
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/**
 * One gateway's Prometheus metrics, in a registry of its own (never prom-client's global
 * one: several gateways may run in one process). `render()` is what `GET /metrics` serves.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #graphql: Histogram<'operation' | 'outcome'>;
  readonly #cache: Counter<'cache' | 'result'>;
  readonly #decisions: Counter<'outcome' | 'break_glass'>;
  readonly #regionErrors: Counter<'region'>;
  readonly #ledger: Histogram<'kind' | 'fn' | 'outcome'>;
  readonly #integrity: Counter<'kind'>;
  readonly #groupCommit: Histogram;
  readonly #auditAppend: Histogram;
  readonly #webhooks: Counter<'outcome'>;

  constructor(options: Readonly<MetricsOptions> = {}) {
    const registers = [this.registry];
    this.#graphql = new Histogram({
      name: `${PREFIX}graphql_request_duration_seconds`,
      help: 'GraphQL operations by root field (unknown when the request did not parse or validate) and outcome.',
      labelNames: ['operation', 'outcome'],
      buckets: GRAPHQL_BUCKETS,
      registers,
    });
    this.#cache = new Counter({
      name: `${PREFIX}cache_lookups_total`,
      help: 'Cache lookups by cache and result (hit, miss, error, bypass).',
      labelNames: ['cache', 'result'],
      registers,
    });
    this.#decisions = new Counter({
      name: `${PREFIX}decisions_total`,
      help: 'Audited access decisions by outcome (permit, partial, deny) and whether break-glass was granted.',
      labelNames: ['outcome', 'break_glass'],
      registers,
    });
    this.#regionErrors = new Counter({
      name: `${PREFIX}region_errors_total`,
      help: 'Regional record store reads that failed or timed out, by region.',
      labelNames: ['region'],
      registers,
    });
    this.#ledger = new Histogram({
      name: `${PREFIX}ledger_call_duration_seconds`,
      help: 'Ledger calls by kind (submit, evaluate), chaincode function and outcome.',
      labelNames: ['kind', 'fn', 'outcome'],
      buckets: LEDGER_BUCKETS,
      registers,
    });
    this.#integrity = new Counter({
      name: `${PREFIX}integrity_violations_total`,
      help: 'Stored data found disagreeing with its ledger anchor, by kind (consent, policy, record, patient_index, other).',
      labelNames: ['kind'],
      registers,
    });
    this.#groupCommit = new Histogram({
      name: `${PREFIX}audit_group_commit_size`,
      help: 'Audit events written per group commit (one lock, one transaction).',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.#auditAppend = new Histogram({
      name: `${PREFIX}audit_append_duration_seconds`,
      help: 'Each audit append, from the request appending it to the commit of its group (queueing behind the commit in flight included); a disclosure is answered only after it.',
      buckets: LEDGER_BUCKETS,
      registers,
    });
    this.#webhooks = new Counter({
      name: `${PREFIX}webhook_deliveries_total`,
      help: 'Attempts to deliver a notification to a webhook, by outcome (delivered, retry, given_up).',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of WEBHOOK_OUTCOMES) this.#webhooks.inc({ outcome }, 0);
    for (const kind of INTEGRITY_KINDS) this.#integrity.inc({ kind }, 0);
    for (const outcome of DECISION_OUTCOMES) {
      for (const breakGlass of ['true', 'false']) this.#decisions.inc({ outcome, break_glass: breakGlass }, 0);
    }
    for (const region of options.regions ?? []) this.#regionErrors.inc({ region }, 0);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Registers the gauges read from the running gateway at each scrape. */
  watch(sources: Readonly<MetricsSources>): void {
    const registers = [this.registry];
    new Gauge({
      name: `${PREFIX}audit_unanchored_events`,
      help: 'Audit events not yet covered by a batch anchored on the ledger (the anchoring backlog).',
      registers,
      async collect() {
        this.set(await sources.unanchoredAuditEvents());
      },
    });
    const up = sources.eventStreamUp;
    if (up === undefined) return;
    new Gauge({
      name: `${PREFIX}ledger_event_stream_up`,
      help: '1 while the chaincode event stream (consent and policy changes from every gateway) is open, else 0.',
      registers,
      collect() {
        this.set(up() ? 1 : 0);
      },
    });
  }

  /** The Content-Type of `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  graphqlRequest(operation: string, outcome: GraphQLOutcome, seconds: number): void {
    this.#graphql.observe({ operation, outcome }, seconds);
  }

  cacheLookup(cache: string, result: CacheLookupResult): void {
    this.#cache.inc({ cache, result });
  }

  decision(outcome: AuditOutcome, breakGlass: boolean): void {
    this.#decisions.inc({ outcome, break_glass: String(breakGlass) });
  }

  regionError(region: string): void {
    this.#regionErrors.inc({ region });
  }

  integrityViolation(kind: IntegrityKind): void {
    this.#integrity.inc({ kind });
  }

  webhookAttempt(outcome: WebhookOutcome): void {
    this.#webhooks.inc({ outcome });
  }

  auditGroupCommit(size: number, waits: readonly number[]): void {
    this.#groupCommit.observe(size);
    for (const seconds of waits) this.#auditAppend.observe(seconds);
  }

  ledgerCall(kind: LedgerCallKind, fn: string, outcome: LedgerCallOutcome, seconds: number): void {
    this.#ledger.observe({ kind, fn, outcome }, seconds);
  }
}

/** Watches the anchoring backlog in the control plane and, with a cache, its event stream. */
export function watchGateway(metrics: Metrics, stores: Stores, cache: GatewayCache | null): void {
  metrics.watch({
    unanchoredAuditEvents: () => stores.control.auditLog.unanchoredCount(),
    ...(cache ? { eventStreamUp: () => cache.epochs.streaming } : {}),
  });
}
