/**
 * Text the stores refuse: PostgreSQL cannot hold U+0000 in a text column (SQLSTATE 22021), so neither store
 * stores it, and both stores answer the same way. A lookup by such a value finds nothing (no stored text
 * contains one); a write is refused with `UnstorableTextError`, which the HTTP layer answers as 400.
 */

/** Thrown by a store write whose text holds U+0000. `statusCode` 400 makes it a VALIDATION answer. */
export class UnstorableTextError extends Error {
  readonly statusCode = 400;
  constructor() {
    super('Text containing a NUL character (U+0000) cannot be stored.');
    this.name = 'UnstorableTextError';
  }
}

/** True when a statement parameter is text holding U+0000. */
export const hasNul = (params: readonly unknown[]): boolean =>
  params.some((p) => typeof p === 'string' && p.includes('\u0000'));
