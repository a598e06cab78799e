import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { describe, it } from 'vitest';

const require = createRequire(import.meta.url);

/** Debian's chromium (`apt-get install -y chromium`); MERIDIAN_CHROMIUM names another build. */
export const CHROMIUM = process.env.MERIDIAN_CHROMIUM ?? '/usr/bin/chromium';

/** Where the browser tests write a screenshot of each page they visit. */
export const SCREENSHOTS = path.resolve(process.env.MERIDIAN_SCREENSHOTS ?? 'test-results/console-screenshots');

/**
 * A suite that needs a real browser. Without chromium it is reported skipped, with one test that
 * says why, and its body is not called (vitest calls a `describe.skipIf` body too).
 */
export function describeInBrowser(title: string, body: () => void): void {
  if (!existsSync(CHROMIUM)) {
    describe.skip(title, () => {
      it(`needs Chromium at ${CHROMIUM} (apt-get install -y chromium)`, () => undefined);
    });
    return;
  }
  describe(title, body);
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Headless chromium with a fresh profile, none of its own network traffic, nothing downloaded. */
export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'meridian-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface AxeViolation {
  readonly id: string;
  readonly help: string;
  readonly nodes: readonly { target: readonly string[] }[];
}

let axeSource: string | undefined;

/** axe-core's violations on the page as it is now (evaluated through the DevTools protocol, past the CSP). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

/** Writes a full-page screenshot to SCREENSHOTS and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
