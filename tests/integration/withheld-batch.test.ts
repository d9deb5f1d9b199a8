/**
 * Session 7, s7srv (issue 16): a front-desk PC's withheld clinical bodies are fetched in batches once a clinician
 * signs in on it (POST /sync/records). An answer leaves threads out past 8 MB of attachments; the engine asks
 * for them again until every marked thread is served. Real portal backend on loopback, real console stores.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { messageRecord, threadRecord } from '../helpers/fixtures';
import { httpResponse } from '../helpers/sync-fault-proxy';
import { useSyncedFrontDesk } from '../helpers/synced-front-desk';

const SIZE = 3 * 1024 * 1024 + 3072; // 4 MiB + 4 KiB as base64: no two fit in one answer
const BIG = ['thr-wb-1', 'thr-wb-2', 'thr-wb-3'];

// The desk talks to the backend through the fault proxy (pass unless a test says otherwise).
const front = useSyncedFrontDesk({
  faultProxy: true,
  beforeDesk: async (portal) => {
    const store = portal.server.store;
    const patientId = (await store.changesAfter(0, 100_000)).find((r) => r.entity === 'patient')!.id;
    await store.transaction(async () => {
      for (const [n, id] of BIG.entries()) {
        await store.insertThread(
          threadRecord({ id, patientId, subject: `Scan ${n}`, topic: 'test-results', poolId: 'results' }),
        );
        await store.insertMessage(
          messageRecord({
            id: `msg-wb-${n}`,
            threadId: id,
            authorId: patientId,
            body: 'The scan you asked for.',
          }),
        );
        await store.insertAttachment({
          id: `att-wb-${n}`,
          messageId: `msg-wb-${n}`,
          fileName: 'scan.pdf',
          mimeType: 'application/pdf',
          size: SIZE,
          contentBase64: Buffer.alloc(SIZE, n + 1).toString('base64'),
          version: 1,
        });
      }
    });
  },
});

describe('withheld bodies fetched in batches', () => {
  it('the receptionist’s sync left the scans out and marked their threads', () => {
    const db = front.desk.core.store.db;
    expect(db.prepare("SELECT count(*) FROM attachments WHERE id LIKE 'att-wb-%'").pluck().get()).toBe(0);
    expect(
      db
        .prepare("SELECT thread_id FROM withheld_threads WHERE thread_id LIKE 'thr-wb-%' ORDER BY 1")
        .pluck()
        .all(),
    ).toEqual(BIG);
  });

  // Session 8, s8rec: a server answering garbage (canned by the proxy). Nothing is kept, the marks stay, the
  // sync ends.
  const marks = () => front.desk.core.store.db.prepare('SELECT count(*) FROM withheld_threads').pluck().get();
  const isBatch = (head: string) => head.startsWith('POST /sync/records ');

  it('an answer that serves nothing it was asked for ends the fetch; the marks stay for the next sync', async () => {
    expect((await front.desk.signIn('clinician1')).ok).toBe(true);
    const before = marks();
    expect(before).toBeGreaterThan(0);
    const seen = front.proxy.seen.length;
    front.proxy.set({
      mode: 'respond',
      match: isBatch,
      times: 1,
      response: httpResponse(200, '{"records":[],"refused":[]}'),
    });
    await front.desk.ok('sync.now');
    expect(front.proxy.injected.respond).toBe(1);
    expect(front.proxy.seen.slice(seen).filter(isBatch)).toHaveLength(1);
    expect(marks()).toBe(before);
  });

  it('an answer naming a thread it was not asked for is refused whole (protocol error), nothing kept', async () => {
    const db = front.desk.core.store.db;
    const before = marks();
    // A thread the desk holds whole (not marked), answered with a changed subject the console never asked for.
    const other = db
      .prepare('SELECT id FROM threads WHERE id NOT IN (SELECT thread_id FROM withheld_threads) LIMIT 1')
      .pluck()
      .get() as string;
    const subject = () => db.prepare('SELECT subject FROM threads WHERE id = ?').pluck().get(other);
    const held = subject();
    const change = await front.portal.server.store.loadChange('thread', other);
    const data = { ...(change.data as { subject: string; version: number }) };
    const lie = { ...change, data: { ...data, subject: 'Not asked for', version: data.version + 1 } };
    front.proxy.set({
      mode: 'respond',
      match: isBatch,
      times: 1,
      response: httpResponse(200, JSON.stringify({ records: [{ change: lie, related: [] }], refused: [] })),
    });
    const result = await front.desk.call('sync.now', {});
    expect(front.proxy.injected.respond).toBe(2);
    expect(result.ok).toBe(false);
    expect(marks()).toBe(before);
    expect(subject()).toBe(held);
    await front.desk.ok('auth.signOut');
  });

  it('a clinician signing in gets every marked thread, the big ones over several answers', async () => {
    const db = front.desk.core.store.db;
    const marked = db.prepare('SELECT count(*) FROM withheld_threads').pluck().get() as number;
    const asked: string[] = [];
    const onRequest = (req: IncomingMessage) => asked.push(`${req.method} ${req.url?.split('?')[0]}`);
    front.portal.server.app.server.on('request', onRequest);
    expect((await front.desk.signIn('clinician1')).ok).toBe(true);
    await front.desk.ok('sync.now');
    front.portal.server.app.server.off('request', onRequest);
    expect(db.prepare('SELECT count(*) FROM withheld_threads').pluck().get()).toBe(0);
    expect(db.prepare("SELECT id, size FROM attachments WHERE id LIKE 'att-wb-%' ORDER BY id").all()).toEqual(
      [
        { id: 'att-wb-0', size: SIZE },
        { id: 'att-wb-1', size: SIZE },
        { id: 'att-wb-2', size: SIZE },
      ],
    );
    // At least one request per 100 marked threads, and at least two more for the scans that did not fit.
    const batches = asked.filter((r) => r === 'POST /sync/records').length;
    expect(batches).toBeGreaterThanOrEqual(Math.ceil(marked / 100) + 2);
    expect(asked.filter((r) => r === 'GET /sync/record')).toEqual([]);
  });
});
