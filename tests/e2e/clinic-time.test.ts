/**
 * Issue 13a in Chromium through the browser host: the schedule shows the clinic location's wall clock with its
 * zone named, Today is the clinic's today, and neither the PC's zone (Chromium's `timezoneId`) nor the Node
 * process's TZ changes what is shown. Clinics in America/New_York and Australia/Lord_Howe (half-hour DST),
 * including a day of the change. Reproduces "Every screen says All times UTC; the 08:00 appointment is 03:00".
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMrn } from '../../server/demo/credentials';
import {
  launchChromium,
  openConsole,
  openScheduleDay,
  signInUi,
  startPortal,
  waitForFirstSync,
  type TestPortal,
} from './harness';

const PROVIDER = 'Dr. Lukas Brenner'; // prv-002: 30-minute slots, 08:00–17:00 at the clinic
let browser: Browser;
const processTz = process.env.TZ;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  if (processTz === undefined) delete process.env.TZ;
  else process.env.TZ = processTz;
});

describe('a clinic in New York', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await startPortal({ timeZone: 'America/New_York' });
  });
  afterAll(async () => portal?.close());

  for (const pcZone of ['America/New_York', 'Asia/Kolkata', 'Europe/London']) {
    it(`shows New York time with the zone named on a PC set to ${pcZone}`, async () => {
      process.env.TZ = pcZone;
      const desk = await openConsole(portal, browser, { timezoneId: pcZone, deviceName: `Desk ${pcZone}` });
      try {
        const page = desk.page;
        await signInUi(page, portal, 'reception1');
        await waitForFirstSync(page);
        // The console's clock is 08:00Z on 23 November = 03:00 EST: the clinic's today is 23 November.
        await page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('button', { name: 'Schedule' })
          .click();
        await page.getByRole('button', { name: 'Next day' }).click();
        await page.getByRole('button', { name: 'Today' }).click();
        await page.getByRole('heading', { name: 'Monday 23 November 2026' }).waitFor();
        await page.getByText('America/New_York (EST)').waitFor();
        expect(await page.getByText('All times UTC').count()).toBe(0);
        // The first slot is 08:00 New York time, whatever the PC's zone.
        const first = page
          .getByRole('button', { name: new RegExp(`^\\d\\d:\\d\\d Free: book with ${PROVIDER},`) })
          .first();
        const label = (await first.getAttribute('aria-label')) ?? '';
        expect(label.slice(0, 5) >= '08:00').toBe(true);
        expect(label.slice(0, 5) < '17:00').toBe(true);
        // An ordinary July day (EDT) and the March change day keep the same wall-clock grid.
        for (const day of ['2027-07-12', '2027-03-14']) {
          await openScheduleDay(page, day);
          await page
            .getByRole('button', { name: new RegExp(`^08:00 Free: book with ${PROVIDER},`) })
            .waitFor();
          expect(
            await page
              .getByRole('button', { name: new RegExp(`^07:30 Free: book with ${PROVIDER},`) })
              .count(),
          ).toBe(0);
        }
        expect(desk.pageErrors).toEqual([]);
      } finally {
        await desk.close();
      }
    });
  }
});

describe('a clinic on Lord Howe Island (30-minute daylight-saving shift)', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await startPortal({ timeZone: 'Australia/Lord_Howe' });
  });
  afterAll(async () => portal?.close());

  it('books 09:00 local on the day the clocks go back and stores the right instant', async () => {
    process.env.TZ = 'Europe/London';
    const desk = await openConsole(portal, browser, { timezoneId: 'America/New_York' });
    try {
      const page = desk.page;
      await signInUi(page, portal, 'reception1');
      await waitForFirstSync(page);
      await openScheduleDay(page, '2027-04-04');
      await page.getByRole('heading', { name: 'Sunday 4 April 2027' }).waitFor();
      await page.getByText('Australia/Lord_Howe').first().waitFor();
      await page.getByRole('button', { name: new RegExp(`^09:00 Free: book with ${PROVIDER},`) }).click();
      const dialog = page.getByRole('dialog', { name: 'Book appointment' });
      await dialog.getByLabel('Find patient (name or MRN)').fill(demoMrn(7));
      const choice = dialog.getByRole('radio').first();
      await choice.waitFor();
      await choice.check();
      await dialog.getByLabel('Reason for visit').fill('E2E check-up');
      await dialog.getByRole('button', { name: 'Book appointment' }).click();
      await dialog.waitFor({ state: 'detached' });
      const booked = desk.core.store.appointments
        .range('2027-04-03T00:00:00.000Z', '2027-04-05T00:00:00.000Z', 'prv-002')
        .map((a) => a.start);
      // 09:00 at Lord Howe after the 02:00 change is UTC+10:30.
      expect(booked).toContain('2027-04-03T22:30:00.000Z');
    } finally {
      await desk.close();
    }
  });
});
