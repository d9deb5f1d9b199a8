/**
 * Review 8 (POST /sync/records, LOW): a thread served under emergency access (break-glass) is recorded on the
 * server's trail as a 'BTG' read inside serveRecord, before the batch's 8 MB attachment budget decides whether it
 * goes into the answer; a thread left out by the budget (in neither list: the console asks again) thus counts as
 * a read that handed nothing out, and once more when asked again: the admins' break-glass report over-counts.
 * Real server on loopback; attachments written to the server store for the set-up; expectations by hand.
 * review 8, failed before the fix.
 */
import { describe, expect, it } from 'vitest';
import { PullResponse, RecordsResponse } from '../../src-shared/sync';
import { outcomeOf, useServerDesk } from '../test/desk';
import { call } from '../test/helpers';

const desk = useServerDesk({ username: 'reception1' });

describe('POST /sync/records under break-glass with a budget cut', () => {
  it('records a BTG read only for the threads it hands out', async () => {
    const store = desk.run.server.store;
    const first = PullResponse.parse(
      (await call(desk.run.url, 'GET', '/sync/pull?limit=5000', { token: desk.login.accessToken })).json,
    );
    const [a, b] = first.withheld ?? [];
    expect(a && b, 'two clinical threads').toBeTruthy();
    // Each thread carries ~4.5 MB of attachment content (base64): both together pass the 8 MB budget.
    const content = Buffer.alloc(3_400_000, 7).toString('base64');
    for (const [n, threadId] of [a!, b!].entries()) {
      const [message] = await store.messagesOfThread(threadId);
      await store.insertAttachment({
        id: `att-review8-${n}`,
        messageId: message!.id,
        fileName: 'scan.pdf',
        mimeType: 'application/pdf',
        size: 3_400_000,
        contentBase64: content,
        version: 1,
      });
      const opened = await desk.pushOne(
        threadId,
        {
          op: 'breakGlass.open',
          grantId: `bg-review8-${n}`,
          reason: 'Patient collapsed at the desk, paramedic asks',
          minutes: 60,
        },
        { baseVersion: (await store.thread(threadId))!.version },
      );
      expect(outcomeOf(opened)).toBe('applied');
    }
    const btgReads = async (threadId: string) =>
      (await store.auditForEntity('thread', threadId, 100)).filter(
        (e) => e.action === 'read' && e.outcome === 'success' && e.purposeOfEvent === 'BTG',
      ).length;

    const res = await call(desk.run.url, 'POST', '/sync/records', {
      token: desk.login.accessToken,
      body: { entity: 'thread', ids: [a, b] },
    });
    expect(res.status).toBe(200);
    const answer = RecordsResponse.parse(res.json);
    // The budget cut the answer after the first thread: the second is in neither list.
    expect(answer.records.map((r) => r.change.id)).toEqual([a]);
    expect(answer.refused).toEqual([]);
    expect(await btgReads(a!)).toBe(1);
    // Nothing of the second thread was handed out: no read of it on the trail.
    expect(await btgReads(b!)).toBe(0);
  });
});
