import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { admin } from './support/postgres.js';
import { parsePrometheusText, type Exposition } from './support/prometheus.js';

const SUMMARY = 'query($p: ID!) { patientSummary(patientId: $p, purpose: TREAT) { patientId regions } }';
const RECORDS = 'query($p: ID!) { records(patientId: $p, purpose: TREAT, first: 5) { edges { cursor } } }';

describe('GET /metrics on the running gateway', () => {
  let t: TestGateway;
  let base: string;
  let clinician: string;
  let patient: { globalId: string; regions: string[]; localIds: string[] };

  const scrape = async (): Promise<{ res: Response; text: string; metrics: Exposition }> => {
    const res = await fetch(`${base}/metrics`);
    const text = await res.text();
    return { res, text, metrics: parsePrometheusText(text) };
  };

  beforeAll(async () => {
    // Uncached: the region that stops answering below must be asked, not served from the cache.
    // No anchoring run during the test: the backlog gauge must grow by exactly what it did.
    t = await startTestGateway({ env: { MERIDIAN_CACHE_TTL_MS: '0', MERIDIAN_AUDIT_ANCHOR_INTERVAL_MS: '86400000' } });
    base = t.gateway.url.replace(/\/graphql$/, '');
    clinician = await t.token('dr-weber');
    const p = t.demo.patients[0]!;
    patient = {
      globalId: p.globalId,
      regions: p.locations.map((l) => l.region),
      localIds: p.locations.map((l) => l.localId),
    };
    await t.consentToTreatment(p.globalId);
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves Prometheus text that counts the requests, decisions and ledger calls a user just made', async () => {
    const before = (await scrape()).metrics;
    const permitted = await t.graphql(SUMMARY, { p: patient.globalId }, clinician);
    expect(permitted.errors).toEqual([]);
    expect((await t.graphql(RECORDS, { p: patient.globalId }, clinician)).errors).toEqual([]);
    const denied = await t.graphql(SUMMARY, { p: patient.globalId }, await t.token('officer-schmidt'));
    expect(denied.errors[0]?.extensions.code).toBe('FORBIDDEN');
    const malformed = await t.graphql('{ patientSummary(patientId: "x", purpose: TREAT) { ', {}, clinician);
    expect(malformed.errors[0]?.extensions.code).toBe('GRAPHQL_PARSE_FAILED');

    const { res, text, metrics } = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    // Every line is a comment or `name{labels} value`: parsePrometheusText throws on anything else.
    expect(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length).toBe(metrics.samples.length);
    const grew = (name: string, labels: Record<string, string>): number =>
      metrics.sum(name, labels) - before.sum(name, labels);

    const requests = 'meridian_graphql_request_duration_seconds_count';
    expect(grew(requests, { operation: 'patientSummary', outcome: 'ok' })).toBe(1);
    expect(grew(requests, { operation: 'records', outcome: 'ok' })).toBe(1);
    expect(grew(requests, { operation: 'patientSummary', outcome: 'error' })).toBe(1);
    expect(grew(requests, { operation: 'unknown', outcome: 'error' })).toBe(1);
    // The consent granted in beforeAll went through the same API.
    expect(metrics.sum(requests, { operation: 'grantConsent', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(
      metrics.sum('meridian_graphql_request_duration_seconds_sum', { operation: 'patientSummary' }),
    ).toBeGreaterThan(0);

    const decisions = 'meridian_decisions_total';
    expect(grew(decisions, { outcome: 'permit' }) + grew(decisions, { outcome: 'partial' })).toBe(2);
    expect(grew(decisions, { outcome: 'deny', break_glass: 'false' })).toBe(1);
    expect(metrics.sum(decisions, { break_glass: 'true' })).toBe(0);

    const ledger = metrics.find('meridian_ledger_call_duration_seconds_count');
    const calls = (kind: string, prefix: string, outcome = 'ok'): number =>
      ledger
        .filter((s) => s.labels.kind === kind && s.labels.outcome === outcome && s.labels.fn?.startsWith(prefix))
        .reduce((n, s) => n + s.value, 0);
    expect(calls('evaluate', 'patient:getPatientState')).toBeGreaterThanOrEqual(1);
    expect(calls('evaluate', 'policy:')).toBeGreaterThanOrEqual(1);
    expect(calls('submit', 'consent:recordConsent')).toBeGreaterThanOrEqual(1);
    expect(metrics.types.get('meridian_ledger_call_duration_seconds')).toBe('histogram');

    // prom-client's process metrics keep their standard names, as stock Node.js dashboards expect.
    expect(metrics.find('nodejs_eventloop_lag_seconds')).toHaveLength(1);
    expect(metrics.find('nodejs_eventloop_lag_p99_seconds')).toHaveLength(1);
    expect(metrics.find('process_cpu_seconds_total')).toHaveLength(1);
    expect(metrics.find('nodejs_heap_size_used_bytes')).toHaveLength(1);
    expect(metrics.samples.filter((m) => /^meridian_(nodejs|process)_/.test(m.name))).toEqual([]);

    // Three audited decisions, each appended through a group commit and not yet anchored.
    expect(grew('meridian_audit_group_commit_size_sum', {})).toBeGreaterThanOrEqual(3);
    expect(grew('meridian_audit_group_commit_size_count', {})).toBeGreaterThanOrEqual(1);
    // Each of the three appends' wait for its commit, one observation per append.
    expect(metrics.types.get('meridian_audit_append_duration_seconds')).toBe('histogram');
    expect(grew('meridian_audit_append_duration_seconds_count', {})).toBe(3);
    expect(grew('meridian_audit_append_duration_seconds_sum', {})).toBeGreaterThan(0);
    expect(metrics.types.get('meridian_audit_unanchored_events')).toBe('gauge');
    expect(grew('meridian_audit_unanchored_events', {})).toBe(3);
    // Without a cache the gateway consumes no chaincode event stream, so it reports none.
    expect(metrics.find('meridian_ledger_event_stream_up')).toEqual([]);
    expect(metrics.find('meridian_region_errors_total').map((s) => s.labels.region)).toEqual(
      expect.arrayContaining(['eu-de', 'eu-fr', 'us-ma']),
    );
    expect(metrics.types.get('meridian_cache_lookups_total')).toBe('counter');
  });

  it('counts a region that does not answer, and the partial answer as an error', async () => {
    const down = patient.regions[1]!;
    const dbName = t.databases.get(down)!.name;
    const before = (await scrape()).metrics;
    await admin(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbName}'`);
    try {
      const res = await t.graphql(SUMMARY, { p: patient.globalId }, clinician);
      expect(res.errors[0]?.extensions).toMatchObject({ code: 'REGION_UNAVAILABLE', region: down });
    } finally {
      await admin(`ALTER DATABASE "${dbName}" WITH ALLOW_CONNECTIONS true`);
    }
    const after = (await scrape()).metrics;
    const grew = (name: string, labels: Record<string, string>): number =>
      after.sum(name, labels) - before.sum(name, labels);
    expect(grew('meridian_region_errors_total', { region: down })).toBeGreaterThanOrEqual(1);
    expect(grew('meridian_decisions_total', { outcome: 'partial' })).toBe(1);
    expect(
      grew('meridian_graphql_request_duration_seconds_count', { operation: 'patientSummary', outcome: 'error' }),
    ).toBe(1);
  });

  it('counts a record that no longer matches its ledger anchor as a record integrity violation', async () => {
    const region = patient.regions[0]!;
    const db = t.databases.get(region)!;
    const before = (await scrape()).metrics;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        `UPDATE records SET resource = jsonb_set(resource, '{meta}', '{"tampered": true}'::jsonb)
         WHERE key = (SELECT key FROM records WHERE resource_type <> 'Patient' AND patient_id = $1 ORDER BY key LIMIT 1)`,
        [patient.localIds[0]],
      );
    } finally {
      await client.end();
    }
    const res = await t.graphql(SUMMARY, { p: patient.globalId }, clinician);
    expect(res.errors.map((e) => e.extensions.code)).toContain('INTEGRITY_VIOLATION');
    const after = (await scrape()).metrics;
    expect(
      after.sum('meridian_integrity_violations_total', { kind: 'record' }) -
        before.sum('meridian_integrity_violations_total', { kind: 'record' }),
    ).toBeGreaterThanOrEqual(1);
    expect(after.sum('meridian_integrity_violations_total', { kind: 'consent' })).toBe(0);
  });

  it('answers only GET and HEAD, with no authentication needed', async () => {
    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const post = await fetch(`${base}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('GET /metrics with the verified-lookup cache on', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ patients: 2 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports the chaincode event stream the cache depends on as up', async () => {
    const text = await (await fetch(t.gateway.url.replace(/\/graphql$/, '/metrics'))).text();
    const metrics = parsePrometheusText(text);
    expect(metrics.types.get('meridian_ledger_event_stream_up')).toBe('gauge');
    expect(metrics.sum('meridian_ledger_event_stream_up', {})).toBe(1);
  });
});
