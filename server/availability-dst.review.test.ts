/**
 * Review 6 (adversarial), issue 13 §3 availability on a daylight-saving day: a modified console books into admin
 * time during the repeated hour of the fall-back change (New York, Sunday 1 November 2026: 01:00–02:00 happens
 * twice). A visit that starts in the first 01:45 (EDT) and ends at the second 01:00 (EST) has a wall-clock end
 * "before" its start, and the overlap test with the admin block misses it. Raw HTTP as a console sends it; runs on
 * SQLite and (CLINIC_TEST_STORE=postgres) PostgreSQL. Expectations written by hand.
 */
import { describe, expect, it } from 'vitest';
import { bookOp, outcomeOf, useServerDesk } from './test/desk';
import { call, signInStaff } from './test/helpers';
import { randomUUID } from 'node:crypto';

// reception1's PC; the demo clinic in New York; the clock starts Monday 2 March 2026.
const desk = useServerDesk({ demoTimeZone: 'America/New_York' });

describe('admin time in the repeated hour of a fall-back day', () => {
  it('is refused like on any other day', async () => {
    // An urgent-care night rota: prv-001 works all of Sunday, with admin time 01:30–02:00 (wall clock).
    const admin = await signInStaff(desk.run, 'admin1');
    const put = await call(desk.run.url, 'PUT', '/admin/availability/templates/prv-001', {
      token: admin.accessToken,
      body: {
        blocks: [
          { weekday: 7, startMinute: 0, endMinute: 1440, kind: 'work' },
          { weekday: 7, startMinute: 90, endMinute: 120, kind: 'admin' },
        ],
      },
    });
    expect(put.status).toBe(200);
    await desk.signInAgain();

    // Control: 01:30–01:45 EDT (05:30Z–05:45Z), plainly in the admin block: refused.
    const plain = await desk.pushOne(
      randomUUID(),
      bookOp('pat-000001', 'prv-001', { start: '2026-11-01T05:30:00.000Z', end: '2026-11-01T05:45:00.000Z' }),
    );
    expect(outcomeOf(plain)).toBe('Admin time (01:30–02:00 America/New_York) is not bookable.');
    // 01:45 EDT (05:45Z) to 01:00 EST (06:00Z): 15 minutes, the last quarter of the first 01:30–02:00, on the
    // 15-minute grid. It is just as much admin time.
    const acrossChange = await desk.pushOne(
      randomUUID(),
      bookOp('pat-000002', 'prv-001', { start: '2026-11-01T05:45:00.000Z', end: '2026-11-01T06:00:00.000Z' }),
    );
    expect(outcomeOf(acrossChange)).toBe('Admin time (01:30–02:00 America/New_York) is not bookable.');
  });
});
