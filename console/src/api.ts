/** One GraphQL error as the gateway sends it: a message and a stable code. */
export interface ApiError {
  readonly message: string;
  readonly code: string;
  /** BAD_USER_INPUT's field, and a policy draft's list of `path: problem` lines. */
  readonly field?: string;
  readonly errors?: readonly string[];
}

/** A failed call: every error the gateway sent, the first one's message as the message. */
export class ApiFailure extends Error {
  readonly errors: readonly ApiError[];
  constructor(errors: readonly ApiError[]) {
    super(errors.map((e) => e.message).join(' '));
    this.errors = errors;
  }
}

interface RawError {
  message?: unknown;
  extensions?: { code?: unknown; field?: unknown; errors?: unknown };
}

function apiError(raw: RawError): ApiError {
  const ext = raw.extensions ?? {};
  return {
    message: typeof raw.message === 'string' ? raw.message : 'The gateway gave no reason.',
    code: typeof ext.code === 'string' ? ext.code : 'UNKNOWN',
    ...(typeof ext.field === 'string' ? { field: ext.field } : {}),
    ...(Array.isArray(ext.errors) ? { errors: ext.errors.filter((e): e is string => typeof e === 'string') } : {}),
  };
}

/**
 * Calls the gateway's GraphQL API with the signed-in user's bearer token: the console has no
 * other way to read or change anything, so every rule the API enforces applies to it.
 */
export async function graphql<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiFailure([{ message: 'The gateway could not be reached.', code: 'NETWORK' }]);
  }
  let body: { data?: T | null; errors?: RawError[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiFailure([{ message: `The gateway answered HTTP ${response.status}.`, code: 'HTTP' }]);
  }
  if (body.errors !== undefined && body.errors.length > 0) throw new ApiFailure(body.errors.map(apiError));
  if (body.data === undefined || body.data === null) {
    throw new ApiFailure([{ message: 'The gateway sent no data.', code: 'HTTP' }]);
  }
  return body.data;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
