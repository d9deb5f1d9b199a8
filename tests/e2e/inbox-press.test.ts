/**
 * Review 6 (adversarial, D16; a regular test since 16u dropped the press prefetch), issue 16 §5 (session 5, 16u:
 * "thread detail asked for on pointerdown"): a row's detail was read from the core when the row was pressed,
 * before any click. `thread.get` is an audited read of PHI that also marks the thread seen. A press that does not
 * become a click (a finger that starts scrolling the list on a touch screen: pointerdown, then pointercancel; a
 * mouse pressed and dragged off the row) opens nothing, yet the thread was then marked read (its patient's new
 * message no longer stood out as unread) and the audit trail said this person read it. Chromium through the
 * browser host, by role and label; expectations written by hand.
 */
import { describe, expect, it } from 'vitest';
import { useSignedInDesk } from './harness';

const e2e = useSignedInDesk({ user: 'clinician1' });

describe('a row pressed but never opened (a touch that scrolls the list)', () => {
  it('is not read: still unread, and no read of it in the audit trail', async () => {
    const page = e2e.page;
    await page.getByRole('navigation', { name: 'Queues' }).getByRole('button', { name: /^All/ }).click();
    const list = page.getByRole('listbox', { name: 'Threads' });
    const unread = list.getByRole('option', { name: /, unread$/ });
    await unread.first().waitFor();
    // A pressed row whose label names one thread on this PC (patient and subject), and another row to open.
    const db = e2e.desk.core.store.db;
    const threadsOf = (label: string) =>
      db
        .prepare(
          `SELECT t.id FROM threads t JOIN patients p ON p.id = t.patient_id
           WHERE ? LIKE p.given_name || ' ' || p.family_name || ', ' || t.subject || ',%'`,
        )
        .pluck()
        .all(label) as string[];
    let index = 0;
    let ids: string[] = [];
    for (; index < 20; index++) {
      ids = threadsOf((await unread.nth(index).getAttribute('aria-label'))!);
      if (ids.length === 1) break;
    }
    expect(ids).toHaveLength(1);
    const threadId = ids[0]!;
    const pressed = unread.nth(index);
    const opened = unread.nth(index === 0 ? 1 : 0);
    const pressedId = await pressed.getAttribute('id');
    const readsOf = () =>
      (
        db
          .prepare(
            `SELECT count(*) AS n FROM audit_events WHERE action = 'read' AND entity_type = 'thread' AND entity_id = ?`,
          )
          .get(threadId) as { n: number }
      ).n;
    const readsBefore = readsOf();

    // A finger lands on the row and scrolls the list: pointerdown, then the browser cancels the pointer.
    const init = {
      pointerId: 7,
      pointerType: 'touch',
      isPrimary: true,
      button: 0,
      buttons: 1,
      bubbles: true,
    };
    await pressed.dispatchEvent('pointerdown', init);
    await pressed.dispatchEvent('pointercancel', { ...init, buttons: 0 });
    // Then the clinician opens another thread (click): its subject heading shows.
    const otherLabel = (await opened.getAttribute('aria-label'))!;
    await opened.click();
    await page.getByRole('heading', { level: 2, name: otherLabel.split(', ')[1] }).waitFor();

    // The pressed thread was never opened: still unread on this PC, and nobody read it.
    const after = db.prepare('SELECT seen_at, last_message_at FROM threads WHERE id = ?').get(threadId) as {
      seen_at: string | null;
      last_message_at: string;
    };
    expect(after.seen_at === null || after.seen_at < after.last_message_at).toBe(true);
    expect(readsOf()).toBe(readsBefore);
    // And the list still shows it unread.
    await expect
      .poll(async () => threadsOf((await page.locator(`#${pressedId}`).getAttribute('aria-label'))!))
      .toEqual([threadId]);
    expect(await page.locator(`#${pressedId}`).getAttribute('aria-label')).toMatch(/, unread$/);
  });
});
