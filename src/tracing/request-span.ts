import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { ROOT_CONTEXT, SpanKind, context, trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { failSpan, withTracer } from './traced.js';

const propagator = new W3CTraceContextPropagator();

/**
 * Serves one request inside a server span that continues the caller's W3C trace
 * (`traceparent`/`tracestate`; a malformed header starts a new trace). The span's context
 * goes back in `traceresponse` (W3C Trace Context Level 2), so a caller without a trace of
 * its own can still find this one. Attributes: method, route and status only; never the
 * query string, which may carry a patient id in a GET request's variables.
 */
export async function inRequestSpan(
  tracer: Tracer,
  route: string,
  req: IncomingMessage,
  res: ServerResponse,
  serve: () => Promise<void>,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const headers: IncomingHttpHeaders = req.headers;
  const parent = propagator.extract(ROOT_CONTEXT, headers, {
    get: (carrier: IncomingHttpHeaders, key: string) => carrier[key],
    keys: (carrier: IncomingHttpHeaders) => Object.keys(carrier),
  });
  const span = tracer.startSpan(
    `${method} ${route}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route } },
    parent,
  );
  const { traceId, spanId, traceFlags } = span.spanContext();
  res.setHeader('traceresponse', `00-${traceId}-${spanId}-0${traceFlags.toString(16)}`);
  try {
    await context.with(withTracer(trace.setSpan(parent, span), tracer), serve);
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.setAttribute('http.response.status_code', res.statusCode);
    span.end();
  }
}
