import { EventEmitter } from 'node:events';
import type { App, Session, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { CSP_HEADER, contentSecurityPolicy } from './csp';
import {
  decideWindowOpen,
  guardAllWebContents,
  guardWebContents,
  hardenSession,
  isAllowedNavigation,
  isAllowedRendererRequest,
  type GuardOptions,
} from './navigation';

const HOSTS = ['meet.clinic.example'];

describe('navigation policy', () => {
  it.each(['app://clinic/index.html', 'app://clinic/', 'app://clinic/index.html#/inbox'])(
    'allows in-app %s',
    (url) => {
      expect(isAllowedNavigation(url)).toBe(true);
    },
  );

  it.each([
    'https://evil.example/',
    'http://127.0.0.1:4317/',
    'file:///etc/passwd',
    'app://evil/index.html',
    'app://clinic:1/index.html',
    'app://x@clinic/index.html',
    'about:blank',
    'data:text/html,<script>alert(1)</script>',
    'javascript:alert(1)',
    'chrome://settings',
    'devtools://devtools/bundled/inspector.html',
    'https://meet.clinic.example/room',
    '',
  ])('refuses %s', (url) => {
    expect(isAllowedNavigation(url)).toBe(false);
  });
});

describe('window.open policy', () => {
  it('always denies a new window, but hands an allow-listed https link to the system browser', () => {
    expect(decideWindowOpen('https://meet.clinic.example/room/1', HOSTS)).toEqual({
      action: 'deny',
      openExternally: 'https://meet.clinic.example/room/1',
    });
  });

  it.each([
    'https://evil.example/',
    'http://meet.clinic.example/',
    'app://clinic/index.html',
    'file:///etc/passwd',
    'about:blank',
  ])('denies %s without opening anything', (url) => {
    expect(decideWindowOpen(url, HOSTS)).toEqual({ action: 'deny', openExternally: null });
  });
});

describe('renderer request policy', () => {
  it.each(['app://clinic/assets/a.js', 'data:image/png;base64,AAAA', 'blob:app://clinic/6c1f'])(
    'allows %s',
    (url) => {
      expect(isAllowedRendererRequest(url, true)).toBe(true);
    },
  );

  it.each([
    'https://evil.example/x.js',
    'http://127.0.0.1:4317/sync',
    'ws://127.0.0.1:1/',
    'wss://evil.example/',
    'file:///etc/passwd',
    'ftp://x/',
    'app://evil/a.js',
    'not a url',
  ])('blocks %s', (url) => {
    expect(isAllowedRendererRequest(url, true)).toBe(false);
    expect(isAllowedRendererRequest(url, false)).toBe(false);
  });

  it('allows DevTools only in development builds', () => {
    expect(isAllowedRendererRequest('devtools://devtools/bundled/inspector.html', false)).toBe(true);
    expect(isAllowedRendererRequest('devtools://devtools/bundled/inspector.html', true)).toBe(false);
  });
});

/** A stand-in for WebContents: real EventEmitter events, the window-open handler captured. */
class FakeContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
  /** Emit a cancellable event as Electron does; true if the listener prevented it. */
  fire(name: string, url: string, urlOnEvent = true): boolean {
    let prevented = false;
    const event = { preventDefault: () => (prevented = true), ...(urlOnEvent ? { url } : {}) };
    this.emit(name, event, url);
    return prevented;
  }
}

function guarded(): { contents: FakeContents; opened: string[]; errors: unknown[]; options: GuardOptions } {
  const contents = new FakeContents();
  const opened: string[] = [];
  const errors: unknown[] = [];
  const options: GuardOptions = {
    externalHosts: HOSTS,
    openExternal: async (url) => {
      opened.push(url);
    },
    onError: (e) => errors.push(e),
  };
  guardWebContents(contents as unknown as WebContents, options);
  return { contents, opened, errors, options };
}

describe('web contents guards', () => {
  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect'])(
    '%s: refuses leaving the app, allows in-app',
    (name) => {
      const { contents } = guarded();
      expect(contents.fire(name, 'https://evil.example/')).toBe(true);
      expect(contents.fire(name, 'file:///etc/passwd')).toBe(true);
      expect(contents.fire(name, 'app://clinic/index.html')).toBe(false);
    },
  );

  it('reads the URL from the argument when the event does not carry it', () => {
    const { contents } = guarded();
    expect(contents.fire('will-navigate', 'https://evil.example/', false)).toBe(true);
    expect(contents.fire('will-navigate', 'app://clinic/index.html', false)).toBe(false);
  });

  it('refuses every <webview>', () => {
    const { contents } = guarded();
    expect(contents.fire('will-attach-webview', 'app://clinic/index.html')).toBe(true);
  });

  it('denies every new window and opens only allow-listed links externally', async () => {
    const { contents, opened } = guarded();
    expect(contents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'app://clinic/index.html' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'https://meet.clinic.example/room/7' })).toEqual({ action: 'deny' });
    await Promise.resolve();
    expect(opened).toEqual(['https://meet.clinic.example/room/7']);
  });

  it('reports a failing external open instead of throwing into Electron', async () => {
    const contents = new FakeContents();
    const errors: unknown[] = [];
    guardWebContents(contents as unknown as WebContents, {
      externalHosts: HOSTS,
      openExternal: () => Promise.reject(new Error('no browser')),
      onError: (e) => errors.push(e),
    });
    expect(contents.openHandler?.({ url: 'https://meet.clinic.example/room' })).toEqual({ action: 'deny' });
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toHaveLength(1);
  });

  it('guards every web contents the app creates, including later ones', () => {
    const app = new EventEmitter();
    guardAllWebContents(app as unknown as App, guarded().options);
    const later = new FakeContents();
    app.emit('web-contents-created', {}, later);
    expect(later.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(later.fire('will-attach-webview', '')).toBe(true);
    expect(later.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });
});

describe('session hardening', () => {
  type Listener = (
    details: Record<string, unknown>,
    callback: (response: Record<string, unknown>) => void,
  ) => void;
  function hardened(isPackaged: boolean) {
    const s = new EventEmitter() as EventEmitter & Record<string, unknown>;
    const handlers: Record<string, (...args: never[]) => unknown> = {};
    const web: Record<string, Listener> = {};
    let spellchecker: boolean | null = null;
    Object.assign(s, {
      setPermissionRequestHandler: (h: (...args: never[]) => unknown) => (handlers.request = h),
      setPermissionCheckHandler: (h: (...args: never[]) => unknown) => (handlers.check = h),
      setDevicePermissionHandler: (h: (...args: never[]) => unknown) => (handlers.device = h),
      setSpellCheckerEnabled: (on: boolean) => (spellchecker = on),
      webRequest: {
        onBeforeRequest: (l: Listener) => (web.before = l),
        onHeadersReceived: (l: Listener) => (web.headers = l),
      },
    });
    hardenSession(s as unknown as Session, { isPackaged });
    const respond = (name: string, details: Record<string, unknown>): Record<string, unknown> => {
      let out: Record<string, unknown> = {};
      web[name]!(details, (r) => (out = r));
      return out;
    };
    return { s, handlers, respond, spellchecker: () => spellchecker };
  }

  it.each([
    'media',
    'geolocation',
    'notifications',
    'clipboard-read',
    'clipboard-sanitized-write',
    'hid',
    'openExternal',
    'fullscreen',
  ])('denies the %s permission request and check', (permission) => {
    const { handlers } = hardened(true);
    const answers: boolean[] = [];
    (handlers.request as (...a: unknown[]) => void)(
      {},
      permission,
      (granted: boolean) => answers.push(granted),
      {},
    );
    expect(answers).toEqual([false]);
    expect((handlers.check as (...a: unknown[]) => boolean)({}, permission, 'app://clinic', {})).toBe(false);
  });

  it('denies device access', () => {
    expect((hardened(true).handlers.device as () => boolean)()).toBe(false);
  });

  it('cancels every download', () => {
    const { s } = hardened(true);
    let prevented = false;
    s.emit('will-download', { preventDefault: () => (prevented = true) }, {}, {});
    expect(prevented).toBe(true);
  });

  it('turns the spellchecker off', () => {
    expect(hardened(true).spellchecker()).toBe(false);
  });

  it('cancels requests that are not the app’s own', () => {
    const { respond } = hardened(true);
    expect(respond('before', { url: 'https://evil.example/beacon' })).toEqual({ cancel: true });
    expect(respond('before', { url: 'app://clinic/assets/a.js' })).toEqual({ cancel: false });
  });

  it('forces the CSP onto every response', () => {
    const { respond } = hardened(true);
    const out = respond('headers', {
      url: 'https://x/',
      responseHeaders: { 'content-security-policy': ['default-src *'] },
    });
    expect(out).toEqual({ responseHeaders: { [CSP_HEADER]: [contentSecurityPolicy()] } });
  });
});
