import {
  SpanKind,
  SpanStatusCode,
  context,
  createContextKey,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';

/**
 * The gateway's tracer travels in the request's context, not in a process-wide global:
 * several gateways may run in one process (tests, benchmarks), each exporting its own
 * spans. Outside a traced request `traced` only runs its function.
 */
const TRACER = createContextKey('meridian.tracer');

/** `parent` with `tracer` as the one `traced` uses below it. */
export function withTracer(parent: Context, tracer: Tracer): Context {
  return parent.setValue(TRACER, tracer);
}

/** The tracer of the request being served, if it is traced. */
export function activeTracer(): Tracer | undefined {
  return context.active().getValue(TRACER) as Tracer | undefined;
}

/**
 * What an attribute may hold: identifiers of the gateway's own vocabulary (region ids,
 * chaincode function names, purpose codes, outcomes, counts), never a patient id, a name
 * or clinical text. Callers pass only such values; the type keeps strings and numbers apart
 * from the request's data by convention, and the tracing test checks exported spans.
 */
export type SafeAttributes = Readonly<Record<string, string | number | boolean>>;

/** Runs `fn` in a child span of the active one; its outcome ends the span (an error by its code only). */
export async function traced<T>(
  name: string,
  attributes: SafeAttributes,
  fn: (span: Span | undefined) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  const tracer = activeTracer();
  if (tracer === undefined) return fn(undefined);
  return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * Marks `span` failed with the error's stable code or class name. Never its message or
 * stack: a message may name a patient or quote stored data.
 */
export function failSpan(span: Span, err: unknown): void {
  const code =
    typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  const type = code ?? (err instanceof Error ? err.name : typeof err);
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/** Sets attributes on the active span of a traced request; does nothing otherwise. */
export function annotateActiveSpan(attributes: SafeAttributes): void {
  if (activeTracer() === undefined) return;
  trace.getActiveSpan()?.setAttributes(attributes);
}
