/**
 * Review 8, unconfirmed suspicion 3 (session 8, sec8): a receptionist's PC asking `POST /sync/records` for 100
 * clinical threads made the server write 100 refusal events into the audit log, per request, without a bound: a
 * modified console (what the UI never sends) flooding the log with requests in parallel. Each refused read stays on
 * its thread's own trail (DESIGN §7: the trail answers who tried to look the patient up), and a PC's refused reads
 * are bounded (server/http/refusal-budget.ts, default 100 a minute): past them its requests are answered 429 and
 * nothing more is recorded. Failed before the fix (500 events for five requests). Real backend on loopback
 * (SQLite; PostgreSQL in the vitest project "postgres"); expectations written by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RecordsResponse, SYNC_ROUTES } from '../../src-shared/sync';
import { threadFixture } from '../../tests/helpers/fixtures';
import type { ServerStore } from '../db/types';
import { useServerDesk } from '../test/desk';
import { call, signInStaff } from '../test/helpers';

const desk = useServerDesk({ scale: 0.05 }); // reception1
let store: ServerStore;
const ids = Array.from({ length: 100 }, (_, i) => `thr-flood-${String(i).padStart(3, '0')}`);

beforeAll(async () => {
  store = desk.run.server.store;
  const patientId = (await store.changesAfter(0, 100_000)).find((r) => r.entity === 'patient')!.id;
  await store.transaction(async () => {
    for (const id of ids) {
      const thread = threadFixture({
        id,
        patientId,
        subject: 'A clinical question',
        topic: 'clinical-question',
        poolId: 'clinical',
      });
      await store.insertThread(thread);
    }
  });
});

/** The refused reads on the server's trail of each of `ids`, by the desk's receptionist on the desk's PC. */
async function refusalsOnTrails(): Promise<number[]> {
  const counts: number[] = [];
  for (const id of ids) {
    const events = await store.auditForEntity('thread', id, 1000);
    counts.push(
      events.filter(
        (e) =>
          e.action === 'read' &&
          e.outcome === 'failure' &&
          e.staffId === 'stf-reception1' &&
          e.deviceId === desk.login.deviceId,
      ).length,
    );
  }
  return counts;
}

const batch = () =>
  call(desk.run.url, 'POST', SYNC_ROUTES.records, {
    token: desk.login.accessToken,
    body: { entity: 'thread', ids },
  });

describe('a receptionist PC asking for 100 clinical threads, again and again in parallel', () => {
  it('is refused each, each refusal on its thread’s trail once, and then throttled without more events', async () => {
    const first = await batch();
    expect(first.status).toBe(200);
    expect(RecordsResponse.parse(first.json)).toEqual({ records: [], refused: ids });
    expect(await refusalsOnTrails()).toEqual(ids.map(() => 1));

    // A modified console: four more batches at once, and single reads.
    const flood = await Promise.all([batch(), batch(), batch(), batch()]);
    for (const answer of flood) {
      expect(answer.status).toBe(429);
      expect(answer.json).toMatchObject({ error: 'THROTTLED' });
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const single = await call(desk.run.url, 'GET', `${SYNC_ROUTES.record}?entity=thread&id=${ids[0]}`, {
      token: desk.login.accessToken,
    });
    expect(single.status).toBe(429);
    expect(await refusalsOnTrails()).toEqual(ids.map(() => 1));
  });

  it('leaves other PCs their own budget: a clinician on another PC reads all 100', async () => {
    const doc = await signInStaff(desk.run, 'clinician1');
    const answer = await call(desk.run.url, 'POST', SYNC_ROUTES.records, {
      token: doc.accessToken,
      body: { entity: 'thread', ids },
    });
    expect(answer.status).toBe(200);
    const body = RecordsResponse.parse(answer.json);
    expect(body.refused).toEqual([]);
    expect(body.records.map((r) => r.change.id)).toEqual(ids);
  });
});
