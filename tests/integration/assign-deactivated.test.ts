/**
 * Review 7 U3 (confirmed by this test, which failed before the fix): the console did not know who is active, so
 * the core's `thread.assign` (and "Assign to…", and the coverage picker) accepted a colleague an admin had
 * deactivated; the server refused the change later and the person who assigned got a sync problem instead of a
 * clear answer at once. Now `staff.list` says who is active (pulled: review 7 U9), and the core refuses an
 * assignment to, or cover by, a deactivated colleague with a typed VALIDATION error and queues nothing.
 * Real backend, SQLCipher stores, keychain and router; expectations by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ThreadPage } from '../../src-shared/views';
import { setStaffActive } from '../helpers/staff-admin';
import { useSyncedConsoles } from '../helpers/synced-consoles';

const desk = useSyncedConsoles(['clinician1', 'admin1'] as const, { console: { autoStart: false } });

describe('a deactivated colleague', () => {
  it('is listed as inactive and refused as an assignee or a cover, until reactivated', async () => {
    const [clinic, admin] = desk.consoles;
    const page = await clinic.ok<ThreadPage>('inbox.list', {
      queue: 'all',
      poolId: 'clinical',
      offset: 0,
      limit: 5,
    });
    const threadId = page.threads[0]!.id;

    await setStaffActive(desk.portal, admin, 'stf-clinician2', false, { pulledBy: clinic });

    const staff = await clinic.ok<{ id: string; active: boolean }[]>('staff.list');
    expect(staff.filter((s) => s.id.startsWith('stf-clinician')).map((s) => [s.id, s.active])).toEqual([
      ['stf-clinician1', true],
      ['stf-clinician2', false],
    ]);

    const outbox = clinic.core.store.outbox.count();
    const assign = await clinic.call('thread.assign', { threadId, assigneeId: 'stf-clinician2' });
    expect(assign.ok ? null : assign.error).toMatchObject({
      code: 'VALIDATION',
      message: "Dr. Lukas Brenner's account is not active: assign it to someone else.",
    });
    const cover = await clinic.call('coverage.set', {
      staffId: 'stf-clinician1',
      coverId: 'stf-clinician2',
      startDate: '2026-12-01',
      endDate: '2026-12-02',
    });
    expect(cover.ok ? null : cover.error).toMatchObject({
      code: 'VALIDATION',
      message: 'The covering colleague must be an active clinician.',
    });
    expect(clinic.core.store.outbox.count()).toBe(outbox);

    // Reactivated and pulled: assignable again.
    await setStaffActive(desk.portal, admin, 'stf-clinician2', true, { pulledBy: clinic });
    expect((await clinic.call('thread.assign', { threadId, assigneeId: 'stf-clinician2' })).ok).toBe(true);
  });
});
