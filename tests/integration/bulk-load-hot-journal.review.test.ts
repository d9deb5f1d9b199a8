/**
 * Review 6 (adversarial), issue 16 bulk-load crash safety (session 5, 16s): during a first sync's bulk load every
 * audit event and outbox change is also written to the pre-load copy (attached, rollback journal, full fsync). A
 * power cut (here: SIGKILL of a real child process) in the middle of such a write leaves the copy with a hot
 * rollback journal. The restore renames the copy and its journal over the store; the next open must roll that
 * journal back and open the store as it was before the load, with the activity kept until then — not call the
 * store damaged (which tells the person to move it aside and enrol again, losing the kept audit events).
 * Real encrypted store, real child process; expectations written by hand.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STORE_FILE } from '../../src-main/store/paths';
import { makeTestStore, openStoreAt, type TestStore } from '../helpers/sync-store';

const FIXTURE = path.join(import.meta.dirname ?? __dirname, 'fixtures/bulk-load-die-keeping.ts');
let t: TestStore | undefined;
afterEach(() => t?.dispose());

describe('a power cut while the bulk load keeps an audit event in the pre-load copy', () => {
  it('opens at the next start with the pre-load store and the events kept before the cut', async () => {
    t = makeTestStore('clinic-bulk-hot-');
    t.store.close();
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      cwd: path.resolve(import.meta.dirname ?? __dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DIE_DATA_DIR: t.dir, DIE_STORE_KEY: t.key },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    expect(child.signalCode, err.slice(0, 500)).toBe('SIGKILL');
    expect(out).toContain('mid-transaction');
    const file = path.join(t.dir, STORE_FILE);
    // The state the power cut left: the copy with a hot journal beside it.
    expect(fs.existsSync(`${file}-prebulk-journal`)).toBe(true);

    const reopened = openStoreAt(t.dir, t.key);
    t = { ...t, store: reopened, dispose: () => reopened.close() };
    const actions = reopened.db.prepare('SELECT action FROM audit_events ORDER BY seq').pluck().all();
    // The sign-in and the read committed before the cut; the cut transaction is rolled back.
    expect(actions).toEqual(['sign-in', 'read']);
  });
});
