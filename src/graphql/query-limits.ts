import { GraphQLError, type ValidationContext } from 'graphql';

/** The validation limits a query can exceed although it parses. */
export type QueryLimit = 'depth' | 'cost' | 'aliases' | 'directives';

/** The code a client sees for every one of them: the query is well-formed, only too complex. */
export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

const SAYS: Readonly<Record<QueryLimit, (found: string, maximum: number) => string>> = {
  depth: (found, maximum) => `The query nests ${found} levels deep; the gateway allows ${maximum}.`,
  cost: (found, maximum) => `The query's estimated cost is ${found}; the gateway allows ${maximum}.`,
  aliases: (found, maximum) => `The query uses ${found} aliases; the gateway allows ${maximum}.`,
  directives: (found, maximum) => `The query uses ${found} directives; the gateway allows ${maximum}.`,
};

/** A query over one of the limits: carried as the validation error's original error, formatted once. */
export class QueryLimitError extends Error {
  constructor(
    readonly limit: QueryLimit,
    readonly maximum: number,
    readonly found: number | null,
  ) {
    super(SAYS[limit](found === null ? 'more than that' : String(found), maximum));
    this.name = 'QueryLimitError';
  }

  /** What `extensions` carries beside the code. */
  get details(): Readonly<Record<string, unknown>> {
    return { limit: this.limit, maximum: this.maximum, ...(this.found !== null ? { found: this.found } : {}) };
  }
}

// graphql-armor words every rejection as a syntax error ("Syntax Error: Query depth limit of 8
// exceeded, found 9."); only the figure it found is taken from it.
const FOUND = /found (\d+(?:\.\d+)?)/;

/**
 * A graphql-armor `onReject` handler (with `propagateOnRejection: false`) that reports the
 * rejection as a validation error of its own: its message, and QUERY_TOO_COMPLEX.
 */
export function reportLimit(
  limit: QueryLimit,
  maximum: number,
): (context: ValidationContext | null, error: GraphQLError) => void {
  return (context, error) => {
    const figure = FOUND.exec(error.message)?.[1];
    const cause = new QueryLimitError(limit, maximum, figure === undefined ? null : Math.ceil(Number(figure)));
    context?.reportError(new GraphQLError(cause.message, { originalError: cause }));
  };
}
