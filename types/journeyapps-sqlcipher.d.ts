// @journeyapps/sqlcipher ships no types; it has node-sqlite3's callback API. Only what the tests use.
declare module '@journeyapps/sqlcipher' {
  interface Statement {
    finalize(cb?: (err: Error | null) => void): void;
  }
  class Database {
    constructor(file: string, cb?: (err: Error | null) => void);
    serialize(fn: () => void): void;
    run(sql: string, params: unknown[], cb?: (this: { changes: number }, err: Error | null) => void): this;
    run(sql: string, cb?: (this: { changes: number }, err: Error | null) => void): this;
    get(sql: string, params: unknown[], cb: (err: Error | null, row: unknown) => void): this;
    get(sql: string, cb: (err: Error | null, row: unknown) => void): this;
    all(sql: string, params: unknown[], cb: (err: Error | null, rows: unknown[]) => void): this;
    all(sql: string, cb: (err: Error | null, rows: unknown[]) => void): this;
    exec(sql: string, cb?: (err: Error | null) => void): this;
    prepare(sql: string): Statement;
    close(cb?: (err: Error | null) => void): void;
  }
  const sqlcipher: { Database: typeof Database; verbose(): { Database: typeof Database } };
  export default sqlcipher;
}
