/**
 * The renderer's Content-Security-Policy. The renderer talks to nothing but the main process (through
 * IPC), so it may load only its own files: no remote script, style, font or connection, no inline code,
 * no eval, no plugins, no framing, no form posts.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'none'"],
  'base-uri': ["'none'"],
  'object-src': ["'none'"],
});

export const CSP_HEADER = 'Content-Security-Policy';

export function contentSecurityPolicy(): string {
  return Object.entries(CSP_DIRECTIVES)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

export type ResponseHeaders = Record<string, string[]>;

/**
 * Response headers with our CSP forced in: any CSP the response brought (under any letter case) is
 * replaced, so nothing served into the window can loosen it. Used by session.webRequest.onHeadersReceived.
 */
export function withCsp(headers: Readonly<Record<string, string | string[]>> | undefined): ResponseHeaders {
  const out: ResponseHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-security-policy' || lower === 'content-security-policy-report-only') continue;
    out[name] = Array.isArray(value) ? [...value] : [value];
  }
  out[CSP_HEADER] = [contentSecurityPolicy()];
  return out;
}
