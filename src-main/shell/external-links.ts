/**
 * Which links may leave the app for the system browser: https virtual-visit links on an allow-list of
 * hosts, nothing else (Electron security checklist item 15). Pure, so it is tested as data.
 */
export const DEFAULT_VIRTUAL_VISIT_HOSTS: readonly string[] = Object.freeze([
  'meet.clinic.example',
  'visit.clinic.example',
]);

const MAX_URL_LENGTH = 2048;
// A plain DNS name: labels of letters, digits and hyphens. No wildcards, no IP literals, no ports.
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * The allow-list from configuration (e.g. CLINIC_VIRTUAL_VISIT_HOSTS="meet.a.org,visit.b.org").
 * Anything that is not a plain host name is dropped, so a typo can only make the list stricter.
 */
export function parseHostList(
  value: string | undefined,
  fallback: readonly string[] = DEFAULT_VIRTUAL_VISIT_HOSTS,
): readonly string[] {
  if (value === undefined || value.trim() === '') return fallback;
  const hosts = value
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => HOST_NAME.test(h));
  return Object.freeze([...new Set(hosts)]);
}

/**
 * The normalized URL to hand to shell.openExternal, or null when it must not be opened.
 * The normalized form (not the caller's string) is what gets opened, so stray control characters
 * the URL parser ignores can never reach the OS handler.
 */
export function allowedExternalUrl(
  url: unknown,
  hosts: readonly string[] = DEFAULT_VIRTUAL_VISIT_HOSTS,
): string | null {
  if (typeof url !== 'string' || url.length > MAX_URL_LENGTH) return null;
  // Control characters and spaces have no place in a meeting link; refuse rather than let the parser drop them.
  for (let i = 0; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return null;
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:') return null;
  if (u.username !== '' || u.password !== '' || u.port !== '') return null;
  if (!hosts.includes(u.hostname)) return null;
  return u.href;
}

export function isAllowedExternal(
  url: unknown,
  hosts: readonly string[] = DEFAULT_VIRTUAL_VISIT_HOSTS,
): boolean {
  return allowedExternalUrl(url, hosts) !== null;
}
