/**
 * `npm start` without an Electron binary: the same core and router behind the browser host, for development.
 * Prints the URL to open (or opens Debian's Chromium in app mode with --open).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { enrolAsDemoAdmin } from '../auth/demo-enrol';
import { ManualIdleSource } from '../base/adapters';
import { createCore, type Core } from '../core/create-core';
import { KeytarKeyStore } from '../keys/keytar-store';
import { StoreError } from '../store/errors';
import { resolveDataDir } from '../store/paths';
import { startBrowserHost } from './browser-host';

const HELP = `Clinic Console browser host (development and tests only; never part of a packaged build)

Usage: scripts/with-keyring.sh npx tsx src-main/host/cli.ts [options]   (npm start runs it for you)

Options:
  --port N     port on 127.0.0.1 (default 0: a free one)
  --open       open the console in Debian's Chromium (/usr/bin/chromium) in app mode
  -h, --help   this text

Environment:
  CLINIC_SERVER_URL   the portal backend to sync with (npm start sets it)
  CLINIC_DATA_DIR     the console's data folder (default: the OS user-data folder of "Clinic Console")

It prints the URL to open: a launch link (/launch?code=…) good once, for 5 minutes. Scripting the console over its
WebSocket (the same calls as window.clinic): docs/browser-host-protocol.md.
`;

const here = path.dirname(fileURLToPath(import.meta.url));
let values: { port?: string; open: boolean; help: boolean };
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      open: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }));
} catch (error) {
  console.error(`browser host: ${(error as Error).message} (see --help)`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('browser host: --port must be 0-65535');
  process.exit(2);
}
const open = values.open;

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
  const code = (error as { code?: unknown } | null)?.code;
  console.error(
    code === 'EADDRINUSE'
      ? `browser host: port ${port} is already in use: pick another with --port N (or leave it out for a free one).`
      : error instanceof StoreError
        ? error.message
        : `Could not start: ${(error as Error).message}`,
  );
  process.exit(1);
}
