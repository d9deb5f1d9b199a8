/** The audit report's times in the clinic's zone (issue 13 leftover); expectations written by hand. */
import { describe, expect, it } from 'vitest';
import { localDayBounds, localTimeCell, timeColumnLabel } from './report-time';

describe('audit report times', () => {
  it('names the clinic zone and shows clinic-local time with its abbreviation', () => {
    expect(timeColumnLabel('America/New_York')).toBe('Time (America/New_York)');
    expect(localTimeCell('2026-11-23T14:05:09.000Z', 'America/New_York')).toBe('2026-11-23 09:05:09 EST');
    // 03:30Z on 24 November is still the 23rd in New York
    expect(localTimeCell('2026-11-24T03:30:00.000Z', 'America/New_York')).toBe('2026-11-23 22:30:00 EST');
    expect(localTimeCell('2027-04-03T15:10:00.000Z', 'Australia/Lord_Howe')).toBe(
      '2027-04-04 01:40:00 GMT+10:30',
    );
  });

  it('filters by clinic-local days', () => {
    expect(localDayBounds('2026-11-23', '2026-11-23', 'America/New_York')).toEqual({
      from: '2026-11-23T05:00:00.000Z',
      to: '2026-11-24T04:59:59.999Z',
    });
    expect(localDayBounds('', '2026-11-01', 'America/New_York')).toEqual({ to: '2026-11-02T04:59:59.999Z' });
  });
});
