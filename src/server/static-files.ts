import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Nothing on these pages is loaded from elsewhere, and nothing may be: scripts, styles, fonts
 * and workers come from the gateway itself, and the page talks only to the gateway (and, to sign
 * in with OpenID Connect, to the organisation's issuer, which `connectSrc` adds). The console's
 * subscriptions use a WebSocket to the gateway's /graphql: `'self'` allows it, as CSP Level 3
 * matches ws: and wss: of the page's own host with `'self'` (test/console-browser.test.ts).
 */
export function contentSecurityPolicy(connectSrc: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // GraphiQL's editor (Monaco) sets element styles from script.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    `connect-src ${["'self'", ...connectSrc].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * Serves a file of a built front end from `root`. `relative` is the URL path below its mount
 * point; a path that names no file answers the front end's `index.html` (client-side routes),
 * except for assets, which are 404. Returns false when there is nothing to serve.
 */
export async function serveStatic(
  root: string,
  relative: string,
  req: IncomingMessage,
  res: ServerResponse,
  connectSrc: readonly string[] = [],
): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return false;
  }
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  if (file !== root && !file.startsWith(root + path.sep)) return false;
  const found = (await isFile(file)) ? file : null;
  const target = found ?? (isAsset(decoded) ? null : path.join(root, 'index.html'));
  if (target === null) return false;
  let body: Buffer;
  try {
    body = await readFile(target);
  } catch {
    return false;
  }
  const type = TYPES[path.extname(target).toLowerCase()] ?? 'application/octet-stream';
  res.statusCode = 200;
  res.setHeader('content-type', type);
  // Vite names assets by content hash: they never change; the pages that name them always may.
  res.setHeader(
    'cache-control',
    target.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
  );
  res.setHeader('x-content-type-options', 'nosniff');
  if (type.startsWith('text/html')) {
    res.setHeader('content-security-policy', contentSecurityPolicy(connectSrc));
    res.setHeader('referrer-policy', 'no-referrer');
  }
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

function isAsset(relative: string): boolean {
  return relative.startsWith('assets/') || path.posix.extname(relative) !== '';
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
