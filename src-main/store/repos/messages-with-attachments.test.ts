/**
 * MessagesRepo.forThreadWithAttachments (session 10: thread.get reads a thread's messages and their attachments
 * in one statement) gives what the two statements gave: messages by (sent_at, id), each with its own attachments
 * by file name, none of another thread's.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { messageFixture, patientFixture, threadFixture } from '../../../tests/helpers/fixtures';
import { openTestStore, type TestStore } from '../../audit/test-store';

let t: TestStore;
const attach = (id: string, messageId: string, fileName: string) =>
  t.store.messages.upsertAttachment({
    id,
    messageId,
    fileName,
    mimeType: 'application/pdf',
    size: 3,
    contentBase64: Buffer.from('abc').toString('base64'),
    version: 1,
  });

beforeEach(() => {
  t = openTestStore();
  t.store.transaction(() => {
    t.store.patients.upsert(patientFixture());
    t.store.threads.upsert(threadFixture({ id: 'thr-1' }));
    t.store.threads.upsert(threadFixture({ id: 'thr-2' }));
    t.store.messages.upsert(messageFixture({ id: 'm-b', sentAt: '2026-11-20T09:05:00.000Z' }));
    t.store.messages.upsert(messageFixture({ id: 'm-a', sentAt: '2026-11-20T09:05:00.000Z' }));
    t.store.messages.upsert(messageFixture({ id: 'm-0', sentAt: '2026-11-20T09:00:00.000Z' }));
    t.store.messages.upsert(messageFixture({ id: 'm-other', threadId: 'thr-2' }));
    attach('a-2', 'm-a', 'zeta.pdf');
    attach('a-1', 'm-a', 'alpha.pdf');
    attach('a-3', 'm-b', 'beta.pdf');
    attach('a-x', 'm-other', 'other.pdf');
  });
});
afterEach(() => t.cleanup());

it('gives the messages in order, each with its own attachments by file name, as the two statements did', () => {
  const joined = t.store.messages.forThreadWithAttachments('thr-1');
  const separate = t.store.messages.forThread('thr-1').map((m) => ({
    ...m,
    attachments: t.store.messages.attachmentsOfThread('thr-1').filter((a) => a.message_id === m.id),
  }));
  expect(joined).toEqual(separate);
  expect(joined.map((m) => [m.id, m.attachments.map((a) => a.file_name)])).toEqual([
    ['m-0', []],
    ['m-a', ['alpha.pdf', 'zeta.pdf']],
    ['m-b', ['beta.pdf']],
  ]);
  expect(t.store.messages.forThreadWithAttachments('thr-missing')).toEqual([]);
});
