/**
 * Transmission security (DESIGN.md §2.4): the console talks to the portal over TLS. Plain http is allowed
 * only to this computer (development, tests, a backend on the same PC), where nothing crosses a network.
 */

/** True for 127.0.0.0/8, ::1 and localhost, as the WHATWG URL parser normalises them. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost') return true;
  if (host === '[::1]' || host === '::1') return true;
  // The URL parser has already turned 0x7f.1, 2130706433 and friends into dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export class ServerUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerUrlError';
  }
}

/**
 * Check a portal server address and return it normalised (no trailing slash), or throw a ServerUrlError
 * that says what to type instead. The address itself is not PHI, but it is kept out of the message anyway
 * apart from its scheme, so the error is safe to log.
 */
export function assertServerUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new ServerUrlError(
      'The server address is not a valid URL; enter it like https://portal.example.org.',
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ServerUrlError(
      `The server address must start with https:// (got ${parsed.protocol.replace(/:$/, '')}://).`,
    );
  }
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
    throw new ServerUrlError(
      'The server address must use https://. Plain http:// is allowed only for this computer ' +
        '(localhost, 127.0.0.1 or [::1]), because patient data must be encrypted in transit.',
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new ServerUrlError('The server address must not contain a user name or password.');
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new ServerUrlError('The server address must not contain a query (?…) or fragment (#…).');
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}
