/**
 * Recurrence expansion (issue 13 §4). Every expected instant is written out by hand from the published zone rules:
 * New York EST = UTC−5, EDT = UTC−4 (2026: back on 1 November 02:00; 2027: forward on 14 March 02:00);
 * Lord Howe +11 in summer, +10:30 in winter (2027: back on 4 April 02:00). Never computed by the code under test.
 */
import { describe, expect, it } from 'vitest';
import {
  endedBefore,
  MAX_SERIES_OCCURRENCES,
  parseSeriesRule,
  RecurrenceError,
  ruleChangeProblem,
  seriesOccurrences,
  seriesRuleText,
  withExdates,
} from './recurrence';

const NY = 'America/New_York';

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof RecurrenceError) return e.code;
    throw e;
  }
  return 'no error';
};

describe('series rule text (RFC 5545)', () => {
  it('DTSTART is the wall clock in the location zone; UNTIL is UTC', () => {
    expect(seriesRuleText('2026-11-23T14:00:00.000Z', NY, { freq: 'WEEKLY', interval: 2, count: 6 })).toBe(
      'DTSTART;TZID=America/New_York:20261123T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=6',
    );
    // until 14 December (local, inclusive): 23:59:59 EST = 04:59:59Z on the 15th
    expect(
      seriesRuleText('2026-11-23T14:00:00.000Z', NY, { freq: 'WEEKLY', interval: 1, until: '2026-12-14' }),
    ).toBe(
      'DTSTART;TZID=America/New_York:20261123T090000\nRRULE:FREQ=WEEKLY;INTERVAL=1;UNTIL=20261215T045959Z',
    );
  });

  it('refuses what is outside the subset, with a typed error', () => {
    const ok = 'DTSTART;TZID=America/New_York:20261123T090000\nRRULE:FREQ=WEEKLY;COUNT=3';
    expect(parseSeriesRule(ok).count).toBe(3);
    for (const bad of [
      'DTSTART;TZID=America/New_York:20261123T090000\nRRULE:FREQ=DAILY;COUNT=3',
      'DTSTART;TZID=America/New_York:20261123T090000\nRRULE:FREQ=WEEKLY',
      'DTSTART;TZID=America/New_York:20261123T090000\nRRULE:FREQ=WEEKLY;COUNT=3;UNTIL=20261215T045959Z',
      'DTSTART;TZID=America/New_York:20261123T090000\nRRULE:FREQ=WEEKLY;COUNT=3;BYDAY=MO,TU,WE,TH,FR',
      'DTSTART;TZID=America/New_York:20261123T090000\nRRULE:FREQ=WEEKLY;INTERVAL=0;COUNT=3',
      'DTSTART;TZID=Mars/Olympus:20261123T090000\nRRULE:FREQ=WEEKLY;COUNT=3',
      'DTSTART:20261123T090000Z\nRRULE:FREQ=WEEKLY;COUNT=3',
      `${ok}\nRDATE:20261124T140000Z`,
      'garbage',
    ]) {
      expect(
        code(() => seriesOccurrences(bad)),
        bad,
      ).toBe('INVALID_RULE');
    }
  });

  it(`bounds a series at ${MAX_SERIES_OCCURRENCES} visits, by COUNT or by UNTIL`, () => {
    const start = 'DTSTART;TZID=America/New_York:20261123T090000\nRRULE:FREQ=WEEKLY;';
    expect(seriesOccurrences(`${start}COUNT=52`)).toHaveLength(52);
    expect(code(() => seriesOccurrences(`${start}COUNT=53`))).toBe('TOO_MANY_OCCURRENCES');
    // 23 Nov 2026 + 52 weeks = 22 Nov 2027 would be the 53rd Monday
    expect(seriesOccurrences(`${start}UNTIL=20271116T000000Z`)).toHaveLength(52);
    expect(code(() => seriesOccurrences(`${start}UNTIL=20271123T000000Z`))).toBe('TOO_MANY_OCCURRENCES');
    // excluding dates never lets a long rule through
    expect(
      code(() => seriesOccurrences(`${start}COUNT=54\nEXDATE:20261130T140000Z\nEXDATE:20261207T140000Z`)),
    ).toBe('TOO_MANY_OCCURRENCES');
  });
});

describe('recurrence expansion', () => {
  it('weekly across the November change stays 09:00 in New York (13:00Z, then 14:00Z)', () => {
    const rule = seriesRuleText('2026-10-19T13:00:00.000Z', NY, { freq: 'WEEKLY', interval: 1, count: 4 });
    expect(seriesOccurrences(rule)).toEqual([
      '2026-10-19T13:00:00.000Z',
      '2026-10-26T13:00:00.000Z',
      '2026-11-02T14:00:00.000Z',
      '2026-11-09T14:00:00.000Z',
    ]);
  });

  it('every 2 weeks across the March change stays 09:00 (14:00Z EST, then 13:00Z EDT)', () => {
    const rule = seriesRuleText('2027-03-01T14:00:00.000Z', NY, { freq: 'WEEKLY', interval: 2, count: 3 });
    expect(seriesOccurrences(rule)).toEqual([
      '2027-03-01T14:00:00.000Z',
      '2027-03-15T13:00:00.000Z',
      '2027-03-29T13:00:00.000Z',
    ]);
  });

  it('Lord Howe: weekly 09:00 is 22:00Z at +11 and 22:30Z at +10:30 after the half-hour change', () => {
    const rule = seriesRuleText('2027-03-28T22:00:00.000Z', 'Australia/Lord_Howe', {
      freq: 'WEEKLY',
      interval: 1,
      count: 2,
    });
    expect(rule).toContain('DTSTART;TZID=Australia/Lord_Howe:20270329T090000');
    expect(seriesOccurrences(rule)).toEqual(['2027-03-28T22:00:00.000Z', '2027-04-04T22:30:00.000Z']);
  });

  it('monthly keeps the day of month and the wall clock; a 31st skips shorter months (RFC 5545)', () => {
    const rule = seriesRuleText('2027-01-15T15:30:00.000Z', NY, { freq: 'MONTHLY', interval: 1, count: 4 });
    expect(seriesOccurrences(rule)).toEqual([
      '2027-01-15T15:30:00.000Z',
      '2027-02-15T15:30:00.000Z',
      '2027-03-15T14:30:00.000Z',
      '2027-04-15T14:30:00.000Z',
    ]);
    const on31 = seriesRuleText('2027-01-31T09:00:00.000Z', 'UTC', {
      freq: 'MONTHLY',
      interval: 1,
      count: 3,
    });
    expect(seriesOccurrences(on31)).toEqual([
      '2027-01-31T09:00:00.000Z',
      '2027-03-31T09:00:00.000Z',
      '2027-05-31T09:00:00.000Z',
    ]);
  });

  it('UNTIL a local date includes that day and no later', () => {
    const until14 = seriesRuleText('2026-11-23T14:00:00.000Z', NY, {
      freq: 'WEEKLY',
      interval: 1,
      until: '2026-12-14',
    });
    expect(seriesOccurrences(until14)).toEqual([
      '2026-11-23T14:00:00.000Z',
      '2026-11-30T14:00:00.000Z',
      '2026-12-07T14:00:00.000Z',
      '2026-12-14T14:00:00.000Z',
    ]);
    const until13 = seriesRuleText('2026-11-23T14:00:00.000Z', NY, {
      freq: 'WEEKLY',
      interval: 1,
      until: '2026-12-13',
    });
    expect(seriesOccurrences(until13)).toHaveLength(3);
  });

  it('COUNT counts occurrences before EXDATE exclusion; EXDATE removes exactly that visit', () => {
    const rule = seriesRuleText('2026-11-23T14:00:00.000Z', NY, { freq: 'WEEKLY', interval: 1, count: 4 });
    const without30 = withExdates(rule, ['2026-11-30T14:00:00.000Z']);
    expect(without30).toBe(
      'DTSTART;TZID=America/New_York:20261123T090000\nRRULE:FREQ=WEEKLY;INTERVAL=1;COUNT=4\nEXDATE:20261130T140000Z',
    );
    expect(seriesOccurrences(without30)).toEqual([
      '2026-11-23T14:00:00.000Z',
      '2026-12-07T14:00:00.000Z',
      '2026-12-14T14:00:00.000Z',
    ]);
    expect(ruleChangeProblem(rule, without30)).toBeNull();
  });

  it('this-and-following splits with UNTIL: the earlier part keeps exactly the visits before', () => {
    const rule = seriesRuleText('2026-11-23T14:00:00.000Z', NY, { freq: 'WEEKLY', interval: 1, count: 6 });
    const ended = endedBefore(
      withExdates(rule, ['2026-11-30T14:00:00.000Z', '2026-12-21T14:00:00.000Z']),
      '2026-12-14T14:00:00.000Z',
    );
    expect(ended).toBe(
      'DTSTART;TZID=America/New_York:20261123T090000\nRRULE:FREQ=WEEKLY;INTERVAL=1;UNTIL=20261214T135959Z\nEXDATE:20261130T140000Z',
    );
    expect(seriesOccurrences(ended)).toEqual(['2026-11-23T14:00:00.000Z', '2026-12-07T14:00:00.000Z']);
    expect(ruleChangeProblem(rule, ended)).toBeNull();
  });

  it('a stored rule may only shrink', () => {
    const rule = seriesRuleText('2026-11-23T14:00:00.000Z', NY, { freq: 'WEEKLY', interval: 1, count: 4 });
    const longer = seriesRuleText('2026-11-23T14:00:00.000Z', NY, { freq: 'WEEKLY', interval: 1, count: 5 });
    const moved = seriesRuleText('2026-11-23T15:00:00.000Z', NY, { freq: 'WEEKLY', interval: 1, count: 2 });
    expect(ruleChangeProblem(rule, longer)).toMatch(/only lose visits/);
    expect(ruleChangeProblem(rule, moved)).toMatch(/keeps its start/);
  });

  it('a series cannot start at the second 01:30 of the November change (its wall time names the first)', () => {
    expect(
      code(() => seriesRuleText('2026-11-01T06:30:00.000Z', NY, { freq: 'WEEKLY', interval: 1, count: 2 })),
    ).toBe('INVALID_RULE');
  });
});
