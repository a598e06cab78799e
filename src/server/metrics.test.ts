import { integrityKind } from '../access/integrity-kind.js';
import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../test/support/prometheus.js';
import { Metrics } from './metrics.js';

describe('Metrics', () => {
  it('counts cache lookups by cache and result', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.cacheLookup('policies', 'hit');
    m.cacheLookup('policies', 'hit');
    m.cacheLookup('policies', 'miss');
    m.cacheLookup('consents', 'error');
    m.cacheLookup('records', 'bypass');
    const text = parsePrometheusText(await m.render());
    expect(text.types.get('meridian_cache_lookups_total')).toBe('counter');
    expect(text.sum('meridian_cache_lookups_total', { cache: 'policies', result: 'hit' })).toBe(2);
    expect(text.sum('meridian_cache_lookups_total', { cache: 'policies', result: 'miss' })).toBe(1);
    expect(text.sum('meridian_cache_lookups_total', { cache: 'consents', result: 'error' })).toBe(1);
    expect(text.sum('meridian_cache_lookups_total', { cache: 'records', result: 'bypass' })).toBe(1);
    expect(text.find('meridian_cache_lookups_total', { cache: 'consents', result: 'hit' })).toEqual([]);
  });

  it('counts decisions by outcome and break-glass, every combination present from the start', async () => {
    const m = new Metrics({ defaultMetrics: false });
    let text = parsePrometheusText(await m.render());
    expect(text.find('meridian_decisions_total')).toHaveLength(6);
    expect(text.sum('meridian_decisions_total')).toBe(0);
    m.decision('permit', false);
    m.decision('permit', false);
    m.decision('partial', true);
    m.decision('deny', false);
    text = parsePrometheusText(await m.render());
    expect(text.sum('meridian_decisions_total', { outcome: 'permit', break_glass: 'false' })).toBe(2);
    expect(text.sum('meridian_decisions_total', { outcome: 'partial', break_glass: 'true' })).toBe(1);
    expect(text.sum('meridian_decisions_total', { outcome: 'deny' })).toBe(1);
    expect(text.sum('meridian_decisions_total', { outcome: 'permit', break_glass: 'true' })).toBe(0);
  });

  it('counts region errors, configured regions starting at 0', async () => {
    const m = new Metrics({ defaultMetrics: false, regions: ['eu-de', 'eu-fr'] });
    m.regionError('eu-fr');
    m.regionError('eu-fr');
    const text = parsePrometheusText(await m.render());
    expect(text.find('meridian_region_errors_total').map((s) => [s.labels.region, s.value])).toEqual([
      ['eu-de', 0],
      ['eu-fr', 2],
    ]);
  });

  it('records GraphQL and ledger durations as histograms with their labels', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.graphqlRequest('patientSummary', 'ok', 0.03);
    m.graphqlRequest('patientSummary', 'ok', 0.2);
    m.graphqlRequest('unknown', 'error', 0.001);
    m.ledgerCall('evaluate', 'consent:getConsentStatus', 'ok', 0.0004);
    m.ledgerCall('submit', 'batch:anchorBatch', 'error', 0.5);
    const text = parsePrometheusText(await m.render());
    expect(text.types.get('meridian_graphql_request_duration_seconds')).toBe('histogram');
    const ok = { operation: 'patientSummary', outcome: 'ok' };
    expect(text.sum('meridian_graphql_request_duration_seconds_count', ok)).toBe(2);
    expect(text.sum('meridian_graphql_request_duration_seconds_sum', ok)).toBeCloseTo(0.23);
    expect(text.sum('meridian_graphql_request_duration_seconds_bucket', { ...ok, le: '0.05' })).toBe(1);
    expect(text.sum('meridian_graphql_request_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBe(2);
    expect(text.sum('meridian_graphql_request_duration_seconds_count', { operation: 'unknown' })).toBe(1);

    expect(text.types.get('meridian_ledger_call_duration_seconds')).toBe('histogram');
    const read = { kind: 'evaluate', fn: 'consent:getConsentStatus', outcome: 'ok' };
    expect(text.sum('meridian_ledger_call_duration_seconds_count', read)).toBe(1);
    // Sub-millisecond embedded-ledger reads land in a bucket of their own.
    expect(text.sum('meridian_ledger_call_duration_seconds_bucket', { ...read, le: '0.0005' })).toBe(1);
    expect(
      text.sum('meridian_ledger_call_duration_seconds_count', {
        kind: 'submit',
        fn: 'batch:anchorBatch',
        outcome: 'error',
      }),
    ).toBe(1);
  });

  it('includes process metrics, event-loop lag among them, under their standard names', async () => {
    const m = new Metrics();
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = parsePrometheusText(await m.render());
    const names = new Set(text.samples.map((s) => s.name));
    expect(names).toContain('nodejs_eventloop_lag_seconds');
    expect(names).toContain('nodejs_eventloop_lag_p99_seconds');
    expect(names).toContain('process_cpu_seconds_total');
    expect(names).toContain('nodejs_heap_size_used_bytes');
    // Only prom-client's standard process metrics go without the gateway's prefix.
    expect([...names].filter((n) => !/^(meridian|nodejs|process)_/.test(n))).toEqual([]);
  });

  it('keeps each instance in a registry of its own, never the global one', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.decision('deny', true);
    const textA = parsePrometheusText(await a.render());
    const textB = parsePrometheusText(await b.render());
    expect(textA.sum('meridian_decisions_total', { outcome: 'deny', break_glass: 'true' })).toBe(1);
    expect(textB.sum('meridian_decisions_total', { outcome: 'deny', break_glass: 'true' })).toBe(0);
    expect(await globalRegistry.metrics()).not.toContain('meridian_');
  });
});

describe('integrity kinds', () => {
  it('files each reporter subject under its kind', () => {
    expect(integrityKind('consent c-1')).toBe('consent');
    expect(integrityKind('policy DE/2025.1')).toBe('policy');
    expect(integrityKind('region eu-de')).toBe('record');
    expect(integrityKind('patient index eu-de')).toBe('patient_index');
    expect(integrityKind('audit log')).toBe('audit_chain');
    expect(integrityKind('ledger head')).toBe('other');
  });
});
