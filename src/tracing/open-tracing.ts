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

export interface TracingOptions {
  /**
   * Where spans go besides OTLP, each exported as it ends (tests pass an in-memory
   * exporter). Without it and without an OTLP endpoint nothing is traced at all.
   */
  readonly exporter?: SpanExporter;
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
 * is configured, an extra exporter when given; null (no spans, no export, no cost) otherwise.
 */
export function openTracing(config: Config, options: Readonly<TracingOptions> = {}): Tracing | null {
  const processors: SpanProcessor[] = [];
  if (config.tracing.otlpEndpoint !== undefined) {
    const exporter = new OTLPTraceExporter({ url: otlpTracesUrl(config.tracing.otlpEndpoint) });
    processors.push(new BatchSpanProcessor({ exporter }));
  }
  if (options.exporter !== undefined) processors.push(new SimpleSpanProcessor({ exporter: options.exporter }));
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
