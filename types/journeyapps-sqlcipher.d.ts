// @journeyapps/sqlcipher ships no types; it has node-sqlite3's callback API. Only what the tests and bench use.
declare module '@journeyapps/sqlcipher' {
  type Done = (err: Error | null) => void;
  interface Statement {
    run(...params: [...unknown[], Done] | unknown[]): this;
    get(...params: [...unknown[], (err: Error | null, row: unknown) => void]): this;
    all(...params: [...unknown[], (err: Error | null, rows: unknown[]) => void]): this;
    finalize(cb?: Done): void;
  }
  class Database {
    constructor(file: string, cb?: (err: Error | null) => void);
    serialize(fn?: () => void): void;
    run(sql: string, params: unknown[], cb?: (this: { changes: number }, err: Error | null) => void): this;
    run(sql: string, cb?: (this: { changes: number }, err: Error | null) => void): this;
    get(sql: string, params: unknown[], cb: (err: Error | null, row: unknown) => void): this;
    get(sql: string, cb: (err: Error | null, row: unknown) => void): this;
    all(sql: string, params: unknown[], cb: (err: Error | null, rows: unknown[]) => void): this;
    all(sql: string, cb: (err: Error | null, rows: unknown[]) => void): this;
    each(
      sql: string,
      row: (err: Error | null, row: unknown) => void,
      complete: (err: Error | null, count: number) => void,
    ): this;
    exec(sql: string, cb?: (err: Error | null) => void): this;
    prepare(sql: string, cb?: (err: Error | null) => void): Statement;
    close(cb?: (err: Error | null) => void): void;
  }
  const sqlcipher: { Database: typeof Database; verbose(): { Database: typeof Database } };
  export default sqlcipher;
}
