import { registerSearchFunctions } from '../repos/search-index';
import type { Migration } from './types';

/**
 * Issue 14 (deliverable 6): search in every script. `messages_fts` is recreated with a gram column and a
 * tokenizer that only splits (all folding is src-shared/text-fold.ts, on the index and the query side), and
 * the existing index is rebuilt from `messages` in one set-based statement, keeping every thread's search key
 * (repos/search-index.ts). Threads still marked dirty are re-indexed by the next refresh as before.
 * - `body`: the folded message with runs of Chinese, Japanese, Korean, Thai… blanked;
 * - `grams`: those runs as character bigrams (src-shared/search-text.ts, indexTextOf);
 * - `tags`: unchanged (the thread's queue attributes as single tokens).
 * The tokenizer keeps combining marks in words (categories M*): FTS5's default splits Devanagari, Thai… words
 * at every vowel sign.
 *
 * File 006, version 6 (numbered in merge order; the list stays gap-free).
 */
export const searchScripts: Migration = {
  version: 6,
  name: 'search in every script: folded words and CJK bigrams',
  up: (db) => {
    registerSearchFunctions(db);
    db.exec(`
      DROP TABLE messages_fts;
      CREATE VIRTUAL TABLE messages_fts USING fts5(body, grams, tags, content='', contentless_delete=1,
        detail='column', tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'");
      INSERT INTO messages_fts (rowid, body, grams, tags)
        SELECT (k.key << 20) + m.ord, search_words(m.body), search_grams(m.body),
          'st' || replace(lower(t.status), '_', '') || ' pr' || lower(t.priority)
          || CASE WHEN t.priority IN ('urgent', 'asap', 'stat') THEN ' qurgent' ELSE '' END
          || ' as' || CASE WHEN t.assignee_id IS NULL THEN 'none' ELSE lower(hex(t.assignee_id)) END
          || ' pv' || CASE WHEN t.provider_id IS NULL THEN 'none' ELSE lower(hex(t.provider_id)) END
        FROM (SELECT thread_id, body, row_number() OVER (PARTITION BY thread_id ORDER BY sent_at, id) - 1 AS ord
              FROM messages) m
        JOIN search_keys k ON k.thread_id = m.thread_id
        JOIN threads t ON t.id = m.thread_id
        WHERE m.ord < ${2 ** 20};
    `);
  },
};
