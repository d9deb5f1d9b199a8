/**
 * Issue 14 §1/§3, review 6 D9 (failed before the fix): who a clinical thread may be assigned to. A receptionist may
 * not read or act on a clinical thread (the router and the server refuse), so the server refuses assigning one to
 * a receptionist (server/sync/apply.ts) — it would sit in the "Mine" queue of someone who cannot open it, and out
 * of every clinician's "Unassigned". The console's own check: tests/integration/triage-access.test.ts. Runs on
 * SQLite and PostgreSQL. Expectations written by hand.
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
