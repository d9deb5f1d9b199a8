/**
 * Session 9's review leftover (s9sec), DESIGN §6 (emergency access): the core ends a grant on its own clock; the
 * renderer let go of the record only on its own timer (the clinic's minutes, wall time). A grant ending earlier on
 * the core (a shorter clinic time, a clock step) left the thread's messages on screen, and the renderer's next
 * refresh was refused and recorded against the person. Now the core says when a grant ends (`access.ended`) and the
 * renderer leaves the record at once: topic and subject, a clear message, none of the thread's messages, nothing
 * asked for it again. The core's clock is the test's (the portal's shared clock, the adapters' Clock); no sleeps.
 * Session 11: the event alone must do it. From before the grant is shortened until the message shows, no thread
 * call reaches the core (held at the router: a refresh under way or started meanwhile could otherwise be refused,
 * and the refusal's error leaves the record the same way, proving nothing about the event); then they go on.
 * Real Chromium through the browser host, real core, portal and store; expectations written by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import {
  aroundRouterCalls,
  openInboxByReceived,
  pageTextAndHtml,
  postPatientThreads,
  useSignedInDesk,
} from './harness';

const e2e = useSignedInDesk({ user: 'reception1', deviceName: 'Emergency access desk' });

const W_SUBJECT = 'Rash after the new cream';
const W_BODY = 'Since I started the new cream I have a red rash on both arms.';

let w = '';
const calls: string[] = [];
let restore: () => void = () => undefined;
/** While set, thread calls wait here before they reach the core (the test releases them). */
let threadGate: Promise<void> | null = null;
/** Thread calls that reached the core and have not answered yet; how many reached it in all. */
let inCore = 0;
let reachedCore = 0;
let coreIdle: (() => void) | null = null;
/** Every thread call's answer to the page, held ones included (settled or not). */
const answers: Promise<unknown>[] = [];

beforeAll(async () => {
  [w] = (await postPatientThreads(
    e2e.portal,
    demoMrn(20),
    [{ subject: W_SUBJECT, body: W_BODY, topic: 'test-results' }],
    e2e.desk,
  )) as [string];
  restore = aroundRouterCalls(e2e.desk, async (method, input, next) => {
    if (!method.startsWith('thread.')) return next();
    calls.push(`${method} ${(input as { threadId?: string }).threadId}`);
    const gate = threadGate;
    const answer = (async () => {
      if (gate) await gate;
      inCore++;
      reachedCore++;
      try {
        return await next();
      } finally {
        if (--inCore === 0) coreIdle?.();
      }
    })();
    answers.push(answer.catch(() => undefined));
    return answer;
  });
  await openInboxByReceived(e2e.page);
});
afterAll(() => restore());

describe('emergency access ending on the core before the renderer’s timer (receptionist)', () => {
  it('leaves the record at once with a clear message, and asks for it no more', async () => {
    const page = e2e.page;
    await page
      .getByRole('navigation', { name: 'Queues' })
      .getByRole('button', { name: /^All open/ })
      .click();
    await page
      .getByRole('listbox', { name: 'Threads' })
      .getByRole('option')
      .filter({ hasText: W_SUBJECT })
      .click();
    const article = page.getByRole('article', { name: W_SUBJECT });
    await article.getByRole('button', { name: 'Emergency access…' }).click();
    await page.getByLabel('Reason (required)').fill('Patient on the phone, reports a severe reaction');
    await page.getByRole('button', { name: 'Open record' }).click();
    await page.getByText(W_BODY).waitFor();

    // From now on no thread call reaches the core until the message shows; one already there answers first (it
    // runs while the grant is still open).
    let release: () => void = () => undefined;
    threadGate = new Promise((resolve) => (release = resolve));
    calls.length = 0;
    if (inCore > 0) await new Promise<void>((resolve) => (coreIdle = resolve));
    coreIdle = null;
    const reachedBefore = reachedCore;

    // The grant ends early on the core: the clinic's time was shortened to a minute (as clampToClinicTime leaves
    // it), and the core's clock moves two minutes on.
    const db = e2e.desk.core.store.db;
    const opened = db
      .prepare('SELECT opened_at FROM break_glass WHERE entity_id = ?')
      .pluck()
      .get(w) as string;
    db.prepare('UPDATE break_glass SET expires_at = ? WHERE entity_id = ?').run(
      new Date(Date.parse(opened) + 60_000).toISOString(),
      w,
    );
    e2e.portal.clock.advance(120_000);

    await article.getByRole('alert').getByText('Your emergency access to this thread has ended.').waitFor();
    await article.getByText(/^Topic: /).waitFor();
    const refusedOnW = () =>
      db
        .prepare(`SELECT count(*) FROM audit_events WHERE entity_id = ? AND outcome = 'failure'`)
        .pluck()
        .get(w) as number;
    // The event did it alone: no thread call reached the core since the grant was shortened, none was refused.
    const shown = await pageTextAndHtml(page);
    expect({
      body: shown.html.includes(W_BODY),
      reachedCore: reachedCore - reachedBefore,
      refused: refusedOnW(),
    }).toEqual({ body: false, reachedCore: 0, refused: 0 });
    const held = calls.length;

    // A refresh asked before the event arrived (the grant's own open is a change the pane checks) goes on now: the
    // core refuses it and records it (it cannot tell). Nothing more is asked, and the record stays closed.
    threadGate = null;
    release();
    await Promise.all(answers);
    const after = await pageTextAndHtml(page);
    expect({
      body: after.html.includes(W_BODY),
      asked: calls.length,
      refused: refusedOnW(),
    }).toEqual({ body: false, asked: held, refused: held });
    expect(held).toBeLessThanOrEqual(1);
    await article.getByRole('alert').getByText('Your emergency access to this thread has ended.').waitFor();
    expect(e2e.desk.pageErrors).toEqual([]);
  });
});
