/**
 * Review 6 (adversarial), issue 14 §1/§3: who a clinical thread may be assigned to. A receptionist may not read or
 * act on a clinical thread (the router and the server refuse), yet the server accepts assigning one to a
 * receptionist — the thread then sits in the "Mine" queue of someone who cannot open it, and out of every
 * clinician's "Unassigned". The console's own "Assign to…" list offers receptionists for clinical threads too
 * (src-renderer/src/features/inbox/ThreadView.tsx), so an honest console sends it. Runs on SQLite and
 * (CLINIC_TEST_STORE=postgres) PostgreSQL. Expectations written by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ThreadRecord } from '../src-shared/domain';
import { useServerDesk } from './test/desk';
import { pullAll } from './test/helpers';

// clinician1's PC.
const desk = useServerDesk({ username: 'clinician1' });

describe('assigning a clinical thread', () => {
  it('to a receptionist is refused', async () => {
    const { changes } = await pullAll(desk.run.url, desk.login.accessToken);
    const thread = changes.find(
      (c) => c.entity === 'thread' && c.data?.status !== 'done' && c.data?.poolId === 'clinical',
    )!.data as ThreadRecord;
    const result = await desk.pushOne(
      thread.id,
      { op: 'thread.assign', assigneeId: 'stf-reception1' },
      { baseVersion: thread.version },
    );
    expect(result.status).toBe('rejected');
  });
});
