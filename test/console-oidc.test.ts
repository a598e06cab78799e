import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, launchBrowser, screenshot, type Browser } from './support/browser.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { startOidcProvider, type TestOidcProvider } from './support/oidc-provider.js';

// Production sign-in: the console signs an officer in with their organisation's OpenID Connect
// provider (authorization code with PKCE), a real oidc-provider on a fixed local port, and the
// gateway accepts the access token it issues.

const GATEWAY_PORT = 4641;
const PROVIDER_PORT = 4642;
const CLIENT_ID = 'meridian-console';

describeInBrowser('console sign-in with OpenID Connect (production)', () => {
  let provider: TestOidcProvider;
  let t: TestGateway;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const gateway = `http://127.0.0.1:${GATEWAY_PORT}`;
  const requests: string[] = [];

  beforeAll(async () => {
    provider = await startOidcProvider({
      port: PROVIDER_PORT,
      clientId: CLIENT_ID,
      redirectUri: `${gateway}/console/`,
      audience: 'meridian-gateway',
      roles: { 'officer-hoffmann': ['compliance_officer'] },
    });
    dir = await mkdtemp(path.join(os.tmpdir(), 'meridian-oidc-'));
    const keysFile = path.join(dir, 'orgs.json');
    await writeFile(
      keysFile,
      JSON.stringify({
        'charite-berlin': {
          name: 'Charité – Universitätsmedizin Berlin',
          jurisdiction: 'DE',
          keys: [provider.publicJwk],
          oidc: { issuer: provider.issuer, clientId: CLIENT_ID },
        },
      }),
    );
    t = await startTestGateway({
      env: {
        NODE_ENV: 'production',
        PORT: String(GATEWAY_PORT),
        MERIDIAN_ORG_KEYS_FILE: keysFile,
        MERIDIAN_PSEUDONYM_KEY: Buffer.alloc(32, 9).toString('base64'),
      },
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    // What the console's pages ask for (the provider's own login page is the provider's business).
    page.on('request', (request) => {
      if (request.frame().url().startsWith(`${gateway}/`)) requests.push(request.url());
    });
  });
  afterAll(async () => {
    await browser.close();
    await t.close();
    await provider.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('an officer signs in at their organisation and works with a token kept in memory only', async () => {
    await page.goto(`${gateway}/console/`);
    await page.getByRole('heading', { name: 'Sign in with your organisation' }).waitFor();
    expect(await page.getByLabel('Persona', { exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Charité – Universitätsmedizin Berlin' }).click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.locator('input[name="login"]').fill('officer-hoffmann');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]', { hasText: /continue/i }).click();
    await page.waitForURL((url) => url.origin === gateway);
    await page.getByText('Signed in as officer-hoffmann').waitFor();
    expect(page.url()).toBe(`${gateway}/console/`);
    await page.getByRole('heading', { name: 'Active policies' }).waitFor();
    await page.getByRole('cell', { name: 'EU', exact: true }).waitFor();
    await screenshot(page, 'oidc-officer-signed-in');
    // Nothing kept where a script or a later visitor could find it: no token, no session.
    const stored = await page.evaluate(() => localStorage.length + sessionStorage.length);
    expect(stored).toBe(0);
    const elsewhere = requests.filter(
      (url) => !url.startsWith(`${gateway}/`) && !url.startsWith(`${provider.issuer}/`) && !url.startsWith('data:'),
    );
    expect(elsewhere).toEqual([]);
  });

  it('a reload forgets the token: the officer signs in again', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in with your organisation' }).waitFor();
  });
});
