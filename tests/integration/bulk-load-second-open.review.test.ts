/**
 * Review 5 of issue 16's bulk-load mode: a second opener of the store while the first sync's bulk load runs
 * (another console process on the same data folder, or a tool opening the store) takes the pre-load copy for
 * the mark of a crashed load and puts it back over the live store. Before bulk-load mode, SQLite's own locking
 * kept two connections to one store safe. Real encrypted store.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BulkLoad, PREBULK_SUFFIX } from '../../src-main/store/bulk-load';
import type { Store } from '../../src-main/store/store';
import { CURSOR_KEY } from '../../src-main/sync/apply-changes';
import { openStoreAt, randomKeyHex } from '../helpers/sync-store';
import { tempDir } from '../helpers/tmp';

const opened: Store[] = [];
let cleanup: (() => void) | undefined;
afterEach(() => {
  for (const s of opened.splice(0)) if (s.db.open) s.close();
  cleanup?.();
});

describe('review 5: the store opened a second time during a bulk load', () => {
  it('does not put the pre-load copy back under a load that is running', () => {
    const data = tempDir('clinic-bulk-second-');
    cleanup = data.cleanup;
    const key = randomKeyHex();
    const first = openStoreAt(data.dir, key);
    opened.push(first);
    const bulk = BulkLoad.beginIfNew(first, CURSOR_KEY)!;
    expect(bulk).not.toBeNull();
    // The load writes a pulled record.
    first.db
      .prepare(
        `INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, version)
         VALUES ('pat-r5', 'MRN-R5', 'Test', 'Person', '1970-01-01', NULL, 1)`,
      )
      .run();
    // A second opener arrives meanwhile: it must either refuse (the store is in use) or leave the load alone.
    let second: Store | null = null;
    try {
      second = openStoreAt(data.dir, key);
      opened.push(second);
    } catch {
      second = null;
    }
    // Fails: the second open renamed the copy over the live file; the first connection now writes to an
    // unlinked file, and the marker is gone.
    expect.soft(fs.existsSync(`${first.file}${PREBULK_SUFFIX}`)).toBe(true);
    bulk.finish();
    first.close();
    second?.close();
    const again = openStoreAt(data.dir, key);
    opened.push(again);
    expect(again.db.prepare(`SELECT count(*) FROM patients WHERE id = 'pat-r5'`).pluck().get()).toBe(1);
  });
});
