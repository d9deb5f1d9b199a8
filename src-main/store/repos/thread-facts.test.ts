/**
 * ThreadsRepo.facts keeps one thread's patient, pool kind and withheld mark in memory while nothing is written
 * (session 10, issue 16 §3): never stale after a write on this connection (committed or rolled back), nor past the
 * turn of the event loop they were read in (a commit by another connection to the same file), nor a reopen. Each case reads the facts first (so they are kept), changes
 * them below the cache, and reads them again.
 */
import { describe, expect, it, vi } from 'vitest';
import { patientFixture, threadFixture } from '../../../tests/helpers/fixtures';
import { useStoreWithThread } from '../../audit/test-store';

const t = useStoreWithThread((s) => s.store.patients.upsert(patientFixture({ id: 'pat-2', mrn: 'MRN-2' })));

const facts = () => t.store.threads.facts('thr-1');

describe('ThreadsRepo.facts (kept in memory while nothing is written)', () => {
  it('answers again from memory while nothing is written: the thread is not read again', () => {
    expect(facts()).toEqual({ patientId: 'pat-1', poolKind: 'administrative', withheld: false });
    const proto = Object.getPrototypeOf(t.store.db.prepare('SELECT 1')) as { get: () => unknown };
    const get = vi.spyOn(proto, 'get');
    try {
      const again = facts();
      expect(again).toEqual({ patientId: 'pat-1', poolKind: 'administrative', withheld: false });
      expect(get).not.toHaveBeenCalled();
      // While the write counters are paused (a bulk load) nothing is kept.
      get.mockClear();
      t.store.changes.suspend(() => {
        facts();
        facts();
      });
      expect(get).toHaveBeenCalledTimes(2);
    } finally {
      get.mockRestore();
    }
  });

  it('reads again after a write on this connection (the pool changed)', () => {
    expect(t.store.threads.facts('thr-1')?.poolKind).toBe('administrative');
    t.store.db.prepare(`UPDATE threads SET pool_id = 'pool-clin' WHERE id = 'thr-1'`).run();
    expect(t.store.threads.facts('thr-1')?.poolKind).toBe('clinical');
  });

  it("reads again after a write to another table it joins (the pool's kind)", () => {
    expect(t.store.threads.facts('thr-1')?.poolKind).toBe('administrative');
    t.store.db.prepare(`UPDATE pools SET kind = 'clinical' WHERE id = 'pool-admin'`).run();
    expect(t.store.threads.facts('thr-1')?.poolKind).toBe('clinical');
  });

  it('reads again after the withheld mark is set, and after the thread is deleted', () => {
    expect(t.store.threads.localState('thr-1')).toBe('held');
    t.store.db.prepare(`INSERT INTO withheld_threads (thread_id) VALUES ('thr-1')`).run();
    expect(t.store.threads.localState('thr-1')).toBe('withheld');
    t.store.db.prepare(`DELETE FROM threads WHERE id = 'thr-1'`).run();
    expect(t.store.threads.localState('thr-1')).toBe('absent');
    expect(t.store.threads.patientIdOf('thr-1')).toBeNull();
  });

  it('is not left with a value read inside a transaction that rolled back', () => {
    expect(() =>
      t.store.transaction(() => {
        t.store.db.prepare(`UPDATE threads SET patient_id = 'pat-2' WHERE id = 'thr-1'`).run();
        expect(t.store.threads.patientIdOf('thr-1')).toBe('pat-2');
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    expect(t.store.threads.patientIdOf('thr-1')).toBe('pat-1');
  });

  it('is kept when read inside a transaction before its first write (session 11: TableChanges.keptVersion)', () => {
    const proto = Object.getPrototypeOf(t.store.db.prepare('SELECT 1')) as { get: () => unknown };
    t.store.transaction(() => {
      expect(facts()?.patientId).toBe('pat-1');
      const get = vi.spyOn(proto, 'get');
      try {
        expect(facts()?.patientId).toBe('pat-1');
        expect(get).not.toHaveBeenCalled();
      } finally {
        get.mockRestore();
      }
      t.store.db.prepare(`UPDATE threads SET patient_id = 'pat-2' WHERE id = 'thr-1'`).run();
      expect(facts()?.patientId).toBe('pat-2');
    });
    expect(facts()?.patientId).toBe('pat-2');
  });

  it('reads again in the next turn of the event loop after another connection committed a change', async () => {
    expect(t.store.threads.patientIdOf('thr-1')).toBe('pat-1');
    const other = t.raw();
    other.prepare(`UPDATE threads SET patient_id = 'pat-2', pool_id = 'pool-clin' WHERE id = 'thr-1'`).run();
    // Another connection's commit is not counted here: the facts are forgotten after the turn they were read in.
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.store.threads.facts('thr-1')).toEqual({
      patientId: 'pat-2',
      poolKind: 'clinical',
      withheld: false,
    });
  });

  it('keeps nothing across a reopen', () => {
    expect(t.store.threads.patientIdOf('thr-1')).toBe('pat-1');
    t.raw().prepare(`UPDATE threads SET patient_id = 'pat-2' WHERE id = 'thr-1'`).run();
    t.reopen();
    expect(t.store.threads.patientIdOf('thr-1')).toBe('pat-2');
  });

  it('answers per thread: another thread is read, not the kept one', () => {
    t.store.threads.upsert(threadFixture({ id: 'thr-2', patientId: 'pat-2' }));
    expect(t.store.threads.patientIdOf('thr-1')).toBe('pat-1');
    expect(t.store.threads.patientIdOf('thr-2')).toBe('pat-2');
    expect(t.store.threads.facts('thr-2')?.poolKind).toBeNull();
    expect(t.store.threads.facts('thr-missing')).toBeNull();
  });
});
