/**
 * `npm start` without an Electron binary: the same core and router behind the browser host, for development.
 * Prints the URL to open (or opens Debian's Chromium in app mode with --open).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { enrolAsDemoAdmin } from '../auth/demo-enrol';
import { ManualIdleSource } from '../base/adapters';
import { createCore, type Core } from '../core/create-core';
import { KeytarKeyStore } from '../keys/keytar-store';
import { StoreError } from '../store/errors';
import { resolveDataDir } from '../store/paths';
import { startBrowserHost } from './browser-host';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
const open = args.includes('--open');

const idle = new ManualIdleSource();

let core: Core | null = null;
try {
  const host = await startBrowserHost({
    rendererDir: path.resolve(here, '../../out/renderer'),
    port,
    onActivity: () => idle.touch(),
    routerFor: async (origin) => {
      core = await createCore({
        dataDir: resolveDataDir(),
        keyStore: new KeytarKeyStore(),
        serverUrl: process.env.CLINIC_SERVER_URL,
        idleSource: idle,
        // No system browser to hand links to from a headless host: say which link would open.
        openExternal: async (url) => console.log(`clinic: would open ${url} in the system browser`),
        allowedOrigins: [origin],
        deviceName: `${os.hostname()} (browser host)`,
      });
      await enrolAsDemoAdmin(core.auth);
      return core.router;
    },
  });
  if (open && fs.existsSync('/usr/bin/chromium')) {
    // The command line (readable by every local user in /proc) carries the path of a 0600 file, not the code.
    const launcher = host.writeLauncher();
    spawn(
      '/usr/bin/chromium',
      [`--app=file://${launcher}`, '--no-first-run', '--disable-background-networking'],
      {
        stdio: 'ignore',
        detached: true,
      },
    ).unref();
    console.log('Clinic Console (browser host) — opened in Chromium.');
  } else {
    // Printed to this terminal only; the link works once.
    console.log(`Clinic Console (browser host) — open once: ${host.url}`);
  }
  const stop = async (): Promise<void> => {
    await host.close();
    await core?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
} catch (error) {
  // Store errors carry a message naming the fix and no PHI; anything else is reported by kind only.
  console.error(error instanceof StoreError ? error.message : `Could not start: ${(error as Error).message}`);
  process.exit(1);
}
