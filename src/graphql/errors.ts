import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { MeridianError } from '../domain/errors.js';
import { QUERY_TOO_COMPLEX, QueryLimitError } from './query-limits.js';

/** Codes Apollo and graphql-armor set on bad requests: their messages are about the request, safe to show. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export const INTERNAL_MESSAGE = 'Internal server error. Quote the request id when reporting it.';

/**
 * The one translation of errors for clients: Meridian errors keep their code and
 * safe details, request errors keep their message, everything else is masked.
 * No stack trace or SQL ever leaves the gateway.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = {
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
  if (original instanceof MeridianError) {
    return { message: original.message, ...base, extensions: { ...original.details, code: original.code } };
  }
  const cause = error instanceof GraphQLError ? error.originalError : undefined;
  if (cause instanceof QueryLimitError) {
    return { message: cause.message, ...base, extensions: { ...cause.details, code: QUERY_TOO_COMPLEX } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code) && !isInternal(original)) {
    return { message: formatted.message, ...base, extensions: { code } };
  }
  return { message: INTERNAL_MESSAGE, ...base, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** A BAD_USER_INPUT raised while coercing input is the client's; anything thrown from code is ours. */
function isInternal(error: unknown): boolean {
  return error instanceof Error && !('extensions' in error) && error.name !== 'GraphQLError';
}

/** Every form graphql-js suggests in: `Did you mean "x"?`, `Did you mean the enum value "A" or "B"?`, ... */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** The error without graphql's suggestions of names the client did not know (production). */
export function withoutSuggestions(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const message = formatted.message.replace(SUGGESTION, '');
  return message === formatted.message ? formatted : { ...formatted, message };
}
