/**
 * The app's one origin. Kept free of Node and Electron imports: the sandboxed preload bundles it too
 * (a sandboxed preload can require nothing but 'electron').
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'clinic';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** What the main window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * The origin of a URL as `scheme://host[:port]`. Computed by hand because WHATWG URL reports 'null' as
 * the origin of non-special schemes such as app:, while Chromium (where app: is registered standard)
 * reports 'app://clinic'. Unparsable URLs give 'null', which no allow-list contains.
 */
export function originOf(url: string): string {
  const u = parse(url);
  if (!u || !u.host) return 'null';
  // Lower-cased as Chromium does for standard schemes (WHATWG URL leaves non-special hosts as written).
  return `${u.protocol}//${u.host.toLowerCase()}`;
}

/** True only for app://clinic/… exactly: no credentials, no port, no other host. */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return (
    u !== null &&
    u.protocol === `${APP_SCHEME}:` &&
    u.hostname.toLowerCase() === APP_HOST &&
    u.port === '' &&
    u.username === '' &&
    u.password === ''
  );
}
