import { createClient } from 'graphql-ws';

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

/** The gateway's GraphQL endpoint over WebSocket: the page's own origin and /graphql, wss: under https:. */
export function graphqlSocketUrl(page: URL = new URL(window.location.href)): string {
  const url = new URL('/graphql', page);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** What a subscription tells its page. */
export interface SubscriptionHandlers<T> {
  /** One result of the subscription. */
  readonly next: (data: T) => void;
  /** The socket is open and accepted (again, after a reconnection): what happened meanwhile is not in `next`. */
  readonly connected: () => void;
  /** The socket closed unasked; the client tries again a few times. */
  readonly interrupted: () => void;
  /** The subscription ended for good: refused, or the gateway could not be reached again. */
  readonly failed: (failure: ApiFailure) => void;
}

/**
 * Subscribes to a GraphQL subscription over WebSocket (graphql-ws) with the user's bearer token
 * in `connectionParams`, as the gateway asks. Returns the function that unsubscribes and closes
 * the socket.
 */
export function subscribe<T>(
  token: string,
  query: string,
  handlers: SubscriptionHandlers<T>,
  variables: Record<string, unknown> = {},
): () => void {
  let disposed = false;
  const client = createClient({
    url: graphqlSocketUrl(),
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 3,
    // A refused token (4403) stays refused: no point in trying it again.
    shouldRetry: (closed) => isCloseEvent(closed) && closed.code !== 4403,
    on: {
      connected: () => {
        if (!disposed) handlers.connected();
      },
      closed: () => {
        if (!disposed) handlers.interrupted();
      },
    },
  });
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (disposed) return;
        if (result.errors !== undefined && result.errors.length > 0) {
          handlers.failed(new ApiFailure(result.errors.map((e) => apiError(e as RawError))));
        } else if (result.data !== undefined && result.data !== null) {
          handlers.next(result.data);
        }
      },
      error: (err: unknown) => {
        if (!disposed) handlers.failed(socketFailure(err));
      },
      complete: () => undefined,
    },
  );
  return () => {
    disposed = true;
    unsubscribe();
    void client.dispose();
  };
}

function isCloseEvent(value: unknown): value is { code: number; reason?: unknown } {
  return typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'number';
}

/** What graphql-ws reports when it gives up: GraphQL errors, a close event, or an Error. */
function socketFailure(err: unknown): ApiFailure {
  if (Array.isArray(err)) return new ApiFailure(err.map((e) => apiError(e as RawError)));
  if (isCloseEvent(err)) {
    const reason = typeof err.reason === 'string' && err.reason !== '' ? `: ${err.reason}` : '';
    const message =
      err.code === 4403
        ? 'The gateway refused the live connection (sign in again).'
        : `The live connection closed (${String(err.code)}${reason}).`;
    return new ApiFailure([{ message, code: 'NETWORK' }]);
  }
  if (err instanceof Error) return new ApiFailure([{ message: err.message, code: 'NETWORK' }]);
  return new ApiFailure([{ message: 'The gateway could not be reached for live updates.', code: 'NETWORK' }]);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
