/**
 * Text that is not well-formed Unicode, refused where it enters (the console's router, the backend's requests).
 *
 * A JavaScript string can hold a lone UTF-16 surrogate (U+D800–U+DFFF outside a pair: a modified client, or text cut
 * in the middle of an emoji). No UTF-8 store keeps it as sent: SQLite stores its three-byte form, which is not UTF-8
 * and comes back as U+FFFD (one or three of them, depending on the reader), and PostgreSQL's driver sends U+FFFD
 * (session 16's review of the backend's pull pages). So a message body could change between what was typed and
 * what the other side reads, differently per backend. Such input is refused with a typed VALIDATION error naming
 * where, never what (the text may be PHI). Rule: ECMAScript 2024 String.prototype.isWellFormed (Unicode §3.9, D89:
 * a well-formed UTF-16 code unit sequence).
 */

/** A container (object or array) waiting to be walked, with the way to it. */
interface Pending {
  value: object;
  /** The pending entry of the container holding this one, and its key there (null at the top). */
  parent: Pending | null;
  key: string | number;
}

const pathOf = (at: Pending | null, last: string | number): (string | number)[] => {
  const path: (string | number)[] = [last];
  for (let p = at; p !== null && p.parent !== null; p = p.parent) path.push(p.key);
  return path.reverse();
};

/**
 * Where `value` holds a string or an object key that is not well-formed Unicode (see the module comment): its path
 * (keys and array indexes from the top, `[]` for a top-level string), or null when every string is well formed.
 * `skipTopLevel`: a top-level key whose value the caller checks itself (the backend's push refuses each change on
 * its own, never the whole batch: DESIGN §5).
 *
 * Callers pass a schema's output (zod builds it afresh, bounded by the schema's limits), not raw input: raw input
 * from a renderer can share objects or loop back on itself (structured clone keeps both), and a raw body of 16 MiB
 * took 2-5 s and 0.5 GB to walk (review of session 17). Even so the walk is iterative (nesting cannot overflow the
 * stack), walks each object or array once (a shared or cyclic one is not walked again), and checks strings where
 * it finds them; typed arrays are not text and are skipped. Pure; throws nothing.
 */
export function illFormedTextPath(value: unknown, skipTopLevel?: string): (string | number)[] | null {
  if (typeof value === 'string') return value.isWellFormed() ? null : [];
  if (typeof value !== 'object' || value === null) return null;
  const seen = new Set<object>([value]);
  const stack: Pending[] = [{ value, parent: null, key: '' }];
  while (stack.length > 0) {
    const at = stack.pop()!;
    const entries: [string | number, unknown][] = Array.isArray(at.value)
      ? at.value.map((inner: unknown, i) => [i, inner])
      : Object.entries(at.value);
    for (const [key, inner] of entries) {
      if (typeof key === 'string' && !key.isWellFormed()) return pathOf(at, key);
      if (at.parent === null && key === skipTopLevel) continue;
      if (typeof inner === 'string') {
        if (!inner.isWellFormed()) return pathOf(at, key);
      } else if (
        typeof inner === 'object' &&
        inner !== null &&
        !ArrayBuffer.isView(inner) &&
        !seen.has(inner)
      ) {
        seen.add(inner);
        stack.push({ value: inner, parent: at, key });
      }
    }
  }
  return null;
}

/**
 * JSON.parse of `text` with every string made well-formed: each lone surrogate becomes U+FFFD (ES2024
 * String.prototype.toWellFormed). For JSON this console stored before such text was refused at input: its outbox
 * rows as they are pushed (a row queued by the release before, or one holding text copied from a stored record, as a
 * series' reason into its rebooked visits), which the backend would refuse otherwise, and personal reply templates,
 * which its own router would refuse to save again (review of session 17). Errors: JSON.parse's SyntaxError.
 */
export const parseWellFormedJson = (text: string): unknown =>
  JSON.parse(text, (_key, inner: unknown) => (typeof inner === 'string' ? inner.toWellFormed() : inner));

/** A path segment safe to repeat in an error: an array index or a short identifier of our schemas. */
const SAFE_SEGMENT = /^(\d{1,6}|[A-Za-z][A-Za-z0-9]{0,39})$/;

/**
 * A path as error text, `where.a.0.b`, each segment that is not a plain identifier or index shown as `?`: nothing
 * a client sent is repeated (a key can itself be PHI, e.g. `"Jane Roe 1970-01-01"`; issue 10).
 */
export function safePathText(where: string, path: readonly PropertyKey[]): string {
  return [where, ...path.map((p) => (SAFE_SEGMENT.test(String(p)) ? String(p) : '?'))]
    .filter(Boolean)
    .join('.');
}

/** The refusal's text for the ill-formed text at `path` under `where` ('' for none). */
export const illFormedTextMessage = (where: string, path: readonly PropertyKey[]): string =>
  `${safePathText(where, path) || '(input)'}: text that is not valid Unicode (a lone UTF-16 surrogate)`;
