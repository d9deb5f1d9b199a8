/**
 * Issue 16 §3, "every read stays recorded before its data is returned" (DESIGN.md §7, HIPAA 45 CFR 164.312(b)),
 * observed at the system call: a commit that carries an audit event or an outbox row has fsynced the store's WAL
 * before the call returns, and a pulled batch's commit (re-pullable, src-main/store/durability.ts) has not.
 *
 * strace is not available here, so a small shim (fixtures/fsync-log.c, built with the C compiler that the native
 * modules are built with) is preloaded into a child process that runs the store's real code
 * (fixtures/durable-commit-console.ts); it logs the path of every file flushed. A flush of the WAL logged while the
 * call ran means the commit was on the disk when the call returned (a power cut after it cannot lose the
 * event). audit-durable-commit.test.ts checks the same rule on every router path through the real connection.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoreAt, randomKeyHex } from '../helpers/sync-store';
import { tempDir } from '../helpers/tmp';

const run = promisify(execFile);
const here = import.meta.dirname ?? __dirname;
const ROOT = path.resolve(here, '../..');
const SHIM_SOURCE = path.join(here, 'fixtures/fsync-log.c');
const CHILD = path.join(here, 'fixtures/durable-commit-console.ts');

let work: { dir: string; cleanup: () => void };

beforeAll(() => {
  work = tempDir('clinic-durable-');
});
afterAll(() => work?.cleanup());

describe('durable audit trail, seen as fsync calls', () => {
  it('flushes the WAL before an audited read, an audit event or a local change returns, and not for a pull', async () => {
    const shim = path.join(work.dir, 'fsync-log.so');
    await run('cc', ['-shared', '-fPIC', '-O2', '-o', shim, SHIM_SOURCE, '-ldl']);
    const dataDir = path.join(work.dir, 'store');
    const key = randomKeyHex();
    openStoreAt(dataDir, key).close(); // created (and migrated) before the shim watches
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD], {
      cwd: ROOT,
      timeout: 60_000,
      env: {
        ...process.env,
        LD_PRELOAD: shim,
        FSYNC_LOG: path.join(work.dir, 'fsync.log'),
        DURABLE_DATA_DIR: dataDir,
        DURABLE_STORE_KEY: key,
      },
    });
    const counts = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    // At least one flush of the WAL per durable commit (SQLite's WAL + synchronous = FULL; the first commit into
    // a fresh WAL also flushes its header), none for the pull batches.
    // The index batch (session 7, migration 020): the events naming a record before it (seq 1, 2 and 4; the lock
    // event names none), no flush of the WAL; the read after it is flushed as every read is.
    expect(counts).toMatchObject({
      'pull batch': 0,
      'cursor is 42': 1,
      'index flush': 0,
      'index rows': 3,
      'indexed through': 4,
    });
    for (const durable of [
      'audited read',
      'one audit event',
      'local change',
      'audited read after a pull',
      'audited read after an index flush',
    ])
      expect({ [durable]: counts[durable]! >= 1 }).toEqual({ [durable]: true });
  });
});
