import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, startTestGateway, type TestGateway } from './support/gateway.js';

// The console's server side: its files, its sign-in endpoints, the offline IDE and CORS.
// What a person does in the console is in test/console-browser.test.ts.

const APP_ORIGIN = 'http://hospital-app.example.test:8080';

function base(t: TestGateway): string {
  return new URL('/', t.gateway.url).toString().replace(/\/$/, '');
}

describe('the console in development', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ env: { MERIDIAN_CORS_ORIGINS: APP_ORIGIN } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves the built console at /console/, with client routes falling back to its page', async () => {
    const redirect = await fetch(`${base(t)}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/console/');
    const page = await fetch(`${base(t)}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base(t)}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await (await fetch(`${base(t)}/console/policies`)).text()).toBe(html);
  });

  it('answers 404 for a missing asset and for paths outside the console', async () => {
    expect((await fetch(`${base(t)}/console/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base(t)}/console/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base(t)}/console/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
  });

  it('offers the demo personas and mints a token the API accepts', async () => {
    const options = (await (await fetch(`${base(t)}/console/api/sign-in`)).json()) as {
      mode: string;
      personas: { name: string; role: string }[];
    };
    expect(options.mode).toBe('development');
    expect(options.personas.map((p) => p.name)).toEqual(expect.arrayContaining(['officer-schmidt', 'dr-weber']));
    const res = await fetch(`${base(t)}/console/api/persona-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ persona: 'officer-schmidt' }),
    });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const me = await t.graphql<{ me: { subject: string; roles: string[] } }>('{ me { subject roles } }', {}, token);
    expect(me.data?.me).toEqual({ subject: 'officer-schmidt', roles: ['compliance_officer'] });
  });

  it('refuses an unknown persona and a body that is not JSON (a cross-site form cannot send JSON)', async () => {
    const unknown = await fetch(`${base(t)}/console/api/persona-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ persona: 'nobody' }),
    });
    expect(unknown.status).toBe(404);
    const form = await fetch(`${base(t)}/console/api/persona-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'persona=officer-schmidt',
    });
    expect(form.status).toBe(415);
    expect(JSON.stringify(await form.json())).not.toContain('token"');
  });

  it('serves the bundled GraphiQL to a browser opening /graphql, and GraphQL to everyone else', async () => {
    const ide = await fetch(t.gateway.url, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(ide.status).toBe(200);
    const html = await ide.text();
    expect(html).toContain('Meridian GraphQL IDE');
    expect(html).not.toMatch(/src="https?:/);
    const query = await fetch(`${t.gateway.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers a CORS preflight for a configured origin, and gives any other origin no CORS header', async () => {
    const preflight = (origin: string): Promise<Response> =>
      fetch(t.gateway.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
    const allowed = await preflight(APP_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await preflight('https://evil.example.test');
    expect(other.status).toBe(204);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const token = await t.token('dr-weber');
    const call = await postGraphQL(t.gateway.url, { query: '{ me { subject } }' }, token, { origin: APP_ORIGIN });
    expect(call.data).toEqual({ me: { subject: 'dr-weber' } });
    expect(call.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(call.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const refused = await postGraphQL(t.gateway.url, { query: '{ me { subject } }' }, token, {
      origin: 'https://evil.example.test',
    });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the console in production', () => {
  let t: TestGateway;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-console-keys-'));
    const pair = await generateKeyPair('ES256');
    const keysFile = path.join(dir, 'orgs.json');
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    await writeFile(
      keysFile,
      JSON.stringify({ 'charite-berlin': { name: 'Charité', jurisdiction: 'DE', keys: [publicJwk] } }),
    );
    t = await startTestGateway({
      env: {
        NODE_ENV: 'production',
        MERIDIAN_ORG_KEYS_FILE: keysFile,
        MERIDIAN_PSEUDONYM_KEY: Buffer.alloc(32, 7).toString('base64'),
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the console but no persona sign-in, no IDE and no CORS by default', async () => {
    expect((await fetch(`${base(t)}/console/`)).status).toBe(200);
    const options = (await (await fetch(`${base(t)}/console/api/sign-in`)).json()) as { mode: string; personas: null };
    expect(options).toMatchObject({ mode: 'production', personas: null });
    const mint = await fetch(`${base(t)}/console/api/persona-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ persona: 'officer-schmidt' }),
    });
    expect(mint.status).toBe(404);
    const ide = await fetch(t.gateway.url, { headers: { accept: 'text/html' } });
    expect(await ide.text()).not.toContain('GraphQL IDE');
    expect((await fetch(`${base(t)}/console/ide/index.html`)).status).toBe(404);
    const preflight = await fetch(t.gateway.url, {
      method: 'OPTIONS',
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
