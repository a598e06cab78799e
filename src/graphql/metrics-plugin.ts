import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { GraphQLOutcome } from '../server/metrics.js';
import type { GraphQLContext } from './context.js';

/** Where the plugin reports each GraphQL request (`Metrics` is one). */
export interface GraphQLRequestObserver {
  graphqlRequest(operation: string, outcome: GraphQLOutcome, seconds: number): void;
}

/**
 * Times every GraphQL operation from request start to response, labelled by its root field
 * (`patientSummary`, `grantConsent`, ...; `unknown` when it did not parse or validate, so
 * the label only ever holds the schema's field names) and by outcome: `error` when the
 * response carries any error, a region that did not answer included.
 */
export function metricsPlugin(observer: GraphQLRequestObserver): ApolloServerPlugin<GraphQLContext> {
  return {
    requestDidStart() {
      const started = process.hrtime.bigint();
      return Promise.resolve({
        willSendResponse({ response, contextValue, document, operation, errors }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const failed =
            (errors?.length ?? 0) > 0 ||
            contextValue.partialFailures.length > 0 ||
            (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0);
          try {
            observer.graphqlRequest(rootField(document, operation), failed ? 'error' : 'ok', seconds);
          } catch (err) {
            contextValue.log.warn({ err }, 'graphql metrics not recorded');
          }
          return Promise.resolve();
        },
      });
    },
  };
}

/** The operation's first root field other than `__typename`, through fragments; else `unknown`. */
export function rootField(document: DocumentNode | undefined, operation: OperationDefinitionNode | undefined): string {
  if (document === undefined || operation === undefined) return 'unknown';
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const seen = new Set<string>();
  const first = (set: SelectionSetNode): string | undefined => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '__typename') return selection.name.value;
        continue;
      }
      let inner: SelectionSetNode | undefined;
      if (selection.kind === Kind.INLINE_FRAGMENT) inner = selection.selectionSet;
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        inner = fragments.get(selection.name.value)?.selectionSet;
      }
      const found = inner && first(inner);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return first(operation.selectionSet) ?? (operation.selectionSet.selections.length > 0 ? '__typename' : 'unknown');
}
