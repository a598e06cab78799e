import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from './support/gateway.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const SUMMARY =
  'query($p: ID!) { patientSummary(patientId: $p, purpose: TREAT) { patientId regions problems { display } } }';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

/** Every string a span carries where an exporter would send it: its name and attribute values. */
function spanStrings(span: ReadableSpan): string[] {
  const values = Object.values(span.attributes).flatMap((v): unknown[] => (Array.isArray(v) ? v : [v]));
  return [span.name, ...values.map(String), span.status.message ?? ''];
}

/** Each string leaf of a FHIR resource that is text a person wrote or reads (display, text, names). */
function clinicalText(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return ['display', 'text', 'family', 'given', 'div'].includes(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => clinicalText(v, key));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => clinicalText(v, k));
  }
  return [];
}

describe('tracing a cross-border lookup (OpenTelemetry, in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  let t: TestGateway;
  let spans: ReadableSpan[];
  let forbidden: string[];
  let response: Awaited<ReturnType<typeof postGraphQL>>;

  beforeAll(async () => {
    t = await startTestGateway({ spanExporter: exporter });
    // A patient with records in a German and a non-German region: a lookup from Berlin crosses a border.
    const patient = t.demo.patients.find(
      (p) => p.locations.length >= 2 && p.locations.some((l) => l.region !== 'eu-de'),
    )!;
    await t.consentToTreatment(patient.globalId);
    exporter.reset();
    response = await postGraphQL(
      t.gateway.url,
      { query: SUMMARY, variables: { p: patient.globalId } },
      await t.token('dr-weber'),
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
    );
    spans = exporter.getFinishedSpans();
    const persona = t.demo.personas.find((p) => p.name === 'dr-weber')!;
    forbidden = [
      patient.globalId,
      patient.name,
      ...patient.name.split(' ').filter((part) => part.length > 3),
      persona.displayName,
      ...t.demo.organisations.map((o) => o.name),
      ...patient.locations.map((l) => l.localId),
      ...patient.locations.flatMap((l) => l.records.flatMap((r) => clinicalText(r.resource))),
    ].filter((s) => s.length >= 4);
  });
  afterAll(async () => {
    await t.close();
  });

  const byName = (name: string): ReadableSpan[] => spans.filter((s) => s.name === name);
  const one = (name: string): ReadableSpan => {
    const found = byName(name);
    expect(found, name).toHaveLength(1);
    return found[0]!;
  };
  const parentOf = (span: ReadableSpan): ReadableSpan | undefined =>
    spans.find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId);
  const ancestors = (span: ReadableSpan): string[] => {
    const names: string[] = [];
    for (let p = parentOf(span); p !== undefined; p = parentOf(p)) names.push(p.name);
    return names;
  };

  it('answers across borders, in the caller’s trace, and says which span served it', () => {
    expect(response.errors).toEqual([]);
    expect((response.data as { patientSummary: { regions: string[] } }).patientSummary.regions.length).toBe(2);
    for (const span of spans) expect(span.spanContext().traceId).toBe(TRACE_ID);
    const server = one('POST /graphql');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(server.attributes['http.response.status_code']).toBe(200);
    expect(response.headers.get('traceresponse')).toBe(`00-${TRACE_ID}-${server.spanContext().spanId}-01`);
  });

  it('records the span tree: operation → decision, region reads, audit append; ledger and cache calls beneath', () => {
    const operation = one('query patientSummary');
    expect(parentOf(operation)?.name).toBe('POST /graphql');
    expect(operation.attributes['meridian.graphql.root_field']).toBe('patientSummary');

    const decision = one('access decision');
    expect(parentOf(decision)).toBe(operation);
    expect(decision.attributes).toMatchObject({ 'meridian.purpose': 'TREAT', 'meridian.decision.readable_regions': 2 });
    // The patient's ledger state (index mapping and consent set) and the active policies are
    // read from the ledger while deciding.
    const ledgerUnderDecision = spans.filter(
      (s) => s.name.startsWith('ledger evaluate') && ancestors(s).includes('access decision'),
    );
    expect(ledgerUnderDecision.map((s) => s.attributes['meridian.ledger.fn'])).toEqual(
      expect.arrayContaining(['patient:getPatientState', expect.stringMatching(/^policy:/)]),
    );
    expect(ledgerUnderDecision.every((s) => s.kind === SpanKind.CLIENT)).toBe(true);

    const reads = byName('region read');
    expect(reads).toHaveLength(2);
    expect(new Set(reads.map((r) => r.attributes['meridian.region'])).size).toBe(2);
    for (const read of reads) {
      expect(parentOf(read)).toBe(operation);
      expect(read.attributes['meridian.records.verified']).toBeGreaterThan(0);
      // Each read goes through the verified-lookup cache, which checks the records' anchors on a miss.
      const lookups = spans.filter((s) => s.name === 'cache lookup' && parentOf(s) === read);
      expect(lookups.map((s) => s.attributes['meridian.cache.result'])).toEqual(['miss']);
      expect(spans.some((s) => s.name.startsWith('ledger ') && ancestors(s).includes('region read'))).toBe(true);
    }

    const audit = one('audit append');
    expect(parentOf(audit)).toBe(operation);
    expect(audit.attributes['meridian.audit.outcome']).toMatch(/^(permit|partial)$/);
    expect(spans.every((s) => s.status.code !== SpanStatusCode.ERROR)).toBe(true);
  });

  it('carries no patient id, name or clinical text in any span name or attribute', () => {
    expect(forbidden.length).toBeGreaterThan(10);
    const leaks = spans.flatMap((span) =>
      spanStrings(span).flatMap((value) => forbidden.filter((f) => value.includes(f)).map((f) => `${span.name}: ${f}`)),
    );
    expect(leaks).toEqual([]);
  });

  it('starts a fresh trace when the caller sends none or a malformed traceparent', async () => {
    exporter.reset();
    const res = await postGraphQL(t.gateway.url, { query: '{ me { organisationId } }' }, await t.token('dr-weber'), {
      traceparent: 'not-a-trace',
    });
    expect(res.errors).toEqual([]);
    const server = exporter.getFinishedSpans().find((s) => s.name === 'POST /graphql');
    expect(server?.parentSpanContext).toBeUndefined();
    expect(server?.spanContext().traceId).not.toBe(TRACE_ID);
  });
});
