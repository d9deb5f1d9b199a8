/**
 * End to end in the real Electron binary: runs only where one exists (DESIGN.md §9), and says so
 * plainly when it does not. It builds the app, launches out/main/index.js with playwright-core and
 * checks the security properties the unit tests can only check as data.
 *
 * Needs: an Electron binary (node_modules/electron/dist or ELECTRON_OVERRIDE_DIST_PATH), a display
 * (xvfb-run on a headless Linux box), a working keychain (scripts/with-keyring.sh), and native addons
 * built for Electron's ABI (the app opens its encrypted store before it shows a window).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src-shared/errors';
import { METHOD_NAMES, type ClinicApi } from '../../src-shared/contract';
import { contentSecurityPolicy } from '../../src-main/shell/csp';
import { findElectronBinary } from './electron-binary';

/**
 * The page's globals, typed here because this file compiles without the DOM library. The functions
 * given to page.evaluate run in the page, so they cast globalThis inline (types vanish, no helper is captured).
 */
interface PageGlobals {
  clinic: ClinicApi;
  location: { href: string };
  open(url: string): unknown;
  document: {
    createElement(tag: 'script'): { textContent: string | null };
    head: { append(node: unknown): void };
  };
  [name: string]: unknown;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const electronPath = findElectronBinary();
const hasElectron = electronPath !== null;
if (!hasElectron) console.log('skipped: no Electron binary');

describe('Electron end to end', () => {
  let app: ElectronApplication | undefined;
  let page: Page;
  let dataDir: string | undefined;

  beforeAll(async () => {
    if (!electronPath) return;
    execFileSync(
      process.execPath,
      [path.join(repoRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
      {
        cwd: repoRoot,
        stdio: 'inherit',
      },
    );
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-electron-e2e-'));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
    app = await _electron.launch({
      executablePath: electronPath,
      // Chromium refuses to start as root without --no-sandbox (containers); the JS-level sandbox still applies.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), path.join(repoRoot, 'out/main/index.js')],
      cwd: repoRoot,
      env: { ...env, CLINIC_DATA_DIR: dataDir },
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(!hasElectron)('loads the app from app://clinic in a sandboxed, isolated window', async () => {
    expect(page.url()).toMatch(/^app:\/\/clinic\//);
    const windows = await app!.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((w) => w.webContents.getURL()),
    );
    expect(windows).toEqual([page.url()]);
  });

  it.skipIf(!hasElectron)('exposes one frozen window.clinic, and no Node', async () => {
    const seen = await page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      const clinic = w.clinic as unknown as Record<string, unknown>;
      return {
        keys: Object.keys(clinic).sort(),
        frozen: Object.isFrozen(clinic),
        functionsFrozen: Object.values(clinic).every((f) => Object.isFrozen(f)),
        require: typeof w.require,
        process: typeof w.process,
        module: typeof w.module,
        Buffer: typeof w.Buffer,
        global: typeof w.global,
      };
    });
    expect(seen).toEqual({
      keys: [...METHOD_NAMES, 'subscribe'].sort(),
      frozen: true,
      functionsFrozen: true,
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      Buffer: 'undefined',
      global: 'undefined',
    });
  });

  it.skipIf(!hasElectron)('answers over IPC and rejects with a plain typed error', async () => {
    const status = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).clinic['session.status']({}),
    );
    expect(typeof status).toBe('object');
    const error = await page.evaluate(() =>
      ((globalThis as unknown as PageGlobals).clinic['thread.get'] as (input: unknown) => Promise<unknown>)({
        nope: 1,
      }).then(
        () => 'resolved',
        (e: unknown) => ({ isError: e instanceof Error, value: e }),
      ),
    );
    expect(error).toMatchObject({
      isError: false,
      value: { code: expect.any(String), message: expect.any(String) },
    });
    expect(ERROR_CODES).toContain((error as { value: { code: string } }).value.code);
    const refused = await page.evaluate(() => {
      try {
        ((globalThis as unknown as PageGlobals).clinic.subscribe as (e: string, l: () => void) => unknown)(
          'not.an.event',
          () => {},
        );
        return 'accepted';
      } catch {
        return 'refused';
      }
    });
    expect(refused).toBe('refused');
  });

  it.skipIf(!hasElectron)('serves every app:// response with the CSP, and enforces it', async () => {
    const header = await page.evaluate(async () =>
      (await fetch('app://clinic/index.html')).headers.get('content-security-policy'),
    );
    expect(header).toBe(contentSecurityPolicy());
    const inlineRan = await page.evaluate(async () => {
      const w = globalThis as unknown as PageGlobals;
      const s = w.document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      w.document.head.append(s);
      await new Promise((r) => setTimeout(r, 100));
      return w.__inlineRan === true;
    });
    expect(inlineRan).toBe(false);
    const remote = await page.evaluate(() =>
      fetch('https://example.com/').then(
        () => 'fetched',
        () => 'blocked',
      ),
    );
    expect(remote).toBe('blocked');
  });

  it.skipIf(!hasElectron)('refuses navigation away and new windows', async () => {
    const windowsBefore = app!.windows().length;
    const opened = await page.evaluate(
      () => (globalThis as unknown as PageGlobals).open('https://example.com/') === null,
    );
    expect(opened).toBe(true);
    await page.evaluate(() => {
      (globalThis as unknown as PageGlobals).location.href = 'https://example.com/';
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(page.url()).toMatch(/^app:\/\/clinic\//);
    expect(app!.windows().length).toBe(windowsBefore);
  });
});
