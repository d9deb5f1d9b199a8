/**
 * Review 7, U4 (issue 16 §5): the open thread is read again (an audited read and a "seen" mark) only when its own
 * data changed, not on every data change: before, a pull of any record re-read it, so an open thread collected a
 * read event for every unrelated change all shift long. Every read that returns the thread's data is still
 * recorded. Chromium through the browser host and the real core, portal and store; controls by role and label;
 * the expected counts are written by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import type { CallResult } from '../../src-main/ipc/types';
import { patientRequest, patientSignIn, useSignedInDesk } from './harness';

const OPEN_SUBJECT = 'Rash on both forearms since Sunday';
const OTHER_SUBJECT = 'Question about my repeat inhaler';
const FOLLOW_UP = 'The rash has spread to my neck this morning.';

const e2e = useSignedInDesk({ user: 'clinician1', deviceName: 'Re-read desk', pageTimeoutMs: 10_000 });

let openId = '';
let openPatient = '';
let otherPatient = '';
beforeAll(async () => {
  openPatient = await patientSignIn(e2e.portal, demoMrn(5));
  otherPatient = await patientSignIn(e2e.portal, demoMrn(6));
});

/**
 * The core's events of reads of one thread's content (success), from its local audit log: a list read that
 * returned the thread's row names the list method in `fields`, a read of the thread itself names none.
 */
const readsOf = (threadId: string): number =>
  e2e.desk.core.store.audit
    .localForEntity('thread', threadId, 10_000)
    .filter((r) => r.action === 'read' && r.outcome === 'success' && r.fields === '[]').length;

/**
 * A sync cycle now: the portal's new records are on this PC when it returns (the live stream would bring them too,
 * but behind the first seconds' fetch of the bodies withheld before sign-in).
 */
const pulled = (): Promise<unknown> => e2e.desk.core.sync().syncNow();

/** Every router call the page makes from now on, to await the ones in flight. */
function watchCalls(): { inFlight: Promise<CallResult>[]; methods: string[]; stop(): void } {
  const router = e2e.desk.core.router;
  const call = router.call.bind(router);
  const watched = { inFlight: [] as Promise<CallResult>[], methods: [] as string[], stop: () => undefined };
  router.call = (method, input, caller) => {
    const p = call(method, input, caller);
    watched.methods.push(method);
    watched.inFlight.push(p);
    return p;
  };
  watched.stop = () => {
    router.call = call;
  };
  return watched;
}

describe('the open thread and changes to other records (U4)', () => {
  it('is not read again when an unrelated thread changes, and is when its own data changes', async () => {
    const page = e2e.page;
    const created = await patientRequest<{ thread: { id: string } }>(
      e2e.portal,
      openPatient,
      'POST',
      '/portal/threads',
      { subject: OPEN_SUBJECT, body: 'Red itchy rash on both forearms, no new soap or food.' },
    );
    openId = created.thread.id;
    await pulled();
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^Unassigned/ })
      .click();
    await page.getByLabel('Sort by').selectOption('received');
    const list = page.getByRole('listbox', { name: 'Threads' });
    await list.getByRole('option', { name: new RegExp(OPEN_SUBJECT) }).click();
    const thread = page.getByRole('article', { name: OPEN_SUBJECT });
    await thread.getByText('Red itchy rash').waitFor();
    expect(readsOf(openId)).toBe(1);

    const watched = watchCalls();
    try {
      // Another patient writes: the pull brings a new thread, the list shows it (data changed, list read again).
      await patientRequest(e2e.portal, otherPatient, 'POST', '/portal/threads', {
        subject: OTHER_SUBJECT,
        body: 'Can I collect my inhaler prescription on Friday instead?',
      });
      await pulled();
      await list.getByRole('option', { name: new RegExp(OTHER_SUBJECT) }).waitFor();
      // Whatever the page asked for in the re-render that the change caused has been sent before the list's read
      // (the thread pane's effect runs before the list's page is asked for again): let it all finish.
      await Promise.all(watched.inFlight);
      expect(watched.methods).toContain('inbox.list');
      expect(readsOf(openId)).toBe(1);

      // Its own patient writes again: the open thread shows the message, and that read is recorded.
      await patientRequest(e2e.portal, openPatient, 'POST', `/portal/threads/${openId}/messages`, {
        body: FOLLOW_UP,
      });
      await pulled();
      await thread.getByText(FOLLOW_UP).waitFor();
      await Promise.all(watched.inFlight);
      expect(readsOf(openId)).toBe(2);
    } finally {
      watched.stop();
    }
    expect(e2e.desk.pageErrors).toEqual([]);
  });
});
