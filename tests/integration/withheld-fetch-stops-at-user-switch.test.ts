/**
 * Review 9 R9-3 (s8rec/sec8): the console fetches withheld bodies 100 threads a request (POST /sync/records) and checks
 * only once, before the first request, that the person signed in may read them (engine.ts fetchWithheld:
 * `readsWithheld()` at the top; each request then takes the CURRENT session's token). When the clinician leaves
 * and a receptionist signs in on the same PC while the fetch is under way (an answer that arrives late, after the
 * switch), the next batches go out with the receptionist's token: the server refuses each clinical thread and
 * writes a refused read by the receptionist on that patient's thread trail (up to the device's refusal budget,
 * then 429). The honest receptionist did nothing; the tamper-evident log now says she tried to read clinical
 * threads, and the PC's refusal budget (sec8) is spent by an honest console, contrary to refusal-budget.ts ("an
 * honest console never asks for bodies its person's role may not read"). Now the step is pinned to the session
 * that started it (engine.ts fetchWithheld): no refused read by reception1, the marks left stay for a clinician.
 */
import { describe, expect, it } from 'vitest';
import { useSyncedFrontDesk, withRecordsRequests } from '../helpers/synced-front-desk';

const front = useSyncedFrontDesk();

describe('the person changes while withheld bodies are fetched (review 9 R9-3)', () => {
  it('no batch goes out with the receptionist’s token once she signed in', async () => {
    const db = front.desk.core.store.db;
    const marked = db.prepare('SELECT thread_id FROM withheld_threads').pluck().all() as string[];
    // More than one batch, so a request follows the switch.
    expect(marked.length).toBeGreaterThan(100);

    expect((await front.desk.signIn('clinician1')).ok).toBe(true);
    // The first batch's answer arrives after the clinician left and the receptionist signed in.
    const { requests: n } = await withRecordsRequests(
      front.desk,
      async (n, send) => {
        const answer = await send();
        if (n === 0) {
          await front.desk.ok('auth.signOut');
          expect((await front.desk.signIn('reception1')).ok).toBe(true);
        }
        return answer;
      },
      () => front.desk.call('sync.now', {}),
    );

    const refusedByReception: string[] = [];
    for (const id of marked) {
      const events = await front.portal.server.store.auditForEntity('thread', id, 1000);
      if (
        events.some((e) => e.action === 'read' && e.outcome === 'failure' && e.staffId === 'stf-reception1')
      )
        refusedByReception.push(id);
    }
    expect(refusedByReception).toEqual([]);
    expect(n).toBe(1); // no batch after the switch
    // The threads not fetched keep their marks for the next clinician; the answer that came back after the
    // switch was not kept either (the receptionist may not hold those bodies).
    const left = db.prepare('SELECT count(*) FROM withheld_threads').pluck().get() as number;
    expect(left).toBe(marked.length);
  });
});
