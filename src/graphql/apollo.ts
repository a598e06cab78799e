import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { bearerChallenge } from '../auth/bearer-challenge.js';
import type { Config } from '../config/config.js';
import type { GraphQLContext } from './context.js';
import { formatError, withoutSuggestions } from './errors.js';
import { transportRule } from './transport.rule.js';
import { reportLimit, type QueryLimit } from './query-limits.js';

/**
 * Adds what the response carries beside the data: one error per region that did not
 * answer (the data of the others stays), and the request id on every error.
 */
const responsePlugin: ApolloServerPlugin<GraphQLContext> = {
  requestDidStart() {
    const started = process.hrtime.bigint();
    return Promise.resolve({
      willSendResponse({ response, contextValue, operationName, errors }) {
        if (response.body.kind !== 'single') return Promise.resolve();
        const result = response.body.singleResult;
        const partial = contextValue.partialFailures.map(({ failure, path }) =>
          new GraphQLError(failure.message, {
            path: [...path],
            extensions: { code: failure.code, region: failure.region },
          }).toJSON(),
        );
        const all = [...(result.errors ?? []), ...partial].map((e) => ({
          ...e,
          extensions: { ...e.extensions, requestId: contextValue.requestId },
        }));
        if (all.length > 0) result.errors = all;
        // A request without a token that needed one is a 401 with a challenge, as a bad token is (RFC 6750).
        if (
          contextValue.principal === null &&
          all.some((e) => (e.extensions as Record<string, unknown>).code === 'UNAUTHENTICATED')
        ) {
          response.http.status = 401;
          response.http.headers.set('www-authenticate', bearerChallenge());
        }
        contextValue.log.info(
          {
            operation: operationName ?? null,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
            errorCodes: all.map((e) => (e.extensions as Record<string, unknown>).code),
            internal: errors?.filter((e) => !e.extensions.code).map((e) => e.message),
          },
          'graphql request',
        );
        return Promise.resolve();
      },
      didEncounterErrors({ errors, contextValue }) {
        for (const error of errors) {
          const original = error.originalError;
          if (original && !('code' in original) && !error.extensions.code) {
            contextValue.log.error({ err: original }, 'internal error');
          }
        }
        return Promise.resolve();
      },
    });
  },
};

const MAX_DIRECTIVES = 20;

function rejecting(
  limit: QueryLimit,
  maximum: number,
): { propagateOnRejection: false; onReject: [ReturnType<typeof reportLimit>] } {
  return { propagateOnRejection: false, onReject: [reportLimit(limit, maximum)] };
}

/** Apollo Server 5 with Meridian's limits: depth, cost, aliases, masked errors, no IDE or introspection in production. */
export function createApollo(
  schema: GraphQLSchema,
  config: Config,
  /** More plugins, e.g. the metrics plugin. */
  extraPlugins: readonly ApolloServerPlugin<GraphQLContext>[] = [],
): ApolloServer<GraphQLContext> {
  const limits = config.limits;
  const armor = new ApolloArmor({
    // Each rejection is reported as what it is (QUERY_TOO_COMPLEX), not as armor's "Syntax Error".
    maxDepth: { n: limits.maxDepth, exposeLimits: true, ...rejecting('depth', limits.maxDepth) },
    costLimit: { maxCost: limits.maxCost, exposeLimits: true, ...rejecting('cost', limits.maxCost) },
    maxAliases: { n: limits.maxAliases, exposeLimits: true, ...rejecting('aliases', limits.maxAliases) },
    maxDirectives: { n: MAX_DIRECTIVES, exposeLimits: true, ...rejecting('directives', MAX_DIRECTIVES) },
    // Its Apollo plugin parses in a hook, where any syntax error becomes a 500: graphql's own
    // parser option below bounds tokens, and the HTTP layer refuses long documents before Apollo.
    maxTokens: { enabled: false },
    // Its mask misses `Did you mean the enum value ...?`; formatError masks every suggestion.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  const production = config.mode === 'production';
  return new ApolloServer<GraphQLContext>({
    schema,
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules: [transportRule('http'), ...armor.validationRules],
    plugins: [
      // graphql-armor's typings come from Apollo's CommonJS build; the plugins are the same objects.
      ...(armor.plugins as unknown as ApolloServerPlugin<GraphQLContext>[]),
      responsePlugin,
      ...extraPlugins,
      // Apollo's landing page loads Sandbox from a CDN: the HTTP layer serves a bundled GraphiQL instead.
      ApolloServerPluginLandingPageDisabled(),
      // Nothing here may sit in an HTTP cache (answers are per requester and purpose, sent no-store),
      // and the default cache-control plugin wraps every field resolver to compute hints for one.
      ApolloServerPluginCacheControlDisabled(),
    ],
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // Batches are checked against MERIDIAN_MAX_BATCH by the HTTP layer before Apollo sees them.
    allowBatchedHttpRequests: true,
    csrfPrevention: true,
    // The gateway drains HTTP first and closes the databases after; Apollo must not race it.
    stopOnTerminationSignals: false,
    // Suggestions name the schema's fields and enum values, which production keeps to itself.
    formatError: production ? (formatted, error) => withoutSuggestions(formatError(formatted, error)) : formatError,
  });
}
