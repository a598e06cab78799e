import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  axeViolations,
  describeInBrowser,
  launchBrowser,
  screenshot,
  SCREENSHOTS,
  type Browser,
} from './support/browser.js';
import { frenchPatient, postGraphQL, startTestGateway, type TestGateway } from './support/gateway.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

// What a patient and compliance officers notice in the console, in headless Chromium against the
// real gateway (PostgreSQL, embedded ledger). Screenshots of every page go to SCREENSHOTS.

interface Summary {
  patientSummary: { regions: string[]; receipt: { decisionId: string; auditHash: string; breakGlass: boolean } };
}

const SUMMARY = `query ($p: ID!, $purpose: PurposeOfUse!, $j: String) {
  patientSummary(patientId: $p, purpose: $purpose, justification: $j) { regions receipt { decisionId auditHash breakGlass } } }`;

describeInBrowser('the console in a browser', () => {
  let t: TestGateway;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const requests: string[] = [];
  const shots: string[] = [];
  const sockets: string[] = [];
  const cspViolations: string[] = [];
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    // Webhooks to this machine (the test's receiver) are refused unless allowed; deliveries and
    // subscriptions read the outbox every 100 ms.
    t = await startTestGateway({ env: { MERIDIAN_WEBHOOK_ALLOW_LOCAL: 'true', MERIDIAN_WEBHOOK_POLL_MS: '100' } });
    origin = new URL(t.gateway.url).origin;
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('request', (request) => requests.push(request.url()));
    page.on('websocket', (socket) => sockets.push(socket.url()));
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
    });
  });
  afterAll(async () => {
    await browser.close();
    for (const r of receivers) await r.close();
    await t.close();
    if (shots.length > 0)
      console.log(
        `console screenshots in ${SCREENSHOTS}: ${shots.map((s) => s.slice(SCREENSHOTS.length + 1)).join(', ')}`,
      );
  });

  async function shoot(name: string): Promise<void> {
    shots.push(await screenshot(page, name));
  }

  /** What a keyboard and screen reader user needs: axe-core finds nothing to fix. */
  async function expectAccessible(): Promise<void> {
    const violations = await axeViolations(page);
    expect(violations.map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual(
      [],
    );
  }

  async function signIn(persona: string): Promise<void> {
    await page.goto(`${origin}/console/`);
    await page.getByLabel('Persona', { exact: true }).selectOption(persona);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`Signed in as ${persona}`).waitFor();
  }

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Persona', { exact: true }).waitFor();
  }

  async function status(text: string | RegExp): Promise<void> {
    await page.getByRole('status').filter({ hasText: text }).first().waitFor();
  }

  async function alert(text: string | RegExp): Promise<void> {
    await page.getByRole('alert').filter({ hasText: text }).first().waitFor();
  }

  function outside(): string[] {
    return requests.filter(
      (url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:'),
    );
  }

  it('the development IDE is a bundled GraphiQL that renders and runs a query with nothing fetched from elsewhere', async () => {
    requests.length = 0;
    await page.goto(t.gateway.url);
    await page.locator('.graphiql-container .monaco-editor').first().waitFor();
    await page.getByRole('button', { name: /execute query/i }).click();
    // Without a token `me` is refused, which shows the answer came from the gateway.
    await page.locator('.result-window').getByText('UNAUTHENTICATED').first().waitFor();
    await shoot('ide');
    expect(requests.length).toBeGreaterThan(0);
    expect(outside()).toEqual([]);
  });

  it('the sign-in page lists the demo personas', async () => {
    await page.goto(`${origin}/console/`);
    await page.getByLabel('Persona', { exact: true }).waitFor();
    expect(
      await page.getByLabel('Persona', { exact: true }).locator('option', { hasText: 'officer-schmidt' }).count(),
    ).toBe(1);
    await expectAccessible();
    await shoot('sign-in');
  });

  it('a patient grants a consent and the clinician may read; revokes it and the next read is refused', async () => {
    const patient = frenchPatient(t);
    const doctor = await t.token('dr-weber');
    const read = () => t.graphql<Summary>(SUMMARY, { p: patient.globalId, purpose: 'TREAT' }, doctor);
    const before = await read();
    expect(before.data?.patientSummary.regions).not.toContain('eu-fr');

    await signIn(patient.persona);
    await page.getByRole('heading', { name: 'My consents' }).waitFor();
    await page.getByText('You have granted no consent').waitFor();
    await page.getByLabel('Who').selectOption('JURISDICTION');
    await page.getByLabel(/Jurisdiction \(e\.g\./).fill('DE');
    await expectAccessible();
    await page.getByRole('button', { name: 'Grant consent' }).click();
    await status(/Consent granted \(ACTIVE\); anchored in ledger transaction/);
    const row = page.locator('tr[data-consent]');
    await row.filter({ hasText: 'ACTIVE' }).waitFor();
    expect(await row.textContent()).toContain('anyone in DE');
    await shoot('patient-consents');
    expect((await read()).data?.patientSummary.regions).toContain('eu-fr');

    await page.getByRole('button', { name: /Revoke consent for anyone in DE/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this consent?' });
    await dialog.waitFor();
    await shoot('patient-revoke-confirmation');
    await dialog.getByRole('button', { name: 'Revoke consent' }).click();
    await status(/Consent revoked \(REVOKED\); ledger transaction/);
    await row.filter({ hasText: 'REVOKED' }).waitFor();

    const after = await read();
    expect(after.data?.patientSummary.regions).not.toContain('eu-fr');
    expect(after.errors.map((e) => e.extensions.code)).toContain('CONSENT_REVOKED');

    await page.setViewportSize({ width: 390, height: 844 });
    await expectAccessible();
    await shoot('patient-consents-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('a grant the API refuses shows its message and adds nothing', async () => {
    await page.getByLabel('Who').selectOption('ORGANISATION');
    await page.getByLabel(/Organisation id/).fill('no-such-hospital');
    await page.getByRole('button', { name: 'Grant consent' }).click();
    await alert(/no-such-hospital|organisation/i);
    expect(await page.locator('tr[data-consent]').count()).toBe(1);
  });

  it('the patient sees who looked, break-glass highlighted with its justification, and verifies a receipt', async () => {
    const patient = frenchPatient(t);
    const doctor = await t.token('dr-weber');
    const justification = 'Unconscious on arrival, no next of kin reachable';
    const emergency = await t.graphql<Summary>(
      SUMMARY,
      { p: patient.globalId, purpose: 'ETREAT', j: justification },
      doctor,
    );
    expect(emergency.data?.patientSummary.receipt.breakGlass).toBe(true);

    await page.getByRole('link', { name: 'Who looked at my data' }).click();
    await page.getByRole('heading', { name: 'Who looked at my data' }).waitFor();
    const flagged = page.locator('tr.break-glass');
    await flagged.first().waitFor();
    expect(await flagged.first().textContent()).toContain(justification);
    // The refusals are there too: eu-fr withheld before the consent and after its revocation.
    expect(await page.locator('tbody tr', { hasText: 'CONSENT_REVOKED' }).count()).toBeGreaterThan(0);
    expect(await page.locator('tbody tr', { hasText: 'CONSENT_REQUIRED' }).count()).toBeGreaterThan(0);
    await expectAccessible();
    await shoot('patient-access-log');

    const receipt = emergency.data!.patientSummary.receipt;
    await page.getByRole('link', { name: 'Verify a receipt' }).click();
    await page.getByLabel('Decision id').fill(receipt.decisionId);
    await page.getByLabel('Audit hash').fill(receipt.auditHash);
    await page.getByRole('button', { name: 'Verify' }).click();
    await status('The receipt verifies against the ledger.');
    await expectAccessible();
    await shoot('verify-receipt');
    await page.getByLabel('Audit hash').fill('0'.repeat(64));
    await page.getByRole('button', { name: 'Verify' }).click();
    await status('The receipt does NOT verify.');
    await signOut();
  });

  it('a patient issues an access code for Charité, the clinician opens a care relationship with it, and the patient ends it', async () => {
    const patient = frenchPatient(t);
    await signIn(patient.persona);
    await page.getByRole('link', { name: 'Care relationships' }).click();
    await page.getByRole('heading', { name: 'Care relationships', level: 1 }).waitFor();
    await page.getByText('No organisation has a care relationship with you.').waitFor();
    await page.getByText('You have issued no access code.').waitFor();
    expect(await page.getByLabel(/Valid for \(minutes/).inputValue()).toBe('15');
    await expectAccessible();

    // A code for an organisation the gateway does not know is refused, and nothing is issued.
    await page.getByLabel(/Only for the organisation/).fill('no-such-hospital');
    await page.getByRole('button', { name: 'Issue access code' }).click();
    await alert('organisationId names no organisation known to this gateway.');
    expect(await page.locator('[data-access-code]').count()).toBe(0);
    await page.getByText('You have issued no access code.').waitFor();

    await page.getByLabel(/Only for the organisation/).fill('charite-berlin');
    await page.getByRole('button', { name: 'Issue access code' }).click();
    await status(/Access code issued, valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./);
    const code = (await page.locator('[data-access-code]').textContent())?.trim() ?? '';
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    await page.getByText('It is shown only now:').waitFor();
    expect(await page.locator('.issued-code').textContent()).toContain(patient.globalId);
    const codeRow = page.locator('tr[data-access-code-row]');
    await codeRow.filter({ hasText: 'ACTIVE' }).waitFor();
    expect(await codeRow.count()).toBe(1);
    expect(await codeRow.textContent()).toContain('charite-berlin');
    await expectAccessible();
    await shoot('patient-care-code');
    await signOut();

    await signIn('dr-weber');
    await page.getByRole('heading', { name: 'Open a care relationship', level: 1 }).waitFor();
    await page.getByLabel(/Patient id/).fill(patient.globalId);
    await page.getByLabel(/Access code/).fill('AAAAA-AAAAA');
    await page.getByRole('button', { name: 'Open care relationship' }).click();
    await alert('The access code is not valid for this patient');
    await shoot('clinician-care-wrong-code');
    // The patient's own code, typed as a clinician might: lower case, without the dash.
    await page.getByLabel(/Access code/).fill(code.replace('-', '').toLowerCase());
    await page.getByRole('button', { name: 'Open care relationship' }).click();
    await status(/Care relationship opened for Charité – Universitätsmedizin Berlin, until \d{4}-/);
    const facts = page.locator('dl.facts');
    expect(await facts.textContent()).toContain('Charité – Universitätsmedizin Berlin');
    expect(await facts.textContent()).toContain(patient.globalId);
    await expectAccessible();
    await shoot('clinician-care-opened');
    await signOut();

    await signIn(patient.persona);
    await page.getByRole('link', { name: 'Care relationships' }).click();
    const relationship = page.locator('tr[data-care-relationship]');
    await relationship.filter({ hasText: 'OPEN' }).waitFor();
    expect(await relationship.count()).toBe(1);
    expect(await relationship.textContent()).toContain('Charité – Universitätsmedizin Berlin');
    // The code was used once, after one wrong try.
    await codeRow.filter({ hasText: 'USED' }).waitFor();
    expect(await codeRow.locator('td').nth(3).textContent()).toBe('1');
    await expectAccessible();
    await shoot('patient-care-relationships');

    await page.getByRole('button', { name: /End care relationship with Charité/ }).click();
    const dialog = page.getByRole('dialog', { name: 'End this care relationship?' });
    await dialog.waitFor();
    await shoot('patient-care-end-confirmation');
    await dialog.getByRole('button', { name: 'End care relationship' }).click();
    await status(/Care relationship with Charité – Universitätsmedizin Berlin ended \(ENDED\); ledger transaction/);
    await relationship.filter({ hasText: 'ENDED' }).waitFor();
    await shoot('patient-care-ended');
    expect(await page.getByRole('button', { name: /End care relationship with/ }).count()).toBe(0);
    const mine = await t.graphql<{ myCareRelationships: { status: string }[] }>(
      '{ myCareRelationships { status } }',
      {},
      await t.patientToken(patient.globalId),
    );
    expect(mine.data?.myCareRelationships.map((r) => r.status)).toEqual(['ENDED']);
    await expectAccessible();
    await signOut();
  });

  it('a patient registers a webhook, sees a break-glass access arrive live and delivered, and removes the webhook', async () => {
    // A patient of the German hospital's region no other test here signs in as or reads.
    const french = frenchPatient(t).globalId;
    const patient = t.demo.patients.find(
      (p) =>
        p.globalId !== french &&
        p.locations.some((l) => l.region === 'eu-de') &&
        t.demo.personas.some((persona) => persona.patientId === p.globalId),
    )!;
    const persona = t.demo.personas.find((p) => p.patientId === patient.globalId)!.name;
    const receiver = await WebhookReceiver.start();
    receivers.push(receiver);

    await signIn(persona);
    const opened = page.waitForEvent('websocket');
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    const socket = await opened;
    await page.getByText('You have registered no webhook.').waitFor();
    await page.getByText('Live: new notifications appear at the top').waitFor();
    await expectAccessible();

    await page.getByLabel(/Webhook URL/).fill(receiver.url);
    await page.getByLabel('Also tell me about every other access').check();
    await page.getByRole('button', { name: 'Register webhook' }).click();
    await status(`Webhook registered for ${receiver.url}.`);
    const secret = (await page.locator('[data-webhook-secret]').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await page.getByText('It is shown only now:').waitFor();
    const webhook = page.locator('tr[data-webhook]');
    await webhook.filter({ hasText: receiver.url }).waitFor();
    expect(await webhook.count()).toBe(1);
    expect(await webhook.textContent()).toContain('every access');
    expect(await page.getByLabel(/Webhook URL/).inputValue()).toBe('');
    await expectAccessible();
    await shoot('patient-notifications-webhook-secret');

    const justification = 'Collapsed at the station, no documents, suspected anaphylaxis';
    const emergency = await t.graphql<Summary>(
      SUMMARY,
      { p: patient.globalId, purpose: 'ETREAT', j: justification },
      await t.token('dr-weber'),
    );
    // Records of other regions may be withheld (a partial answer); the read itself is break-glass.
    expect(emergency.data?.patientSummary.receipt.breakGlass).toBe(true);
    const decisionId = emergency.data!.patientSummary.receipt.decisionId;

    // Without a reload: the notification comes over the WebSocket, on top, and is announced.
    const row = page.locator(`tr[data-decision="${decisionId}"]`);
    await row.waitFor();
    expect(await page.locator('tr[data-decision]').first().getAttribute('data-decision')).toBe(decisionId);
    expect(await row.getAttribute('class')).toContain('break-glass');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('Break-glass');
    expect(text).toContain('Charité – Universitätsmedizin Berlin');
    expect(text).toContain('ETREAT');
    expect(text).toContain(justification);
    const announced = page.locator('[aria-live="polite"]#live-announcement');
    await announced.filter({ hasText: justification }).waitFor();
    expect(await announced.textContent()).toContain('New break-glass access to your data by Charité');
    await expectAccessible();
    await shoot('patient-notifications-live');

    await receiver.until(1);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await status(/Notifications read again: \d+ shown\./);
    await row.locator('[data-delivery]').filter({ hasText: 'delivered' }).waitFor();
    expect(await row.locator('[data-delivery]').textContent()).toMatch(
      new RegExp(`${receiver.url}: delivered \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC`),
    );
    expect(receiver.received.some((r) => r.body.includes(decisionId))).toBe(true);
    await shoot('patient-notifications-delivered');

    // A URL the API refuses: its message, and no second webhook.
    await page.getByLabel(/Webhook URL/).fill('ftp://example.org/x');
    await page.getByRole('button', { name: 'Register webhook' }).click();
    await alert('url must be an http:// or https:// URL.');
    expect(await page.getByLabel(/Webhook URL/).getAttribute('aria-invalid')).toBe('true');
    expect(await webhook.count()).toBe(1);
    await shoot('patient-notifications-invalid-url');

    await page.getByRole('button', { name: `Remove webhook ${receiver.url}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove this webhook?' });
    await dialog.waitFor();
    await shoot('patient-notifications-remove-confirmation');
    await dialog.getByRole('button', { name: 'Remove webhook' }).click();
    await status(`Webhook ${receiver.url} removed: nothing more is delivered to it.`);
    await page.getByText('You have registered no webhook.').waitFor();
    const mine = await t.graphql<{ myWebhooks: unknown[] }>(
      '{ myWebhooks { id } }',
      {},
      await t.patientToken(patient.globalId),
    );
    expect(mine.data?.myWebhooks).toEqual([]);
    // The notification stays.
    await row.waitFor();
    await expectAccessible();
    await shoot('patient-notifications-removed');

    // Leaving the page ends the subscription and closes its socket.
    await page.getByRole('link', { name: 'Verify a receipt' }).click();
    if (!socket.isClosed()) await socket.waitForEvent('close');
    await signOut();
  });

  it('when the live connection is refused, the notifications page says so and Refresh still reads the list', async () => {
    const main = page;
    page = await browser.context.newPage();
    try {
      await page.routeWebSocket(/\/graphql$/, (ws) => ws.close({ code: 4403, reason: 'Forbidden' }));
      await signIn(frenchPatient(t).persona);
      await page.getByRole('link', { name: 'Notifications' }).click();
      await alert('No live updates: The gateway refused the live connection (sign in again).');
      await page.getByText('You have no notifications.').or(page.locator('tr[data-notification]').first()).waitFor();
      await page.getByRole('button', { name: 'Refresh' }).click();
      await status(/Notifications read again: \d+ shown\./);
      await expectAccessible();
      await shoot('patient-notifications-no-live');
      await signOut();
    } finally {
      await page.close();
      page = main;
    }
  });

  it('an officer reviews the break-glass queue', async () => {
    await signIn('officer-schmidt');
    await page.getByRole('link', { name: 'Break-glass review' }).click();
    const queued = page.locator('tr.break-glass');
    await queued.first().waitFor();
    const count = await queued.count();
    await expectAccessible();
    await shoot('officer-break-glass-queue');
    await queued
      .first()
      .getByRole('button', { name: /Mark reviewed/ })
      .click();
    await status(/marked reviewed by officer-schmidt/);
    await queued.nth(count - 1).waitFor({ state: 'detached' });
    const queue = await t.graphql<{ breakGlassReviewQueue: { edges: unknown[] } }>(
      '{ breakGlassReviewQueue { edges { cursor } } }',
      {},
      await t.token('officer-schmidt'),
    );
    expect(queue.data?.breakGlassReviewQueue.edges).toHaveLength(count - 1);
  });

  it("the officer's access log filters to break-glass decisions", async () => {
    await page.getByRole('link', { name: 'Access log' }).click();
    await page.getByRole('heading', { name: 'Access log' }).waitFor();
    await page.locator('tbody tr').first().waitFor();
    await page.getByLabel('Break-glass only').check();
    await status(/decisions shown \(break-glass only\)/);
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await page.locator('tbody tr:not(.break-glass)').count()).toBe(0);
    await expectAccessible();
    await shoot('officer-access-log');
  });

  async function openPolicy(jurisdiction: string): Promise<void> {
    await page.getByRole('link', { name: 'Policies' }).click();
    await page.getByLabel('Work on the policy of').selectOption(jurisdiction);
    await page.getByRole('heading', { name: `History of ${jurisdiction}` }).waitFor();
  }

  async function history(jurisdiction: string): Promise<{ version: string; status: string }[]> {
    const res = await t.graphql<{ policyHistory: { version: string; status: string }[] }>(
      'query ($j: String!) { policyHistory(jurisdiction: $j) { version status } }',
      { j: jurisdiction },
      await t.token('officer-schmidt'),
    );
    return res.data!.policyHistory;
  }

  it('a draft with an invalid field shows an inline error and saves nothing', async () => {
    await openPolicy('EU');
    await expectAccessible();
    await shoot('officer-policies');
    const editor = page.getByLabel(/Policy document \(JSON/);
    const doc = JSON.parse(await editor.inputValue()) as { version: string; rules: { consentDefault: string } };
    const stored = await history('EU');
    doc.version = '2099.1';
    doc.rules.consentDefault = 'sometimes';
    await editor.fill(JSON.stringify(doc, null, 2));
    await page.locator('#draft-problems').getByText('rules.consentDefault').waitFor();
    await page.getByRole('button', { name: 'Save draft' }).click();
    await alert('Nothing was saved');
    await shoot('officer-draft-invalid');
    expect(await history('EU')).toEqual(stored);
  });

  it('an officer drafts, sees the diff and the simulation, and may not approve their own draft', async () => {
    const editor = page.getByLabel(/Policy document \(JSON/);
    const doc = JSON.parse(await editor.inputValue()) as {
      version: string;
      rules: { consentDefault: string; purposes: { TREAT: { categories: string[] } } };
    };
    doc.rules.consentDefault = 'opt_in';
    // Treatment no longer sees results: decisions audited above change.
    doc.rules.purposes.TREAT.categories = doc.rules.purposes.TREAT.categories.filter((c) => c !== 'results');
    await editor.fill(JSON.stringify(doc, null, 2));
    expect(await page.locator('#draft-problems li').count()).toBe(0);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await status(/Draft EU 2099\.1 saved \(DRAFT\); anchored in ledger transaction/);
    await page.getByRole('heading', { name: /Review EU 2099\.1 \(DRAFT/ }).waitFor();

    await page.getByRole('button', { name: 'Show diff' }).click();
    const diff = page.getByRole('table', { name: 'Changes against the active version' });
    await diff.waitFor();
    expect(await diff.textContent()).toContain('rules.purposes.TREAT.categories');
    expect(await diff.textContent()).toContain('version');

    await page.getByRole('button', { name: 'Simulate on recent requests' }).click();
    await status(/Replayed \d+ recent requests: [1-9]\d* decision\(s\) would change/);
    const changed = page.getByRole('table', { name: 'Decisions that would change' });
    expect(await changed.locator('tbody tr').count()).toBeGreaterThan(0);
    await expectAccessible();
    await shoot('officer-draft-diff-simulation');

    await page.getByRole('button', { name: 'Approve' }).click();
    await alert(/must be approved by a different compliance officer \(four eyes\)/);
    expect((await history('EU')).find((v) => v.version === '2099.1')?.status).toBe('DRAFT');
    await signOut();
  });

  it('a second officer approves and activates it, and the active policies show it', async () => {
    await signIn('officer-dubois');
    await openPolicy('EU');
    await page.getByRole('button', { name: 'Review version 2099.1' }).click();
    await page.getByRole('button', { name: 'Approve' }).click();
    await status(/Version 2099\.1 approved \(APPROVED\)/);
    await page.getByRole('button', { name: 'Review version 2099.1' }).click();
    await page.getByRole('button', { name: 'Activate' }).click();
    await status(/Version 2099\.1 activated \(ACTIVE\)/);
    await page.getByRole('row', { name: /EU 2099\.1/ }).waitFor();
    await shoot('officer-activated');
    expect((await history('EU')).find((v) => v.version === '2099.1')?.status).toBe('ACTIVE');
  });

  it('a patient erases their data after confirming, keeps the receipt, and nothing of theirs is disclosed again', async () => {
    const french = frenchPatient(t).globalId;
    // The last test of a patient: any other patient's data stays.
    const persona = t.demo.personas.find((p) => p.role === 'patient' && p.patientId !== french)!;
    await signIn(persona.name);
    await page.getByRole('link', { name: 'Erase my data' }).click();
    await page.getByRole('heading', { name: 'Erase my data', level: 1 }).waitFor();
    await expectAccessible();
    // Asked first; keeping it changes nothing.
    await page.getByRole('button', { name: 'Erase my data…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Erase all your data?' });
    await dialog.getByText('This cannot be undone').waitFor();
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await page.getByRole('button', { name: 'Erase my data…' }).click();
    await shoot('patient-erase-confirmation');
    await dialog.getByRole('button', { name: 'Erase my data' }).click();
    await status('Your data was erased. Keep the receipt below.');
    const receipt = page.getByRole('definition').first();
    await receipt.waitFor();
    expect(await page.getByLabel('Erasure receipt').textContent()).toMatch(/(eu-de|eu-fr|us-ma): [1-9]\d*/);
    await expectAccessible();
    await shoot('patient-erasure-receipt');
    await signOut();
    const res = await postGraphQL<unknown>(
      t.gateway.url,
      { query: SUMMARY, variables: { p: persona.patientId, purpose: 'TREAT' } },
      await t.token('dr-johnson'),
    );
    expect(res.data).toBeNull();
    expect(res.errors[0]?.extensions.code).toBe('NOT_FOUND');
  });

  it('the console fetched nothing from outside the gateway, and its Content-Security-Policy refused nothing', () => {
    expect(outside()).toEqual([]);
    // The notifications page's WebSocket (ws: of the gateway's own host) is allowed by connect-src 'self'.
    expect(sockets.length).toBeGreaterThan(0);
    expect(sockets.every((url) => url === `${origin.replace(/^http/, 'ws')}/graphql`)).toBe(true);
    expect(cspViolations).toEqual([]);
  });
});
