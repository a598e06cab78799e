import { checkDocument, checkVariables, type DocumentLimits, type LimitViolation } from '../graphql/document-limits.js';

interface Operation {
  readonly query?: unknown;
  readonly variables?: unknown;
}

/** The operations of a request as Apollo will read them: a POST body (one or a batch), or GET parameters. */
function operationsOf(body: unknown, search: URLSearchParams): Operation[] {
  if (body === undefined) {
    const raw = search.get('variables');
    let variables: unknown;
    try {
      variables = raw === null ? undefined : JSON.parse(raw);
    } catch {
      variables = undefined; // Apollo refuses it with its own message
    }
    return [{ query: search.get('query') ?? undefined, variables }];
  }
  return (Array.isArray(body) ? (body as unknown[]) : [body]).filter(
    (item): item is Operation => typeof item === 'object' && item !== null,
  );
}

/**
 * Checks every operation of a request against the limits before anything parses or
 * validates it (see {@link checkDocument}); the first violation, or null.
 */
export function checkRequestLimits(
  body: unknown,
  search: URLSearchParams,
  limits: DocumentLimits,
): LimitViolation | null {
  for (const operation of operationsOf(body, search)) {
    const violation =
      (typeof operation.query === 'string' ? checkDocument(operation.query, limits) : null) ??
      checkVariables(operation.variables, limits);
    if (violation !== null) return violation;
  }
  return null;
}
