/**
 * Found by review 7 (R5, failed before the fix; the kind of review 6 D9, whose fix covered thread.assign only): a receptionist claims a Front desk
 * thread, then re-routes it to a clinical pool (allowed: it turned out to be a clinical question). The thread stays
 * assigned to the receptionist, who may not open or change it: it sits in their "Mine" queue and out of every
 * clinician's "Unassigned" (the very state D9's fix refuses to create by assigning). Runs on SQLite and PostgreSQL.
 * Expectations by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ThreadRecord } from '../src-shared/domain';
import { useServerDesk } from './test/desk';
import { pullAll } from './test/helpers';

// reception1's PC.
const desk = useServerDesk();

describe('re-routing a claimed thread into a clinical pool', () => {
  it('leaves it assigned to no one who cannot work it', async () => {
    const { changes } = await pullAll(desk.run.url, desk.login.accessToken);
    const thread = changes.find(
      (c) => c.entity === 'thread' && c.data?.status !== 'done' && c.data?.poolId === 'front-desk',
    )!.data as ThreadRecord;
    const claim = await desk.pushOne(
      thread.id,
      { op: 'thread.assign', assigneeId: 'stf-reception1' },
      { baseVersion: thread.version },
    );
    expect(claim.status).toBe('applied');
    const route = await desk.pushOne(
      thread.id,
      { op: 'thread.route', poolId: 'clinical' },
      { baseVersion: thread.version + 1 },
    );
    expect(route.status).toBe('applied');
    const after = (await pullAll(desk.run.url, desk.login.accessToken)).changes
      .filter((c) => c.entity === 'thread' && c.id === thread.id)
      .at(-1)!.data as ThreadRecord;
    expect(after.poolId).toBe('clinical');
    expect(after.assigneeId).toBeNull();
  });
});
