/**
 * Session 7, s7srv (issue 16): `POST /sync/records` serves several threads in one request (a console fetching
 * the bodies a pull withheld, after a clinician signs in), each role-checked and audited as `GET /sync/record`.
 * Real backend on loopback (SQLite; PostgreSQL in the vitest project "postgres"). Answers written by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { MessageRecord, ThreadRecord } from '../../src-shared/domain';
import { RecordsResponse, SYNC_ROUTES } from '../../src-shared/sync';
import type { ServerStore } from '../db/types';
import { useServerDesk } from '../test/desk';
import { messageRecord, threadRecord } from '../../tests/helpers/fixtures';
import { call, signInStaff, type StaffLogin } from '../test/helpers';

const desk = useServerDesk({ scale: 0.05 }); // reception1
let doc: StaffLogin;
let store: ServerStore;
let patientId: string;

const thread = (id: string, poolId: string, topic: ThreadRecord['topic']): ThreadRecord =>
  threadRecord({ id, patientId, subject: `Subject of ${id}`, topic, poolId });
const message = (id: string, threadId: string): MessageRecord =>
  messageRecord({ id, threadId, authorId: patientId, body: `Body of ${id}` });

beforeAll(async () => {
  doc = await signInStaff(desk.run, 'clinician1');
  store = desk.run.server.store;
  patientId = (await store.changesAfter(0, 100_000)).find((r) => r.entity === 'patient')!.id;
  await store.transaction(async () => {
    await store.insertThread(thread('thr-batch-clin', 'clinical', 'clinical-question'));
    await store.insertMessage(message('msg-batch-clin', 'thr-batch-clin'));
    await store.insertThread(thread('thr-batch-desk', 'front-desk', 'scheduling'));
    await store.insertMessage(message('msg-batch-desk', 'thr-batch-desk'));
  });
});

const records = (token: string, body: unknown) =>
  call(desk.run.url, 'POST', SYNC_ROUTES.records, { token, body });

describe('POST /sync/records', () => {
  it('serves a clinician every thread asked for, in order, with its messages; a missing one as data null', async () => {
    const res = await records(doc.accessToken, {
      entity: 'thread',
      ids: ['thr-batch-desk', 'thr-none', 'thr-batch-clin', 'thr-batch-desk'],
    });
    expect(res.status).toBe(200);
    expect(RecordsResponse.parse(res.json)).toEqual({
      records: [
        {
          change: {
            entity: 'thread',
            id: 'thr-batch-desk',
            data: thread('thr-batch-desk', 'front-desk', 'scheduling'),
          },
          related: [
            { entity: 'message', id: 'msg-batch-desk', data: message('msg-batch-desk', 'thr-batch-desk') },
          ],
        },
        { change: { entity: 'thread', id: 'thr-none', data: null }, related: [] },
        {
          change: {
            entity: 'thread',
            id: 'thr-batch-clin',
            data: thread('thr-batch-clin', 'clinical', 'clinical-question'),
          },
          related: [
            { entity: 'message', id: 'msg-batch-clin', data: message('msg-batch-clin', 'thr-batch-clin') },
          ],
        },
      ],
      refused: [],
    });
  });

  it('refuses a receptionist the clinical thread by name, audited on the server, and serves the rest', async () => {
    const res = await records(desk.login.accessToken, {
      entity: 'thread',
      ids: ['thr-batch-clin', 'thr-batch-desk'],
    });
    expect(res.status).toBe(200);
    const answer = RecordsResponse.parse(res.json);
    expect(answer.refused).toEqual(['thr-batch-clin']);
    expect(answer.records.map((r) => r.change.id)).toEqual(['thr-batch-desk']);
    expect(JSON.stringify(answer)).not.toContain('Body of msg-batch-clin');
    const trail = await call(desk.run.url, 'GET', '/audit/entity?entityType=thread&entityId=thr-batch-clin', {
      token: doc.accessToken,
    });
    expect(
      (trail.json as { events: { staffId: string; action: string; outcome: string }[] }).events.filter(
        (e) => e.staffId === 'stf-reception1',
      ),
    ).toEqual([expect.objectContaining({ staffId: 'stf-reception1', action: 'read', outcome: 'failure' })]);
  });

  it('stops an answer past 8 MB of attachments; the ids left out are in neither list', async () => {
    const SIZE = 3 * 1024 * 1024 + 3072; // 4 MiB + 4 KiB as base64: two are past the budget
    await store.transaction(async () => {
      for (const n of [1, 2, 3]) {
        await store.insertThread(thread(`thr-batch-big${n}`, 'clinical', 'clinical-question'));
        await store.insertMessage(message(`msg-batch-big${n}`, `thr-batch-big${n}`));
        await store.insertAttachment({
          id: `att-batch-big${n}`,
          messageId: `msg-batch-big${n}`,
          fileName: 'scan.pdf',
          mimeType: 'application/pdf',
          size: SIZE,
          contentBase64: Buffer.alloc(SIZE, n).toString('base64'),
          version: 1,
        });
      }
    });
    const served = async (ids: string[]) => {
      const res = await records(doc.accessToken, { entity: 'thread', ids });
      expect(res.status).toBe(200);
      const answer = RecordsResponse.parse(res.json);
      return [answer.records.map((r) => r.change.id), answer.refused];
    };
    expect(await served(['thr-batch-big1', 'thr-batch-big2', 'thr-batch-big3'])).toEqual([
      ['thr-batch-big1'],
      [],
    ]);
    expect(await served(['thr-batch-big2', 'thr-batch-big3'])).toEqual([['thr-batch-big2'], []]);
    expect(await served(['thr-batch-big3', 'thr-batch-desk'])).toEqual([
      ['thr-batch-big3', 'thr-batch-desk'],
      [],
    ]);
  });

  it('refuses a batch a console of this release never sends', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `thr-${i}`);
    for (const body of [
      { entity: 'thread', ids },
      { entity: 'thread', ids: [] },
      { entity: 'appointment', ids: ['apt-1'] },
      { entity: 'thread', ids: ['thr-batch-desk'], extra: true },
    ]) {
      const res = await records(doc.accessToken, body);
      expect(res.status).toBe(400);
    }
  });
});
