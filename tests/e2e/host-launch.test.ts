/**
 * The browser host's launch as `npm start -- --open` does it (issue 11): Chromium gets the path of a launcher
 * file (0600) on its command line, never the code; opening it exchanges the one-time code for the HttpOnly
 * session cookie and shows the sign-in screen. A second browser with the same (spent) link gets nothing, and
 * the page can read no cookie.
 */
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browser-host';
import { startConsole, type TestConsole } from '../helpers/console-harness';
import { launchChromium, RENDERER_DIR, startPortal, type TestPortal } from './harness';

let portal: TestPortal;
let browser: Browser;
let host: BrowserHost;
let clinic: TestConsole;

beforeAll(async () => {
  portal = await startPortal();
  browser = await launchChromium();
  host = await startBrowserHost({
    rendererDir: RENDERER_DIR,
    routerFor: async (origin) => {
      clinic = await startConsole(portal, { autoStart: false, origin });
      return clinic.core.router;
    },
  });
});
afterAll(async () => {
  await browser?.close();
  await host?.close();
  await clinic?.close();
  await portal?.close();
});

describe('browser host launch', () => {
  it('opens the console from the launcher file; the spent link opens nothing', async () => {
    const launcher = host.writeLauncher();
    expect(fs.statSync(launcher).mode & 0o777).toBe(0o600);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`file://${launcher}`);
    await page.getByLabel('Username').waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe('/');
    // The session cookie is HttpOnly: the page cannot read it; the launcher file is gone once used.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(fs.existsSync(launcher)).toBe(false);
    const cookies = await context.cookies(host.origin);
    expect(cookies.find((c) => c.name === host.cookieName)).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });

    const other = await browser.newContext();
    const intruder = await other.newPage();
    const response = await intruder.goto(host.url);
    expect(response?.status()).toBe(403);
    await intruder.goto(host.origin);
    await intruder.getByText(/launch link/).waitFor({ timeout: 15_000 });
    expect(await intruder.getByLabel('Username').count()).toBe(0);
    await other.close();
    await context.close();
  });
});
