/**
 * Issue 16 bulk-load mode, found by review 5: a second opener of the store while the first sync's bulk load runs
 * (another console process on the same data folder, or a tool opening the store) must not take the pre-load
 * copy for the mark of a crashed load and put it back over the live store: the loader holds the store locked
 * and the second open is refused with a clear error. Real encrypted store (the second opener is a second
 * connection in this process: SQLite's locks hold between connections of one process as between processes).
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BulkLoad, PREBULK_SUFFIX } from '../../src-main/store/bulk-load';
import { StoreError } from '../../src-main/store/errors';
import type { Store } from '../../src-main/store/store';
import { CURSOR_KEY } from '../../src-main/sync/apply-changes';
import { insertPatientRow, openStoreAt, randomKeyHex } from '../helpers/sync-store';
import { tempDir } from '../helpers/tmp';

const opened: Store[] = [];
let cleanup: (() => void) | undefined;
afterEach(() => {
  for (const s of opened.splice(0)) if (s.db.open) s.close();
  cleanup?.();
});

describe('the store opened a second time during a bulk load', () => {
  it('is refused as in use, and the running load and its pre-load copy are left alone', () => {
    const data = tempDir('clinic-bulk-second-');
    cleanup = data.cleanup;
    const key = randomKeyHex();
    const first = openStoreAt(data.dir, key);
    opened.push(first);
    const bulk = BulkLoad.beginIfNew(first, CURSOR_KEY)!;
    expect(bulk).not.toBeNull();
    // The load writes a pulled record.
    insertPatientRow(first, 'pat-r5');
    // A second opener arrives meanwhile: refused, the store is in use; the load and its marker are untouched.
    let refusal: unknown = null;
    try {
      opened.push(openStoreAt(data.dir, key));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(StoreError);
    expect((refusal as StoreError).code).toBe('IN_USE');
    expect(fs.existsSync(`${first.file}${PREBULK_SUFFIX}`)).toBe(true);
    bulk.finish();
    expect(fs.existsSync(`${first.file}${PREBULK_SUFFIX}`)).toBe(false);
    // After the load the store opens beside it again, as any WAL store does.
    const beside = openStoreAt(data.dir, key);
    opened.push(beside);
    expect(beside.db.prepare(`SELECT count(*) FROM patients WHERE id = 'pat-r5'`).pluck().get()).toBe(1);
    beside.close();
    first.close();
    const again = openStoreAt(data.dir, key);
    opened.push(again);
    expect(again.db.prepare(`SELECT count(*) FROM patients WHERE id = 'pat-r5'`).pluck().get()).toBe(1);
  });
});
