import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Principal } from '../domain/principal.js';
import type { GraphQLContext } from '../graphql/context.js';
import { checkDocument, type DocumentLimits } from '../graphql/document-limits.js';
import { formatError } from '../graphql/errors.js';
import { transportRule } from '../graphql/transport.rule.js';
import type { RateDecision, RateLimitKind } from './rate-limits.js';

export interface SubscriptionServerOptions {
  readonly schema: GraphQLSchema;
  readonly logger: Logger;
  readonly limits: DocumentLimits & { readonly maxBodyBytes: number };
  /** Verifies a bearer token, as for HTTP requests. */
  readonly authenticate: (token: string) => Promise<Principal>;
  readonly context: (base: Pick<GraphQLContext, 'requestId' | 'principal' | 'log'>) => GraphQLContext;
  /** The HTTP requests' limiter: a connection counts as a request of its address and of its user. */
  readonly rateLimit?: (kind: RateLimitKind, client: string) => Promise<RateDecision>;
}

/** Subscriptions one socket may hold at once: each reads the outbox on every poll. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 5;
/** Close code of a connection over its client's rate limit (4xxx: the application's own, as 4403 is graphql-ws's). */
const TOO_MANY_REQUESTS = 4429;

const RULES = [...specifiedRules, transportRule('websocket')];

/** An error about the request itself: its message is safe to show. */
function requestError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** GraphQL errors as a client sees them: the code a client can rely on, nothing internal. */
function formatted(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((e) => formatError(e.toJSON(), e));
}

/**
 * GraphQL over WebSocket (the graphql-ws protocol, `graphql-transport-ws`) on /graphql, for
 * subscriptions: the client sends its bearer token as `connectionParams.authorization`
 * (`Bearer …`); without a valid one the socket closes with 4403 Forbidden before any
 * operation. Documents are held to the same token and nesting limits as over HTTP.
 */
export function serveSubscriptions(server: Server, o: SubscriptionServerOptions): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: o.limits.maxBodyBytes });
  const disposable = useServer<Record<string, unknown> | undefined, { principal?: Principal; active?: number }>(
    {
      schema: o.schema,
      onConnect: async (ctx) => {
        const limited = async (kind: RateLimitKind, client: string): Promise<boolean> => {
          const decision = (await o.rateLimit?.(kind, client)) ?? { allowed: true };
          if (decision.allowed) return false;
          const seconds = String(decision.retryAfterSeconds);
          const who = kind === 'address' ? 'address' : 'user';
          ctx.extra.socket.close(TOO_MANY_REQUESTS, `Too many requests from this ${who}; retry in ${seconds} s.`);
          return true;
        };
        if (await limited('address', ctx.extra.request.socket.remoteAddress ?? 'unknown')) return false;
        const authorization = ctx.connectionParams?.authorization;
        const token = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
        if (token === undefined) return false;
        let principal: Principal;
        try {
          principal = await o.authenticate(token);
        } catch {
          return false;
        }
        if (await limited('principal', `${principal.organisationId}/${principal.subject}`)) return false;
        ctx.extra.principal = principal;
        return true;
      },
      onSubscribe: (ctx, _id, payload) => {
        // Counted here and in onComplete, not from the server's own map: that one fills in only once
        // a subscription has started, so a burst of subscribe messages would all pass a look at it.
        if ((ctx.extra.active ?? 0) >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
          return [
            requestError(
              `At most ${String(MAX_SUBSCRIPTIONS_PER_SOCKET)} subscriptions per connection; complete one first.`,
              'BAD_REQUEST',
            ),
          ];
        }
        const violation = checkDocument(payload.query, o.limits);
        if (violation !== null) return [requestError(violation.message, 'BAD_REQUEST')];
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: o.limits.maxTokens });
        } catch (err) {
          return [
            requestError(err instanceof Error ? err.message : 'The document does not parse.', 'GRAPHQL_PARSE_FAILED'),
          ];
        }
        const invalid = validate(o.schema, document, RULES);
        if (invalid.length > 0) return invalid.map((e) => requestError(e.message, 'GRAPHQL_VALIDATION_FAILED'));
        const requestId = randomUUID();
        const principal = ctx.extra.principal ?? null;
        const log = o.logger.child({ requestId, ...(principal ? { org: principal.organisationId } : {}) });
        log.info({ operation: payload.operationName ?? null }, 'graphql subscription');
        ctx.extra.active = (ctx.extra.active ?? 0) + 1;
        return {
          schema: o.schema,
          document,
          variableValues: payload.variables ?? {},
          operationName: payload.operationName ?? null,
          contextValue: o.context({ requestId, principal, log }),
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: formatted(result.errors) } : undefined,
      onError: (_ctx, _id, _payload, errors) => formatted(errors),
      onComplete: (ctx) => {
        ctx.extra.active = Math.max(0, (ctx.extra.active ?? 0) - 1);
      },
    },
    wss,
  );
  return {
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => {
        wss.close(() => {
          resolve();
        });
      });
    },
  };
}
