/**
 * Session 7, s7srv (issue 16 §2): the SQLite change log keeps each record's wire text as written (schema 11). It
 * must never be served stale: a later write of the record, even one that forgets its change row, clears it, and
 * the pull then encodes the row as it is. Expected answers are written by hand.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PatientRecord } from '../../src-shared/domain';
import { messageRecord, SERVER_FIXTURE_AT as AT, threadRecord } from '../../tests/helpers/fixtures';
import { MIGRATIONS } from './schema';
import { SqliteStore } from './sqlite-store';

const PATIENT: PatientRecord = {
  id: 'pat-w1',
  mrn: 'MRN-W1',
  givenName: 'Ada',
  familyName: 'Quinn',
  birthDate: '1980-01-02',
  phone: null,
  version: 1,
};
const THREAD = threadRecord({ id: 'thr-w1', patientId: 'pat-w1', subject: 'Question' });
const MESSAGE = messageRecord({
  id: 'msg-w1',
  threadId: 'thr-w1',
  authorId: 'pat-w1',
  body: 'Can I come "earlier"?',
});

let dir: string;
let store: SqliteStore;
/** A second connection to the same file: writes that bypass the store (as a careless future code path would). */
let raw: Database.Database;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-json-'));
  store = new SqliteStore(dir);
  await store.transaction(async () => {
    await store.insertPatient(PATIENT, null);
    await store.insertThread(THREAD);
    await store.insertMessage(MESSAGE);
  });
  raw = new Database(path.join(dir, 'portal.sqlite'));
});
afterEach(async () => {
  raw.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const kept = (entity: string, id: string) =>
  raw
    .prepare('SELECT wire, thread_id AS threadId FROM changes WHERE entity = ? AND id = ?')
    .get(entity, id) as {
    wire: string | null;
    threadId: string | null;
  };

/** The page's changes (parsed) and, for a receptionist's page, each message's thread and pool. */
async function page(threadPools = false) {
  const rows = await store.transaction(
    () => store.pullPage(0, 100, { leanAudit: true, threadPools }, false),
    {
      readOnly: true,
    },
  );
  return rows.rows.map((r) => ({ ...r, json: r.json === null ? null : (JSON.parse(r.json) as unknown) }));
}

describe('the kept wire text of a record (SQLite schema 11)', () => {
  it('is written with the change row, as the record is then', () => {
    expect(kept('message', 'msg-w1')).toEqual({
      wire:
        '{"entity":"message","id":"msg-w1","data":{"id":"msg-w1","threadId":"thr-w1","authorKind":"patient",' +
        '"authorId":"pat-w1","body":"Can I come \\"earlier\\"?","sentAt":"2026-03-02T08:00:00.000Z","version":1}}',
      threadId: 'thr-w1',
    });
    expect(kept('thread', 'thr-w1').wire).toBe(
      '{"entity":"thread","id":"thr-w1","data":{"id":"thr-w1","patientId":"pat-w1","subject":"Question",' +
        '"status":"new","priority":"routine","assigneeId":null,"providerId":null,' +
        '"createdAt":"2026-03-02T08:00:00.000Z","updatedAt":"2026-03-02T08:00:00.000Z",' +
        '"lastMessageAt":"2026-03-02T08:00:00.000Z","dueAt":null,"version":1,"topic":"scheduling",' +
        '"poolId":"front-desk"}}',
    );
  });

  it('is replaced by the update that writes the next change row', async () => {
    await store.updateThread({ ...THREAD, subject: 'Earlier slot?', version: 2 });
    expect(JSON.parse(kept('thread', 'thr-w1').wire!)).toEqual({
      entity: 'thread',
      id: 'thr-w1',
      data: { ...THREAD, subject: 'Earlier slot?', version: 2 },
    });
  });

  it('is cleared by a write that leaves the change row alone, and the pull serves the row as it is', async () => {
    raw.prepare("UPDATE messages SET body = 'Edited behind the log' WHERE id = 'msg-w1'").run();
    raw.prepare("UPDATE patients SET phone = '555-0100' WHERE id = 'pat-w1'").run();
    expect(kept('message', 'msg-w1')).toEqual({ wire: null, threadId: null });
    expect(kept('patient', 'pat-w1')).toEqual({ wire: null, threadId: null });
    const served = await page(true);
    expect(served.find((r) => r.id === 'msg-w1')).toEqual({
      seq: expect.any(Number),
      entity: 'message',
      id: 'msg-w1',
      json: {
        entity: 'message',
        id: 'msg-w1',
        data: { ...MESSAGE, body: 'Edited behind the log' },
      },
      threadId: 'thr-w1',
      poolId: 'front-desk',
    });
    expect(served.find((r) => r.id === 'pat-w1')?.json).toEqual({
      entity: 'patient',
      id: 'pat-w1',
      data: { ...PATIENT, phone: '555-0100' },
    });
  });

  it('is cleared when the row is deleted, and the pull serves data null', async () => {
    raw.prepare("DELETE FROM messages WHERE id = 'msg-w1'").run();
    expect(kept('message', 'msg-w1')).toEqual({ wire: null, threadId: null });
    expect((await page(true)).find((r) => r.id === 'msg-w1')).toEqual({
      seq: expect.any(Number),
      entity: 'message',
      id: 'msg-w1',
      json: { entity: 'message', id: 'msg-w1', data: null },
      threadId: null,
      poolId: null,
    });
  });

  it('is cleared when a row is replaced whole (INSERT OR REPLACE fires no delete trigger)', async () => {
    raw
      .prepare(
        `INSERT OR REPLACE INTO messages (id, thread_id, author_kind, author_id, body, sent_at, version)
         VALUES ('msg-w1', 'thr-w1', 'patient', 'pat-w1', 'Replaced', ?, 2)`,
      )
      .run(AT);
    expect(kept('message', 'msg-w1').wire).toBeNull();
    expect((await page()).find((r) => r.id === 'msg-w1')?.json).toEqual({
      entity: 'message',
      id: 'msg-w1',
      data: { ...MESSAGE, body: 'Replaced', version: 2 },
    });
  });

  it('gives a message’s thread pool as of the pull: a re-route needs no new message text', async () => {
    await store.updateThread({ ...THREAD, topic: 'clinical-question', poolId: 'clinical', version: 2 });
    expect(kept('message', 'msg-w1').wire).not.toBeNull();
    const message = (await page(true)).find((r) => r.id === 'msg-w1');
    expect([message?.threadId, message?.poolId]).toEqual(['thr-w1', 'clinical']);
  });
});

describe('a store written before schema 11', () => {
  it('serves its old change rows encoded at pull time, and keeps texts for new ones', async () => {
    const old = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-json-old-'));
    try {
      const db = new Database(path.join(old, 'portal.sqlite'));
      MIGRATIONS.slice(0, 10).forEach((sql, i) => {
        db.exec(sql);
        db.pragma(`user_version = ${i + 1}`);
      });
      db.prepare(
        `INSERT INTO patients (id, mrn, given_name, family_name, birth_date, phone, portal_password_hash, version)
         VALUES ('pat-old', 'MRN-OLD', 'Bo', 'Lind', '1975-05-06', '555-0199', NULL, 3)`,
      ).run();
      db.prepare("INSERT INTO changes (entity, id) VALUES ('patient', 'pat-old')").run();
      db.close();
      const upgraded = new SqliteStore(old);
      try {
        await upgraded.insertPatient({ ...PATIENT, id: 'pat-new', mrn: 'MRN-NEW' }, null);
        const rows = await upgraded.transaction(
          () => upgraded.pullPage(0, 100, { leanAudit: true, threadPools: false }, false),
          { readOnly: true },
        );
        const patients = rows.rows
          .filter((r) => r.entity === 'patient')
          .map((r) => JSON.parse(r.json!) as unknown);
        expect(patients).toEqual([
          {
            entity: 'patient',
            id: 'pat-old',
            data: {
              id: 'pat-old',
              mrn: 'MRN-OLD',
              givenName: 'Bo',
              familyName: 'Lind',
              birthDate: '1975-05-06',
              phone: '555-0199',
              version: 3,
            },
          },
          { entity: 'patient', id: 'pat-new', data: { ...PATIENT, id: 'pat-new', mrn: 'MRN-NEW' } },
        ]);
        const check = new Database(path.join(old, 'portal.sqlite'), { readonly: true });
        const wires = check
          .prepare("SELECT id, wire IS NOT NULL AS kept FROM changes WHERE entity = 'patient' ORDER BY seq")
          .all();
        check.close();
        expect(wires).toEqual([
          { id: 'pat-old', kept: 0 },
          { id: 'pat-new', kept: 1 },
        ]);
      } finally {
        await upgraded.close();
      }
    } finally {
      fs.rmSync(old, { recursive: true, force: true });
    }
  });
});
