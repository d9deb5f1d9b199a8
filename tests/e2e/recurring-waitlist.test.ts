/**
 * Issue 13 §4/§5 in Chromium, found by role and label as a receptionist would, in a New York clinic:
 * - a weekly series of four Monday visits, one of which is already taken at another desk: the dialog lists that
 *   visit as one that cannot be booked, refuses to book until the person agrees, then books the other three;
 *   cancelling "this and following" from the third Monday cancels it and the next, and the series ends before it;
 * - a patient put on the waitlist is offered the time of a visit just cancelled, and booked into it in one action,
 *   which takes them off the waitlist.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import { openScheduleDay, useSignedInDesk } from './harness';

const e2e = useSignedInDesk({
  user: 'reception1',
  timezoneId: 'Europe/London',
  portal: { timeZone: 'America/New_York' },
});
const PROVIDER = 'Dr. Lukas Brenner';

const caller = () => ({ origin: e2e.desk.host.origin, isMainFrame: true });

/** Open the booking dialog on the provider's free slot at `time` and choose the patient with demo MRN `mrn`. */
async function startBooking(page: Page, time: string, mrn: number) {
  await page
    .getByRole('button', { name: new RegExp(`^${time} Free: book with ${PROVIDER.replace('.', '\\.')},`) })
    .click();
  const dialog = page.getByRole('dialog', { name: 'Book appointment' });
  await dialog.getByLabel('Find patient (name or MRN)').fill(demoMrn(mrn));
  const choice = dialog.getByRole('radio').first();
  await choice.waitFor();
  const name = (await dialog.locator('.choice-main').first().textContent())!.trim();
  await choice.check();
  return { dialog, name };
}

const providerId = () => e2e.desk.core.store.providers.list().find((p) => p.name === PROVIDER)!.id;

describe('recurring appointments and the waitlist on screen', () => {
  it('books a weekly series, showing the visit taken elsewhere, then cancels this and following', async () => {
    const page = e2e.page;
    // Another desk already holds 14:00 EST (19:00Z) with this provider on Monday 8 February 2027 (the demo's own
    // visits end in January).
    const other = e2e.desk.core.store.patients.search(demoMrn(31), 1)[0]!;
    const taken = await e2e.desk.core.router.call(
      'appointment.book',
      {
        patientId: other.id,
        providerId: providerId(),
        start: '2027-02-08T19:00:00.000Z',
        end: '2027-02-08T19:30:00.000Z',
        reason: 'Check-up',
        virtual: false,
      },
      caller(),
    );
    expect(taken.ok, JSON.stringify(taken)).toBe(true);

    await openScheduleDay(page, '2027-02-01');
    const { dialog, name } = await startBooking(page, '14:00', 32);
    await dialog.getByRole('checkbox', { name: 'Repeat this visit' }).check();
    await dialog.getByLabel('Number of visits (at most 52)').fill('4');
    await dialog.getByRole('status').filter({ hasText: '4 visits: 1 cannot be booked' }).waitFor();
    const visits = dialog.getByRole('list', { name: 'Visits in this series' }).getByRole('listitem');
    expect(await visits.allTextContents()).toEqual([
      'Mon 1 Feb 14:00 EST — free',
      `Mon 8 Feb 14:00 EST — cannot be booked: ${PROVIDER} already has a visit at this time.`,
      'Mon 15 Feb 14:00 EST — free',
      'Mon 22 Feb 14:00 EST — free',
    ]);
    await dialog.getByRole('button', { name: 'Book series' }).click();
    await dialog.getByText('1 of 4 visits cannot be booked').waitFor();
    // Nothing is booked before the person agrees.
    expect(e2e.desk.core.store.db.prepare('SELECT count(*) AS n FROM appointment_series').get()).toEqual({
      n: 0,
    });
    await dialog.getByRole('button', { name: 'Book the 3 free visits' }).click();
    await dialog.waitFor({ state: 'detached' });

    const seriesIds = new Set(
      e2e.desk.core.store.appointments
        .range('2027-02-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z', providerId())
        .flatMap((a) => (a.patient_name === name && a.series_id ? [a.series_id] : [])),
    );
    expect(seriesIds.size).toBe(1);
    const seriesId = [...seriesIds][0]!;
    expect(e2e.desk.core.store.series.byId(seriesId)!.rule).toBe(
      'DTSTART;TZID=America/New_York:20270201T140000\nRRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=4\nEXDATE:20270208T190000Z',
    );

    // Cancel this and the following visits from Monday 15 February.
    await openScheduleDay(page, '2027-02-15');
    await page.getByRole('button', { name: new RegExp(`^14:00 ${name}`) }).click();
    const visit = page.getByRole('dialog', { name });
    await visit.getByRole('button', { name: 'Cancel appointment' }).click();
    await visit.getByRole('radio', { name: 'This and following visits' }).check();
    await visit
      .getByLabel('Reason for cancelling (required)')
      .selectOption({ label: 'Patient asked to cancel' });
    await visit.getByRole('button', { name: 'Confirm cancellation' }).click();
    await visit.getByText('Cancelled', { exact: true }).first().waitFor();
    await visit.getByRole('button', { name: 'Close' }).click();

    const held = e2e.desk.core.store.appointments.ofSeries(seriesId).map((a) => [a.start, a.status]);
    expect(held).toEqual([
      ['2027-02-01T19:00:00.000Z', 'booked'],
      ['2027-02-15T19:00:00.000Z', 'cancelled'],
      ['2027-02-22T19:00:00.000Z', 'cancelled'],
    ]);
    expect(e2e.desk.core.store.series.byId(seriesId)!.rule).toBe(
      'DTSTART;TZID=America/New_York:20270201T140000\nRRULE:FREQ=WEEKLY;INTERVAL=1;UNTIL=20270215T185959Z\nEXDATE:20270208T190000Z',
    );
    // The server has the same: nothing is left waiting to be pushed.
    await expect.poll(() => e2e.desk.core.store.outbox.countWork(), { timeout: 15_000 }).toBe(0);
  });

  it('offers a cancelled visit’s time to the waitlist and books the patient in one action', async () => {
    const page = e2e.page;
    // A patient goes on the waitlist for this provider.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Schedule' }).click();
    await page.getByRole('button', { name: 'Waitlist', exact: true }).click();
    const waitlist = page.getByRole('dialog', { name: 'Waitlist' });
    await waitlist.getByLabel('Find patient (name or MRN)').fill(demoMrn(33));
    const choice = waitlist.getByRole('radio').first();
    await choice.waitFor();
    const waiting = (await waitlist.locator('.choice-main').first().textContent())!.trim();
    await choice.check();
    await waitlist.getByRole('checkbox', { name: PROVIDER }).check();
    await waitlist.getByLabel('Time of day').selectOption('afternoon');
    await waitlist.getByRole('button', { name: 'Add to waitlist' }).click();
    await waitlist.getByRole('button', { name: `Remove ${waiting} from the waitlist` }).waitFor();
    await waitlist.getByRole('button', { name: 'Close' }).click();

    // A visit at 15:00 on Wednesday 2 December is booked, then cancelled: its time is offered.
    await openScheduleDay(page, '2026-12-02');
    const { dialog, name } = await startBooking(page, '15:00', 34);
    await dialog.getByRole('button', { name: 'Book appointment' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: new RegExp(`^15:00 ${name}`) }).click();
    const visit = page.getByRole('dialog', { name });
    await visit.getByRole('button', { name: 'Cancel appointment' }).click();
    await visit.getByLabel('Reason for cancelling (required)').selectOption({ label: 'Patient unwell' });
    await visit.getByRole('button', { name: 'Confirm cancellation' }).click();
    const offer = visit.getByRole('region', { name: 'Offer to waitlist' });
    await offer.getByRole('button', { name: `Book ${waiting}` }).click();
    await offer
      .getByRole('status')
      .filter({ hasText: `${waiting} is booked into this time` })
      .waitFor();
    await visit.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: new RegExp(`^15:00 ${waiting}`) }).waitFor();
    await page.getByRole('button', { name: 'Waitlist', exact: true }).click();
    await page.getByRole('dialog', { name: 'Waitlist' }).getByText('No one is waiting.').waitFor();
    await page.getByRole('dialog', { name: 'Waitlist' }).getByRole('button', { name: 'Close' }).click();
    await expect
      .poll(
        () => [
          e2e.desk.core.store.outbox.countWork(),
          e2e.desk.core.store.syncProblems.list().map((p) => p.message),
        ],
        {
          timeout: 15_000,
        },
      )
      .toEqual([0, []]);
    expect(e2e.desk.core.store.waitlist.waiting()).toEqual([]);
    expect(e2e.desk.pageErrors).toEqual([]);
  });

  it('asks the reason when a visit is moved onto another visit of the same patient (issue 13 leftover)', async () => {
    const page = e2e.page;
    const patient = e2e.desk.core.store.patients.search(demoMrn(35), 1)[0]!;
    const name = `${patient.givenName} ${patient.familyName}`;
    const tanaka = e2e.desk.core.store.providers.list().find((p) => p.name === 'Dr. Hiroshi Tanaka')!;
    const book = async (provider: { id: string; slotMinutes: number }, start: string) => {
      const r = await e2e.desk.core.router.call(
        'appointment.book',
        {
          patientId: patient.id,
          providerId: provider.id,
          start,
          end: new Date(Date.parse(start) + provider.slotMinutes * 60_000).toISOString(),
          reason: 'Check-up',
          virtual: false,
        },
        caller(),
      );
      expect(r.ok, JSON.stringify(r)).toBe(true);
    };
    // Wednesday 3 February 2027: 10:00 EST with Dr. Brenner, 11:00 EST with Dr. Tanaka
    await book(e2e.desk.core.store.providers.byId(providerId())!, '2027-02-03T15:00:00.000Z');
    await book(tanaka, '2027-02-03T16:00:00.000Z');
    await openScheduleDay(page, '2027-02-03');
    await page.getByRole('button', { name: new RegExp(`^11:00 ${name}`) }).click();
    const visit = page.getByRole('dialog', { name });
    await visit.getByRole('button', { name: 'Reschedule' }).click();
    const form = visit.getByRole('form', { name: 'Reschedule appointment' });
    const newTime = form.getByLabel(/^New time/);
    await newTime.locator('option', { hasText: /^10:00/ }).waitFor({ state: 'attached' });
    const ten = (await newTime.locator('option', { hasText: /^10:00/ }).textContent())!;
    await newTime.selectOption({ label: ten });
    await form.getByText('This patient already has a visit at this time').waitFor();
    await form.getByRole('button', { name: 'Move appointment' }).click();
    await form.getByText('Give a reason to book this patient at a time they already have a visit.').waitFor();
    await form.getByLabel('Reason for booking both (required)').fill('Seen by both together');
    await form.getByRole('button', { name: 'Move appointment' }).click();
    await visit.getByText('Seen by both together').waitFor();
    const moved = e2e.desk.core.store.appointments
      .overlapping('patient', patient.id, '2027-02-03T15:00:00.000Z', '2027-02-03T15:15:00.000Z', null)
      .find((a) => a.providerId === tanaka.id)!;
    expect(moved).toMatchObject({
      start: '2027-02-03T15:00:00.000Z',
      overlapReason: 'Seen by both together',
    });
    await visit.getByRole('button', { name: 'Close' }).click();
  });
});
