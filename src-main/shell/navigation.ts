/**
 * Where web contents may go, and what they may ask for (Electron security checklist items 5, 11-15).
 * The policy is pure predicates, tested as data; the installers take Electron objects as arguments
 * (types only are imported) so they too run against fakes in plain Node.
 */
import type { App, Event, HandlerDetails, Session, WebContents } from 'electron';
import { isAppUrl } from './app-origin';
import { allowedExternalUrl } from './external-links';
import { withCsp } from './csp';

/** In-app navigation only: anything but app://clinic is refused. */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

export type WindowOpenDecision = { action: 'deny'; openExternally: string | null };

/**
 * window.open / target=_blank: never a new Electron window. An allow-listed https virtual-visit link
 * is handed to the system browser instead (the normalized URL, not the page's string).
 */
export function decideWindowOpen(url: string, externalHosts: readonly string[]): WindowOpenDecision {
  return { action: 'deny', openExternally: allowedExternalUrl(url, externalHosts) };
}

const DEV_SCHEMES = new Set(['devtools:', 'chrome-devtools:']);

/**
 * Requests the renderer's session may make. The renderer talks to the core through IPC only, so besides
 * its own files (and inline data:/blob: images) nothing is fetched: no http(s), ws(s), file or ftp.
 * DevTools' own scheme is allowed in development builds only. The core's sync traffic is Node's,
 * not the session's, so it is not affected.
 */
export function isAllowedRendererRequest(url: string, isPackaged: boolean): boolean {
  if (isAppUrl(url)) return true;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'data:' || u.protocol === 'blob:') return true;
  return !isPackaged && DEV_SCHEMES.has(u.protocol);
}

/** Every permission (camera, microphone, geolocation, notifications, clipboard, HID, …) is refused. */
export const permissionPolicy = {
  request: (): boolean => false,
  check: (): boolean => false,
  device: (): boolean => false,
} as const;

export interface GuardOptions {
  externalHosts: readonly string[];
  /** shell.openExternal in production; the allow-list is checked before it is called. */
  openExternal: (url: string) => Promise<void>;
  /** Reports a failure to open an external link (never the URL's query, which may identify a visit). */
  onError?: (error: unknown) => void;
}

type NavigationEvent = Pick<Event, 'preventDefault'> & { url?: string };

/**
 * Lock down one web contents: no navigation away from app://clinic (top frame or subframe, nor by
 * redirect), no new windows, no <webview>. Installed on every web contents the app ever creates.
 */
export function guardWebContents(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  { externalHosts, openExternal, onError }: GuardOptions,
): void {
  const refuseUnlessApp = (event: NavigationEvent, url?: string): void => {
    // Newer Electron puts the URL on the event; older passes it as the second argument.
    const target = event.url ?? url ?? '';
    if (!isAllowedNavigation(target)) event.preventDefault();
  };
  // Typed loosely: these events differ in their detail objects across Electron versions, and only the URL is read.
  const on = contents.on.bind(contents) as (
    event: string,
    listener: (event: NavigationEvent, url?: string) => void,
  ) => void;
  on('will-navigate', refuseUnlessApp);
  on('will-frame-navigate', refuseUnlessApp);
  on('will-redirect', refuseUnlessApp);
  on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler((details: HandlerDetails) => {
    const decision = decideWindowOpen(details.url, externalHosts);
    if (decision.openExternally !== null) {
      openExternal(decision.openExternally).catch((error: unknown) => onError?.(error));
    }
    return { action: 'deny' };
  });
}

/** app 'web-contents-created': every contents, including ones created later, gets the guards. */
export function guardAllWebContents(app: Pick<App, 'on'>, options: GuardOptions): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, options));
}

/**
 * Session-wide: deny all permissions, cancel every download, force our CSP onto every response,
 * block every request that is not the app's own, and turn off the spellchecker (it downloads dictionaries).
 */
export function hardenSession(
  session: Pick<
    Session,
    | 'setPermissionRequestHandler'
    | 'setPermissionCheckHandler'
    | 'setDevicePermissionHandler'
    | 'on'
    | 'webRequest'
    | 'setSpellCheckerEnabled'
  >,
  { isPackaged }: { isPackaged: boolean },
): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(permissionPolicy.request()),
  );
  session.setPermissionCheckHandler(() => permissionPolicy.check());
  session.setDevicePermissionHandler(() => permissionPolicy.device());
  session.on('will-download', (event) => event.preventDefault());
  session.setSpellCheckerEnabled(false);
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRendererRequest(details.url, isPackaged) });
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders) });
  });
}
