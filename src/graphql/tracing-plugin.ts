import type { ApolloServerPlugin } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import { activeTracer } from '../tracing/traced.js';
import type { GraphQLContext } from './context.js';
import { rootField } from './metrics-plugin.js';

/**
 * Names the request's `graphql` span after its operation type and root field
 * (`query patientSummary`) and records the response's error codes. The client's own
 * operation name is left out: it is free text.
 */
export function tracingPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    requestDidStart() {
      const span = activeTracer() === undefined ? undefined : trace.getActiveSpan();
      if (span === undefined) return Promise.resolve({});
      return Promise.resolve({
        didResolveOperation({ document, operation }) {
          const field = rootField(document, operation);
          const type = operation?.operation ?? 'unknown';
          span.updateName(`${type} ${field}`);
          span.setAttributes({ 'graphql.operation.type': type, 'meridian.graphql.root_field': field });
          return Promise.resolve();
        },
        willSendResponse({ response, errors }) {
          const reported = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = [...(errors ?? []), ...reported].map((e) => {
            const code = e.extensions?.code;
            return typeof code === 'string' ? code : 'UNKNOWN';
          });
          if (codes.length > 0) span.setAttribute('meridian.graphql.error_codes', [...new Set(codes)].sort());
          return Promise.resolve();
        },
      });
    },
  };
}
