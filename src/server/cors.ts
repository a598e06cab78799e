import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers a front end on another origin may send to /graphql. */
const ALLOWED_HEADERS = 'authorization, content-type, x-request-id, traceparent, apollo-require-preflight';
const EXPOSED_HEADERS = 'x-request-id, www-authenticate, retry-after';

/**
 * CORS for the configured origins only (MERIDIAN_CORS_ORIGINS): a request from one of them gets
 * `Access-Control-Allow-Origin` naming it; any other origin gets no CORS header, so its browser
 * keeps the answer from its script. Credentials are bearer tokens, never cookies, so
 * `Allow-Credentials` is not sent. Returns true when it answered a preflight itself.
 */
export function applyCors(origins: ReadonlySet<string>, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  const method = (req.method ?? 'GET').toUpperCase();
  const preflight = method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  if (origins.size > 0) res.setHeader('vary', 'Origin');
  const allowed = origin !== undefined && origins.has(origin);
  if (allowed) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
  }
  if (!preflight) return false;
  if (allowed) {
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
    res.setHeader('access-control-max-age', '600');
  }
  // Answered either way: a refused origin learns nothing but the absence of the headers.
  res.statusCode = 204;
  res.end();
  return true;
}
