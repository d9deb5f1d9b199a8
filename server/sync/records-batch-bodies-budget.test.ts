/**
 * Review 8 (POST /sync/records, MEDIUM-LOW): the batch's 8 MB budget counts attachment content only, so message
 * bodies (up to 20,000 characters each, any number per thread) make an answer of 100 threads as large as they
 * like (the "gigabyte answer" bd6958b meant to stop, built from bodies instead): one request from any enrolled
 * PC with a clinician's clearance has the backend build it in memory. Expected: the answer stops near the budget
 * (whole threads; the rest asked for again). Real server on loopback; messages written to the server store for
 * the set-up; expectations by hand.
 * review 8, failed before the fix.
 */
import { describe, expect, it } from 'vitest';
import { PullResponse, RecordsResponse } from '../../src-shared/sync';
import { useServerDesk } from '../test/desk';
import { call, signInStaff } from '../test/helpers';

const desk = useServerDesk({ username: 'clinician1' });

describe('POST /sync/records with long threads', () => {
  it('keeps an answer near the 8 MB budget when the bytes are message bodies', async () => {
    const store = desk.run.server.store;
    const reception = await signInStaff(desk.run, 'reception1');
    const ids = (
      PullResponse.parse(
        (await call(desk.run.url, 'GET', '/sync/pull?limit=5000', { token: reception.accessToken })).json,
      ).withheld ?? []
    ).slice(0, 3);
    expect(ids).toHaveLength(3);
    // Each thread gets 200 staff messages of 20,000 characters: ~4 MB of bodies a thread, 12 MB in all.
    const body = 'x'.repeat(20_000);
    for (const threadId of ids)
      for (let k = 0; k < 200; k++)
        await store.insertMessage({
          id: `msg-r8-${threadId}-${k}`,
          threadId,
          authorKind: 'staff',
          authorId: 'stf-clinician1',
          body,
          sentAt: '2026-03-01T10:00:00.000Z',
          version: 1,
        });

    const res = await call(desk.run.url, 'POST', '/sync/records', {
      token: desk.login.accessToken,
      body: { entity: 'thread', ids },
    });
    expect(res.status).toBe(200);
    const answer = RecordsResponse.parse(res.json);
    const bytes = Buffer.byteLength(JSON.stringify(answer));
    // Whole threads up to the budget: at most two of these (8 MB), never all three (12 MB).
    expect(answer.records.length).toBeLessThan(3);
    expect(bytes).toBeLessThan(9 * 1024 * 1024);
  });
});
