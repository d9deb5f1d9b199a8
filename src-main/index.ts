/**
 * The Electron entry: a thin shell around the plain-Node core (DESIGN.md §3). It owns the window,
 * the app:// protocol, session hardening and IPC wiring; everything else is the core's.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, app, dialog, ipcMain, powerMonitor, protocol, session, shell } from 'electron';
import { enrolAsDemoAdmin } from './auth/demo-enrol';
import { createCore } from './core/create-core';
import { resolveDataDir } from './store/paths';
import { StoreError } from './store/errors';
import { guardedExternalOpener, osKeyStore, powerMonitorIdleSource } from './shell/adapters';
import { APP_ENTRY_URL, APP_ORIGIN } from './shell/app-origin';
import { parseHostList } from './shell/external-links';
import { registerIpc } from './shell/ipc';
import { menuTemplate } from './shell/menu';
import { guardAllWebContents, hardenSession } from './shell/navigation';
import { installAppProtocol, registerAppScheme } from './shell/protocol';
import { mainWindowOptions } from './shell/window-options';

type Core = Awaited<ReturnType<typeof createCore>>;

// Built layout: out/main/index.js, out/preload/index.cjs, out/renderer/index.html.
const here = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD_PATH = path.join(here, '../preload/index.cjs');
const RENDERER_ROOT = path.join(here, '../renderer');

let core: Core | null = null;
let mainWindow: BrowserWindow | null = null;
let quitState: 'running' | 'closing' | 'closed' = 'running';

/** Names and messages only: a core start error names its fix and carries no PHI (DESIGN.md §4). */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function fatal(title: string, error: unknown): void {
  console.error(`${title}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  dialog.showErrorBox(title, describe(error));
  app.exit(1);
}

function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions({ preloadPath: PRELOAD_PATH, isPackaged: app.isPackaged }));
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  win
    .loadURL(APP_ENTRY_URL)
    .catch((error: unknown) => console.error(`Loading the console failed: ${describe(error)}`));
  return win;
}

async function start(): Promise<void> {
  const externalHosts = parseHostList(process.env.CLINIC_VIRTUAL_VISIT_HOSTS);
  const openExternal = guardedExternalOpener(shell, externalHosts);
  const ses = session.defaultSession;

  hardenSession(ses, { isPackaged: app.isPackaged });
  installAppProtocol(ses.protocol, RENDERER_ROOT);
  guardAllWebContents(app, {
    externalHosts,
    openExternal,
    onError: (error) => console.error(`Could not open an external link: ${describe(error)}`),
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(menuTemplate({ isPackaged: app.isPackaged, platform: process.platform })),
  );

  try {
    core = await createCore({
      dataDir: resolveDataDir(),
      keyStore: osKeyStore(),
      // Only an explicit CLINIC_SERVER_URL overrides the address an admin stored in settings
      // (whose default is http://127.0.0.1:4317); passing a default here would reset it every launch.
      ...(process.env.CLINIC_SERVER_URL ? { serverUrl: process.env.CLINIC_SERVER_URL } : {}),
      idleSource: powerMonitorIdleSource(powerMonitor),
      openExternal,
      allowedOrigins: [APP_ORIGIN],
      deviceName: os.hostname(),
    });
    await enrolAsDemoAdmin(core.auth);
  } catch (error) {
    fatal(
      error instanceof StoreError ? 'Clinic Console cannot open its data' : 'Clinic Console could not start',
      error,
    );
    return;
  }

  // Handlers exist before the page loads, so its first call never races them.
  registerIpc(ipcMain, core.router, () => mainWindow);
  mainWindow = createMainWindow();
}

// Before 'ready': every renderer sandboxed, and app:// registered as a standard, secure scheme.
app.enableSandbox();
registerAppScheme(protocol);

if (!app.requestSingleInstanceLock()) {
  // One console per OS user: a second copy would fight over the store and the keychain entry.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('window-all-closed', () => app.quit());

  app.on('activate', () => {
    // macOS dock click after the window was closed: only once the core is up.
    if (core && !mainWindow && quitState === 'running') mainWindow = createMainWindow();
  });

  // Close the core (store, sync) before exiting, then quit for real. A second quit request while it
  // closes waits for the same close.
  app.on('before-quit', (event) => {
    if (!core || quitState === 'closed') return;
    event.preventDefault();
    if (quitState === 'closing') return;
    quitState = 'closing';
    core
      .close()
      .catch((error: unknown) => console.error(`Closing the core failed: ${describe(error)}`))
      .finally(() => {
        quitState = 'closed';
        app.quit();
      });
  });

  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => fatal('Clinic Console could not start', error));
}
