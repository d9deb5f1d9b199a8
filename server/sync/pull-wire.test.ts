/**
 * Session 7, s7srv (issue 16 §2): pull pages are JSON text the database encodes (server/db/wire-json.ts,
 * server/sync/pull.ts). What a pull serves must still follow the caller's role and device, and the text must be
 * of the rows as they are when the page is read: never an older copy. The answers below are written by hand.
 * Runs on SQLite and, in the vitest project "postgres", on PostgreSQL (vitest.config.ts SERVER_SUITE).
 */
import { isUtf8 } from 'node:buffer';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src-shared/domain';
import {
  PULL_CURSOR_HEADER,
  PULL_HAS_MORE_HEADER,
  PULL_LEAN_AUDIT_CHAIN,
  PULL_LEAN_HEADER,
  PullResponse,
} from '../../src-shared/sync';
import type { ServerStore } from '../db/types';
import { useServerDesk } from '../test/desk';
import { messageRecord, SERVER_FIXTURE_AT as AT, threadRecord } from '../../tests/helpers/fixtures';
import { call, signInStaff, type StaffLogin } from '../test/helpers';
import { pull } from './pull';

const desk = useServerDesk({ scale: 0.05 }); // reception1, signed in on the front-desk PC
let doc: StaffLogin; // clinician1 on another PC
let store: ServerStore;
let patientId: string;

const THREAD = threadRecord({
  id: 'thr-wire-1',
  subject: 'Rash after the new tablets',
  topic: 'clinical-question',
  poolId: 'clinical',
}); // patientId: a demo patient's, set where it is inserted
/** Quotes, a backslash, control characters, accents, an emoji and U+2028: what JSON text must escape or keep. */
const BODY = 'It itches "a lot" \\ since Monday,\nworse at night\t(é, 😷, \u2028, \u0001).';
const MESSAGE = messageRecord({ id: 'msg-wire-1', threadId: 'thr-wire-1', body: BODY }); // authorId: set on insert

/** One page after `after` as `who` sends it (token, or the device credential alone), checked as a console does. */
async function page(
  who: { token?: string; device?: string },
  after: number,
  options: { lean?: boolean } = {},
): Promise<PullResponse> {
  const res = await call(desk.run.url, 'GET', `/sync/pull?after=${after}`, {
    ...(who.token ? { token: who.token } : { device: who.device! }),
    headers: options.lean === false ? {} : { [PULL_LEAN_HEADER]: PULL_LEAN_AUDIT_CHAIN },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const parsed = PullResponse.parse(res.json); // the console's own validation of every answer
  expect(res.headers.get(PULL_CURSOR_HEADER)).toBe(parsed.cursor);
  expect(res.headers.get(PULL_HAS_MORE_HEADER)).toBe(String(parsed.hasMore));
  return res.json as PullResponse;
}

const reception = () => ({ token: desk.login.accessToken });

/** A clinical thread of the demo patient and one message of theirs in it, written in one transaction. */
async function insertThreadAndMessage(threadId: string, messageId: string, body = BODY): Promise<void> {
  await store.transaction(async () => {
    await store.insertThread({ ...THREAD, id: threadId, patientId, poolId: 'clinical' });
    await store.insertMessage({ ...MESSAGE, id: messageId, threadId, authorId: patientId, body });
  });
}
const clinician = () => ({ token: doc.accessToken });

beforeAll(async () => {
  doc = await signInStaff(desk.run, 'clinician1');
  store = desk.run.server.store;
  const first = (await store.changesAfter(0, 100_000)).find((r) => r.entity === 'patient');
  patientId = first!.id;
});

/** The change log's top before the clinical thread was written. */
let before: number;

describe('a clinical thread pulled by a receptionist and by a clinician', () => {
  let cursor: string;

  beforeAll(async () => {
    before = await store.latestSeq();
    await store.transaction(async () => {
      await store.insertThread({ ...THREAD, patientId });
      await store.insertMessage({ ...MESSAGE, authorId: patientId });
    });
  });

  it('gives the receptionist the thread (topic, subject) and names it withheld; the clinician all of it', async () => {
    const thread = {
      entity: 'thread',
      id: 'thr-wire-1',
      data: {
        id: 'thr-wire-1',
        patientId,
        subject: 'Rash after the new tablets',
        status: 'new',
        priority: 'routine',
        assigneeId: null,
        providerId: null,
        createdAt: AT,
        updatedAt: AT,
        lastMessageAt: AT,
        dueAt: null,
        version: 1,
        topic: 'clinical-question',
        poolId: 'clinical',
      },
    };
    const message = {
      entity: 'message',
      id: 'msg-wire-1',
      data: {
        id: 'msg-wire-1',
        threadId: 'thr-wire-1',
        authorKind: 'patient',
        authorId: patientId,
        body: BODY,
        sentAt: AT,
        version: 1,
      },
    };
    const r = await page(reception(), before);
    cursor = r.cursor;
    expect(r).toEqual({
      changes: [thread],
      cursor,
      hasMore: false,
      remaining: 0,
      withheld: ['thr-wire-1'],
    });
    expect(await page(clinician(), before)).toEqual({
      changes: [thread, message],
      cursor,
      hasMore: false,
      remaining: 0,
    });
  });

  it('serves an update as of the pull: re-routed to the front desk, then back to a clinical pool', async () => {
    await store.updateThread({
      ...THREAD,
      patientId,
      subject: 'Booking question',
      topic: 'scheduling',
      poolId: 'front-desk',
      updatedAt: '2026-03-02T08:05:00.000Z',
      version: 2,
    });
    const message = {
      entity: 'message',
      id: 'msg-wire-1',
      data: {
        id: 'msg-wire-1',
        threadId: 'thr-wire-1',
        authorKind: 'patient',
        authorId: patientId,
        body: BODY,
        sentAt: AT,
        version: 1,
      },
    };
    const frontDesk = {
      entity: 'thread',
      id: 'thr-wire-1',
      data: {
        id: 'thr-wire-1',
        patientId,
        subject: 'Booking question',
        status: 'new',
        priority: 'routine',
        assigneeId: null,
        providerId: null,
        createdAt: AT,
        updatedAt: '2026-03-02T08:05:00.000Z',
        lastMessageAt: AT,
        dueAt: null,
        version: 2,
        topic: 'scheduling',
        poolId: 'front-desk',
      },
    };
    // The change log moved the thread after its message; the receptionist now gets the body too.
    const r = await page(reception(), before);
    expect(r.changes).toEqual([message, frontDesk]);
    expect(r.withheld).toBeUndefined();
    expect((await page(clinician(), before)).changes).toEqual([message, frontDesk]);
    // A console that already had the first page gets only the thread's new state.
    expect((await page(reception(), Number(cursor))).changes).toEqual([frontDesk]);

    // Back into no pool and no topic (counts as clinical): withheld again, and neither key on the wire.
    await store.updateThread({
      ...THREAD,
      patientId,
      subject: 'Booking question',
      topic: undefined,
      poolId: undefined,
      updatedAt: '2026-03-02T08:10:00.000Z',
      version: 3,
    });
    const unrouted = {
      entity: 'thread',
      id: 'thr-wire-1',
      data: {
        id: 'thr-wire-1',
        patientId,
        subject: 'Booking question',
        status: 'new',
        priority: 'routine',
        assigneeId: null,
        providerId: null,
        createdAt: AT,
        updatedAt: '2026-03-02T08:10:00.000Z',
        lastMessageAt: AT,
        dueAt: null,
        version: 3,
      },
    };
    const again = await page(reception(), before);
    expect(again.changes).toEqual([unrouted]);
    expect(again.withheld).toEqual(['thr-wire-1']);
    expect((await page(clinician(), before)).changes).toEqual([message, unrouted]);
  });
});

describe('other records on the wire', () => {
  it('serves an audit event without its chain hashes to a console that asks, with them otherwise', async () => {
    const before = await store.latestSeq();
    const event: AuditRecord = {
      id: 'aud-wire-1',
      at: '2026-03-02T08:20:00.000Z',
      staffId: 'stf-clinician1',
      role: 'clinician',
      deviceId: doc.deviceId,
      action: 'read',
      entityType: 'thread',
      entityId: 'thr-wire-1',
      outcome: 'success',
      fields: ['body', 'subject'],
      actorKind: 'staff',
      purposeOfEvent: 'BTG',
      prevHash: 'a'.repeat(64),
      hash: 'b'.repeat(64),
      version: 1,
    };
    await store.insertAuditEvent(event, 'console');
    const lean = {
      id: 'aud-wire-1',
      at: '2026-03-02T08:20:00.000Z',
      staffId: 'stf-clinician1',
      role: 'clinician',
      deviceId: doc.deviceId,
      action: 'read',
      entityType: 'thread',
      entityId: 'thr-wire-1',
      outcome: 'success',
      fields: ['body', 'subject'],
      actorKind: 'staff',
      purposeOfEvent: 'BTG',
      version: 1,
    };
    expect((await page(clinician(), before)).changes).toEqual([
      { entity: 'audit', id: 'aud-wire-1', data: lean },
    ]);
    expect((await page(clinician(), before, { lean: false })).changes).toEqual([
      {
        entity: 'audit',
        id: 'aud-wire-1',
        data: { ...lean, prevHash: 'a'.repeat(64), hash: 'b'.repeat(64) },
      },
    ]);
  });

  it('serves a deleted record as data null', async () => {
    const before = await store.latestSeq();
    await store.upsertPoolTemplate({
      id: 'tpl-wire-1',
      poolId: 'clinical',
      title: 'Rash',
      body: 'Please send a photo.',
      version: 1,
    });
    expect((await page(reception(), before)).changes).toEqual([
      {
        entity: 'poolTemplate',
        id: 'tpl-wire-1',
        data: {
          id: 'tpl-wire-1',
          poolId: 'clinical',
          title: 'Rash',
          body: 'Please send a photo.',
          version: 1,
        },
      },
    ]);
    await store.deletePoolTemplate('tpl-wire-1');
    expect((await page(reception(), before)).changes).toEqual([
      { entity: 'poolTemplate', id: 'tpl-wire-1', data: null },
    ]);
  });

  it('ends a page before the attachment that takes it past 8 MB, and serves the rest on the next', async () => {
    const before = await store.latestSeq();
    const SIZE = 3 * 1024 * 1024 + 3072; // 4 MiB + 4 KiB as base64: two of them are past the 8 MiB budget
    const content = (n: number) => Buffer.alloc(SIZE, n).toString('base64');
    await store.transaction(async () => {
      await store.insertThread({
        ...THREAD,
        id: 'thr-wire-big',
        patientId,
        topic: 'scheduling',
        poolId: 'front-desk',
      });
      await store.insertMessage({
        ...MESSAGE,
        id: 'msg-wire-big',
        threadId: 'thr-wire-big',
        authorId: patientId,
      });
      for (const n of [1, 2, 3])
        await store.insertAttachment({
          id: `att-wire-${n}`,
          messageId: 'msg-wire-big',
          fileName: `scan-${n}.pdf`,
          mimeType: 'application/pdf',
          size: SIZE,
          contentBase64: content(n),
          version: 1,
        });
      await store.upsertPoolTemplate({
        id: 'tpl-wire-big',
        poolId: 'front-desk',
        title: 'Scans',
        body: 'Thanks.',
        version: 1,
      });
    });
    const ids = (p: PullResponse) => p.changes.map((c) => `${c.entity}:${c.id}`);
    const first = await page(reception(), before);
    expect(ids(first)).toEqual(['thread:thr-wire-big', 'message:msg-wire-big', 'attachment:att-wire-1']);
    expect(first.hasMore).toBe(true);
    const second = await page(reception(), Number(first.cursor));
    expect(ids(second)).toEqual(['attachment:att-wire-2']);
    const third = await page(reception(), Number(second.cursor));
    expect(ids(third)).toEqual(['attachment:att-wire-3', 'poolTemplate:tpl-wire-big']);
    expect(third.hasMore).toBe(false);
    const attachment = third.changes[0]!.data as { contentBase64: string; fileName: string };
    expect([attachment.fileName, attachment.contentBase64 === content(3)]).toEqual(['scan-3.pdf', true]);
  });

  it('splices attachments between records of multi-byte text (session 16: the page is sent as bytes)', async () => {
    const before = await store.latestSeq();
    // Multi-byte characters at both ends of a body, beside the ',' joins and the attachments' marks.
    const bodies = ['é, then 😷', '\u2028 "quoted" \\ and \u0001 😷', 'ends in ß'];
    await store.transaction(async () => {
      await store.insertThread({ ...THREAD, id: 'thr-wire-bytes', patientId, poolId: 'clinical' });
      for (const [n, body] of bodies.entries()) {
        await store.insertMessage({
          ...MESSAGE,
          id: `msg-wire-bytes-${n}`,
          threadId: 'thr-wire-bytes',
          authorId: patientId,
          body,
        });
        if (n < 2)
          await store.insertAttachment({
            id: `att-wire-bytes-${n}`,
            messageId: `msg-wire-bytes-${n}`,
            fileName: `photo-${n}.jpg`,
            mimeType: 'image/jpeg',
            size: 3,
            contentBase64: Buffer.from([0xff, 0xd8, n]).toString('base64'),
            version: 1,
          });
      }
    });
    const got = await page(clinician(), before);
    expect(got.changes.map((c) => `${c.entity}:${c.id}`)).toEqual([
      'thread:thr-wire-bytes',
      'message:msg-wire-bytes-0',
      'attachment:att-wire-bytes-0',
      'message:msg-wire-bytes-1',
      'attachment:att-wire-bytes-1',
      'message:msg-wire-bytes-2',
    ]);
    expect(
      got.changes.filter((c) => c.entity === 'message').map((c) => (c.data as { body: string }).body),
    ).toEqual(bodies);
    const photo = got.changes[4]!.data as { contentBase64: string };
    expect(photo.contentBase64).toBe(Buffer.from([0xff, 0xd8, 1]).toString('base64'));
  });

  it('splices attachments first, last, side by side, and a page of attachments only', async () => {
    const photo = (n: number) => ({
      id: `att-wire-edge-${n}`,
      messageId: 'msg-wire-edge',
      fileName: `edge-${n}.jpg`,
      mimeType: 'image/jpeg',
      size: 2,
      contentBase64: Buffer.from([0xff, n]).toString('base64'),
      version: 1,
    });
    await insertThreadAndMessage('thr-wire-edge', 'msg-wire-edge');
    const before = await store.latestSeq();
    await store.transaction(async () => {
      await store.insertAttachment(photo(1));
      await store.insertAttachment(photo(2));
      await store.insertMessage({
        ...MESSAGE,
        id: 'msg-wire-edge-2',
        threadId: 'thr-wire-edge',
        authorId: patientId,
        body: 'ü',
      });
      await store.insertAttachment(photo(3));
    });
    const ids = (p: PullResponse) => p.changes.map((c) => c.id);
    expect(ids(await page(clinician(), before))).toEqual([
      'att-wire-edge-1',
      'att-wire-edge-2',
      'msg-wire-edge-2',
      'att-wire-edge-3',
    ]);
    const res = await call(desk.run.url, 'GET', `/sync/pull?after=${before}&limit=2`, {
      token: doc.accessToken,
      headers: { [PULL_LEAN_HEADER]: PULL_LEAN_AUDIT_CHAIN },
    });
    const only = PullResponse.parse(res.json);
    expect([ids(only), only.hasMore, only.remaining]).toEqual([
      ['att-wire-edge-1', 'att-wire-edge-2'],
      true,
      2,
    ]);
  });

  it('sends valid UTF-8 for a body the database holds as bytes that are not (a lone surrogate)', async () => {
    const before = await store.latestSeq();
    await insertThreadAndMessage('thr-wire-lone', 'msg-wire-lone', 'a\ud800b');
    const answer = await pull(store, { after: String(before) }, 'clinician', { leanAudit: true });
    expect(isUtf8(answer.body)).toBe(true);
    const message = (JSON.parse(answer.body.toString('utf8')) as PullResponse).changes[1]!;
    // SQLite keeps ED A0 80, each byte of which becomes U+FFFD, as the text path before session 16 gave it;
    // PostgreSQL's driver writes one U+FFFD.
    expect((message.data as { body: string }).body).toMatch(/^a\ufffd+b$/);
  });

  it("counts remaining exactly page by page from the page just read, a receptionist's withheld rows included", async () => {
    const before = await store.latestSeq();
    for (const n of [0, 1, 2, 3, 4])
      await insertThreadAndMessage(`thr-wire-count-${n}`, `msg-wire-count-${n}`);
    // Counted independently: the change log's rows after a cursor, as the store lists them.
    const rowsAfter = async (after: number) => (await store.changesAfter(after, 100_000)).length;
    let after = before;
    let pages = 0;
    for (;;) {
      const res = await call(desk.run.url, 'GET', `/sync/pull?after=${after}&limit=3`, {
        token: desk.login.accessToken,
        headers: { [PULL_LEAN_HEADER]: PULL_LEAN_AUDIT_CHAIN },
      });
      const answer = PullResponse.parse(res.json);
      expect(answer.remaining).toBe(await rowsAfter(Number(answer.cursor)));
      after = Number(answer.cursor);
      pages++;
      if (!answer.hasMore) break;
    }
    expect(pages).toBe(4); // 10 rows in pages of 3
  });

  it('serves every record of the demo clinic as the store reads it one by one, in change-log order', async () => {
    // The independent path: ServerStore.loadChange maps rows with rows.ts in JS. Every kind the demo seeds.
    for (const lean of [true, false]) {
      let after = 0;
      const kinds = new Set<string>();
      for (;;) {
        const p = await page(clinician(), after, { lean });
        for (const change of p.changes) {
          kinds.add(change.entity);
          const expected = await store.loadChange(change.entity, change.id);
          if (lean && expected.entity === 'audit' && expected.data) {
            const { prevHash: _p, hash: _h, ...data } = expected.data;
            expect(change).toEqual({ ...expected, data });
          } else expect(change).toEqual(expected);
        }
        after = Number(p.cursor);
        if (!p.hasMore) break;
      }
      for (const kind of ['patient', 'thread', 'message', 'attachment', 'appointment', 'audit', 'pool'])
        expect(kinds).toContain(kind);
    }
  });
});

// Last: it moves the clock past the grace period, which also ends the sessions the tests above use.
describe('a PC whose clearance changes', () => {
  it('follows the PC’s clearance on the device credential alone, as it changes', async () => {
    const device = { device: desk.login.deviceId };
    const withheldNow = await page(device, before);
    expect(withheldNow.changes.map((c) => `${c.entity}:${c.id}`)).toContain('thread:thr-wire-1');
    expect(withheldNow.changes.map((c) => `${c.entity}:${c.id}`)).not.toContain('message:msg-wire-1');
    expect(withheldNow.withheld).toEqual(['thr-wire-1']);
    // A clinician signs in online on the front-desk PC: its credential alone now carries a clinician's clearance.
    await signInStaff(desk.run, 'clinician2', desk.login.deviceId);
    const cleared = await page(device, before);
    expect(cleared.changes.map((c) => `${c.entity}:${c.id}`)).toContain('message:msg-wire-1');
    expect(cleared.withheld).toBeUndefined();
    // Past the offline grace period without signing in again, the PC is back to a receptionist's clearance.
    desk.run.clock.advance(8 * 24 * 3600);
    const lapsed = await page(device, before);
    expect(lapsed.changes.map((c) => `${c.entity}:${c.id}`)).not.toContain('message:msg-wire-1');
    expect(lapsed.withheld).toEqual(['thr-wire-1']);
  });
});
