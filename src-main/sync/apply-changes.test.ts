import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src-shared/domain';
import type { Change, PullResponse } from '../../src-shared/sync';
import {
  appointmentFixture,
  messageFixture,
  patientFixture,
  threadFixture,
} from '../../tests/helpers/fixtures';
import { type TestStore, makeTestStore, queueThreadChange } from '../../tests/helpers/sync-store';
import { SyncProtocolError, applyPullBatch, parsePullResponse, readCursor } from './apply-changes';

const audit = (over: Partial<AuditRecord> = {}): AuditRecord => ({
  id: 'aud-1',
  at: '2026-11-23T10:00:00.000Z',
  staffId: 'staff-1',
  role: 'clinician',
  deviceId: 'server',
  action: 'update',
  entityType: 'thread',
  entityId: 'thr-1',
  outcome: 'success',
  fields: ['priority'],
  actorKind: 'staff',
  prevHash: '',
  hash: 'h1',
  version: 1,
  ...over,
});

const ftsHits = (t: TestStore, word: string): number =>
  (
    t.store.db.prepare('SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?').get(word) as {
      n: number;
    }
  ).n;

const batch = (changes: Change[], cursor: string, remaining = 0): PullResponse => ({
  changes,
  cursor,
  hasMore: remaining > 0,
  remaining,
});

describe('applyPullBatch', () => {
  let t: TestStore;
  beforeEach(() => {
    t = makeTestStore();
  });
  afterEach(() => t.dispose());

  it('writes every entity kind and advances the cursor', () => {
    const result = applyPullBatch(
      t.store,
      batch(
        [
          { entity: 'patient', id: 'pat-1', data: patientFixture() },
          { entity: 'thread', id: 'thr-1', data: threadFixture() },
          { entity: 'message', id: 'msg-1', data: messageFixture() },
          { entity: 'appointment', id: 'apt-1', data: appointmentFixture() },
          {
            entity: 'staff',
            id: 'staff-1',
            data: {
              id: 'staff-1',
              username: 'amy',
              displayName: 'Amy',
              role: 'clinician',
              providerId: null,
              version: 1,
            },
          },
          {
            entity: 'provider',
            id: 'prov-1',
            data: {
              id: 'prov-1',
              name: 'Dr A',
              locationId: 'loc-main',
              specialty: 'GP',
              slotMinutes: 15,
              dayStartMinute: 480,
              dayEndMinute: 1020,
              version: 1,
            },
          },
          {
            entity: 'attachment',
            id: 'att-1',
            data: {
              id: 'att-1',
              messageId: 'msg-1',
              fileName: 'a.pdf',
              mimeType: 'application/pdf',
              size: 3,
              contentBase64: 'YWJj',
              version: 1,
            },
          },
          { entity: 'audit', id: 'aud-1', data: audit() },
        ],
        '42',
      ),
      { nowIso: '2026-11-23T10:00:00.000Z' },
    );
    expect(result).toMatchObject({ applied: 8, skipped: 0, cursor: '42' });
    expect(readCursor(t.store)).toBe('42');
    expect(t.store.syncState.get('lastSyncedAt')).toBe('2026-11-23T10:00:00.000Z');
    expect(t.store.patients.byId('pat-1')).toEqual(patientFixture());
    expect(t.store.threads.byId('thr-1')).toEqual(threadFixture());
    expect(t.store.appointments.byId('apt-1')).toEqual(appointmentFixture());
    expect(t.store.messages.attachment('att-1')?.content.toString()).toBe('abc');
    expect(t.store.audit.remoteForEntity('thread', 'thr-1', 100)).toEqual([
      expect.objectContaining({
        id: 'aud-1',
        fields: '["priority"]',
        device_id: 'server',
        actor_kind: 'staff',
      }),
    ]);
    expect(ftsHits(t, 'marathon')).toBe(1);
  });

  it('removes deleted records (data null) but never an audit event', () => {
    applyPullBatch(
      t.store,
      batch(
        [
          { entity: 'thread', id: 'thr-1', data: threadFixture() },
          { entity: 'message', id: 'msg-1', data: messageFixture() },
          { entity: 'audit', id: 'aud-1', data: audit() },
        ],
        '3',
      ),
    );
    applyPullBatch(
      t.store,
      batch(
        [
          { entity: 'thread', id: 'thr-1', data: null },
          { entity: 'message', id: 'msg-1', data: null },
          { entity: 'audit', id: 'aud-1', data: null },
        ],
        '6',
      ),
    );
    expect(t.store.threads.byId('thr-1')).toBeNull();
    expect(t.store.messages.exists('msg-1')).toBe(false);
    expect(ftsHits(t, 'marathon')).toBe(0);
    expect(t.store.audit.remoteForEntity('thread', 'thr-1', 100)).toHaveLength(1);
  });

  it('skips a record with a pending local change, and applies it once the outbox is clear', () => {
    applyPullBatch(
      t.store,
      batch([{ entity: 'thread', id: 'thr-1', data: threadFixture({ version: 1 }) }], '1'),
    );
    queueThreadChange(t.store, { op: 'thread.setPriority', priority: 'stat' });
    const r = applyPullBatch(
      t.store,
      batch(
        [{ entity: 'thread', id: 'thr-1', data: threadFixture({ priority: 'urgent', version: 2 }) }],
        '2',
      ),
    );
    expect(r).toMatchObject({ applied: 0, skipped: 1, cursor: '2' });
    expect(t.store.threads.byId('thr-1')).toMatchObject({ priority: 'stat', version: 1 });
    t.store.outbox.remove(t.store.outbox.peek(1)[0]!.id);
    applyPullBatch(
      t.store,
      batch([{ entity: 'thread', id: 'thr-1', data: threadFixture({ priority: 'stat', version: 3 }) }], '3'),
    );
    expect(t.store.threads.byId('thr-1')).toMatchObject({ priority: 'stat', version: 3 });
  });

  it('hands audit events to onAuditRecord when given', () => {
    const seen: string[] = [];
    applyPullBatch(t.store, batch([{ entity: 'audit', id: 'aud-9', data: audit({ id: 'aud-9' }) }], '1'), {
      onAuditRecord: (r) => seen.push(r.id),
    });
    expect(seen).toEqual(['aud-9']);
    expect(t.store.audit.remoteForEntity('thread', 'thr-1', 100)).toHaveLength(0);
  });

  it('is all or nothing: a failure mid-batch leaves the store and the cursor as they were', () => {
    applyPullBatch(t.store, batch([{ entity: 'patient', id: 'pat-1', data: patientFixture() }], '1'));
    expect(() =>
      applyPullBatch(
        t.store,
        batch(
          [
            { entity: 'patient', id: 'pat-2', data: patientFixture({ id: 'pat-2' }) },
            { entity: 'audit', id: 'aud-1', data: audit() },
          ],
          '3',
        ),
        {
          onAuditRecord: () => {
            throw new Error('boom');
          },
        },
      ),
    ).toThrow('boom');
    expect(t.store.patients.byId('pat-2')).toBeNull();
    expect(readCursor(t.store)).toBe('1');
  });
});

describe('parsePullResponse', () => {
  const good = {
    changes: [{ entity: 'patient', id: 'pat-1', data: patientFixture() }],
    cursor: '5',
    hasMore: false,
    remaining: 0,
  };
  it('accepts a valid answer', () => {
    expect(parsePullResponse(good).changes).toHaveLength(1);
  });
  it.each([
    ['a missing field', { ...good, cursor: undefined }],
    ['an unknown entity', { ...good, changes: [{ entity: 'secrets', id: 'x', data: null }] }],
    ['an extra field', { ...good, changes: [{ ...good.changes[0], extra: 1 }] }],
    [
      'a bad record',
      {
        ...good,
        changes: [{ entity: 'patient', id: 'p', data: { ...patientFixture(), birthDate: 'yesterday' } }],
      },
    ],
    ['a non-numeric cursor', { ...good, cursor: '1; DROP TABLE' }],
    ['not an object', 'hello'],
  ])('refuses %s, naming paths but no values', (_name, answer) => {
    let error: unknown;
    try {
      parsePullResponse(answer);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SyncProtocolError);
    expect((error as Error).message).not.toMatch(/Quillfeather|Ottoline|yesterday|DROP/);
  });
});
