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

/** A value parsed from JSON or passed through structured clone: objects, arrays, strings, numbers, booleans, null. */
interface Pending {
  value: unknown;
  /** The pending entry of the container holding this value, and its key there (null at the top). */
  parent: Pending | null;
  key: string | number;
}

const pathOf = (at: Pending, last?: string): (string | number)[] => {
  const path: (string | number)[] = last === undefined ? [] : [last];
  for (let p: Pending | null = at; p !== null && p.parent !== null; p = p.parent) path.push(p.key);
  return path.reverse();
};

/**
 * Where `value` holds a string or an object key that is not well-formed Unicode (see the module comment): its path
 * (keys and array indexes from the top, `[]` for a top-level string), or null when every string is well formed.
 * `skipTopLevel`: a top-level key whose value the caller checks itself (the backend's push refuses each change on
 * its own, never the whole batch: DESIGN §5). Iterative, so input nested any depth cannot overflow the stack; each
 * value is visited once (a value reachable twice, possible only outside JSON, is visited each time). Pure; throws
 * nothing.
 */
export function illFormedTextPath(value: unknown, skipTopLevel?: string): (string | number)[] | null {
  const stack: Pending[] = [{ value, parent: null, key: '' }];
  while (stack.length > 0) {
    const at = stack.pop()!;
    const v = at.value;
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return pathOf(at);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i] as unknown, parent: at, key: i });
    } else if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) {
      const top = at.parent === null;
      for (const [key, inner] of Object.entries(v)) {
        if (!key.isWellFormed()) return pathOf(at, key);
        if (!(top && key === skipTopLevel)) stack.push({ value: inner, parent: at, key });
      }
    }
  }
  return null;
}

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
