/**
 * Review 5 of issue 13 §4 (recurring series, console side): failing test. A series is checked occurrence by
 * occurrence against the appointments on this PC (series-service occurrenceProblem), but the PC keeps only
 * `scheduleAheadDays` (default 180) of the schedule (src-main/sync/store-window.ts). A year of weekly visits is
 * then shown free past that horizon whatever the server holds there, booked, and refused later one by one.
 * Real portal on loopback, real encrypted store, real router.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SeriesPreview } from '../../src-shared/views';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';
import { bookedAppointment } from '../helpers/fixtures';

let portal: TestPortal | undefined;
let desk: TestConsole | undefined;
afterEach(async () => {
  await desk?.close();
  await portal?.close();
});

describe('review 5: a series longer than the PC’s schedule window', () => {
  it('shows a taken slot inside the window and refuses a series reaching past the days this PC holds', async () => {
    portal = await startPortal();
    // Another desk booked Dr. prv-001 on Monday 21 June 2027, 14:00 UTC (30 weeks ahead), for another patient.
    await portal.server.store.insertAppointment(
      bookedAppointment({
        id: 'apt-review5-far',
        start: '2027-06-21T14:00:00.000Z',
        end: '2027-06-21T14:15:00.000Z',
      }),
      'console',
    );
    // The same, two weeks ahead (inside the window): the preview shows that one taken.
    await portal.server.store.insertAppointment(
      bookedAppointment({
        id: 'apt-review5-near',
        start: '2026-12-14T14:00:00.000Z',
        end: '2026-12-14T14:15:00.000Z',
      }),
      'console',
    );
    desk = await startConsole(portal, { autoStart: false });
    expect((await desk.signIn('reception1')).ok).toBe(true);
    await desk.ok('sync.now');
    const within = await desk.ok<SeriesPreview>('series.preview', {
      patientId: 'pat-000003',
      providerId: 'prv-001',
      start: '2026-11-30T14:00:00.000Z',
      end: '2026-11-30T14:15:00.000Z',
      freq: 'WEEKLY',
      interval: 1,
      count: 4,
    });
    const near = within.occurrences.find((o) => o.start === '2026-12-14T14:00:00.000Z');
    expect(near?.problem, 'inside the window the taken slot is seen').toMatch(/already has a visit/);
    // Forty weeks reach 21 June 2027, past the 180 days this PC holds: the PC cannot know that day's schedule,
    // so the series is refused before anything is shown as free (it was previewed as free, then refused by the
    // server one visit at a time).
    const beyond = await desk.call('series.preview', {
      patientId: 'pat-000003',
      providerId: 'prv-001',
      start: '2026-11-30T14:00:00.000Z',
      end: '2026-11-30T14:15:00.000Z',
      freq: 'WEEKLY',
      interval: 1,
      count: 40,
    });
    expect(beyond).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});
