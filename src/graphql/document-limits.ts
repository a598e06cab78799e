import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';

/** Bounds checked before a document is parsed (see `MERIDIAN_MAX_TOKENS`, `MERIDIAN_MAX_NESTING`). */
export interface DocumentLimits {
  readonly maxTokens: number;
  readonly maxNesting: number;
}

/** Why a request is refused before it reaches the parser, with the code the client sees. */
export interface LimitViolation {
  readonly code: 'QUERY_TOO_LARGE' | 'BAD_USER_INPUT';
  readonly message: string;
}

const OPENERS = new Set<TokenKind>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSERS = new Set<TokenKind>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);
const NUL = '\u0000';

const NUL_MESSAGE = 'Strings may not contain the null character (U+0000)';

/**
 * Lexes one operation's document with graphql's own lexer, at a cost bounded by the limits:
 * it stops at the first token past `maxTokens` (graphql's parser counts the same tokens,
 * comments excluded), at nesting deeper than `maxNesting` (the parser recurses once per
 * level and would overflow the stack), and at a string literal holding U+0000 (no store
 * can keep it). A document that does not lex is left to the parser, which says why.
 */
export function checkDocument(source: string, limits: DocumentLimits): LimitViolation | null {
  const lexer = new Lexer(new Source(source));
  let tokens = 0;
  let depth = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (++tokens > limits.maxTokens) {
        return {
          code: 'QUERY_TOO_LARGE',
          message: `The document has more than ${limits.maxTokens} tokens, the gateway's limit; send a smaller query.`,
        };
      }
      if (OPENERS.has(token.kind) && ++depth > limits.maxNesting) return tooDeep('The document', limits);
      if (CLOSERS.has(token.kind)) depth--;
      if ((token.kind === TokenKind.STRING || token.kind === TokenKind.BLOCK_STRING) && token.value.includes(NUL)) {
        return { code: 'BAD_USER_INPUT', message: `${NUL_MESSAGE}: line ${token.line}, column ${token.column}.` };
      }
    }
  } catch (err) {
    if (err instanceof GraphQLError) return null;
    throw err;
  }
  return null;
}

/**
 * Walks variable values without recursion: nesting deeper than `maxNesting` and U+0000 in
 * any string (object keys included) are refused, naming where.
 */
export function checkVariables(variables: unknown, limits: DocumentLimits): LimitViolation | null {
  const stack: [value: unknown, path: string, depth: number][] = [[variables, '', 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [value, path, depth] = next;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return { code: 'BAD_USER_INPUT', message: `${NUL_MESSAGE}: variable ${path}.` };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    // The variables object itself is level 0: `{ "j": [...] }` nests its value at level 1.
    if (depth > limits.maxNesting) return tooDeep(`Variable ${path}`, limits);
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => stack.push([item, `${path}[${i}]`, depth + 1]));
      continue;
    }
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (key.includes(NUL)) return { code: 'BAD_USER_INPUT', message: `${NUL_MESSAGE}: a key in variable ${path}.` };
      stack.push([item, path === '' ? `$${key}` : `${path}.${key}`, depth + 1]);
    }
  }
  return null;
}

function tooDeep(what: string, limits: DocumentLimits): LimitViolation {
  return {
    code: 'BAD_USER_INPUT',
    message: `${what} nests deeper than ${limits.maxNesting} levels of brackets, the gateway's limit.`,
  };
}
