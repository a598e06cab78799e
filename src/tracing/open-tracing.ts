import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  TracerProvider,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Config } from '../config/config.js';

/** A gateway's tracer and how to flush and stop it. */
export interface Tracing {
  readonly tracer: Tracer;
  /** Exports what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

/** The OTLP/HTTP traces URL under a base endpoint, as the OpenTelemetry spec derives it. */
export function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

let contextManagerSet = false;

/**
 * Parent/child links follow async calls through AsyncLocalStorage. The context manager is
 * the one process-wide piece (OpenTelemetry's API has a single slot); it is set once.
 */
function ensureContextManager(): void {
  if (contextManagerSet) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerSet = true;
}

/**
 * The gateway's tracing: OTLP/HTTP export in batches when `OTEL_EXPORTER_OTLP_ENDPOINT`
 * is configured, and to `exporter` as each span ends when given (tests pass an in-memory
 * one); null (no spans, no export, no cost) with neither.
 */
export function openTracing(config: Config, exporter?: SpanExporter): Tracing | null {
  const processors: SpanProcessor[] = [];
  if (config.tracing.otlpEndpoint !== undefined) {
    const exporter = new OTLPTraceExporter({ url: otlpTracesUrl(config.tracing.otlpEndpoint) });
    processors.push(new BatchSpanProcessor({ exporter }));
  }
  if (exporter !== undefined) processors.push(new SimpleSpanProcessor({ exporter }));
  if (processors.length === 0) return null;
  ensureContextManager();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.tracing.serviceName }),
    spanProcessors: processors,
  });
  return {
    tracer: provider.getTracer('meridian'),
    shutdown: () => provider.shutdown(),
  };
}
