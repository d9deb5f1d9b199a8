// better-sqlite3-multiple-ciphers ships no types; its API is better-sqlite3's (plus cipher pragmas).
declare module 'better-sqlite3-multiple-ciphers' {
  import Database = require('better-sqlite3');
  export = Database;
}
