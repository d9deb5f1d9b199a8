/**
 * Issue 13 §4: "Repeat this visit" in the booking dialog — weekly, every N weeks or monthly, ending after a number
 * of visits or on a date — and the list of the series' visits, each checked like a single booking by the core
 * (series.preview: the provider's bookable time, the past, the provider's and the patient's other visits), so the
 * person sees which ones cannot be booked before booking.
 */
import { useEffect, useId, useState } from 'react';
import type { MethodInput } from '../../../../src-shared/contract';
import type { OccurrenceCheck } from '../../../../src-shared/views';
import { MAX_SERIES_OCCURRENCES } from '../../../../src-shared/recurrence';
import { call, errorMessage } from '../../api';
import { dayLabel, hhmm, zoneLabel } from '../../lib/time';
import { phiEpoch } from '../../state/epoch';

export interface RepeatPattern {
  freq: 'WEEKLY' | 'MONTHLY';
  interval: number;
  ends: 'count' | 'until';
  count: number;
  until: string;
}

export const NO_REPEAT: RepeatPattern = { freq: 'WEEKLY', interval: 1, ends: 'count', count: 6, until: '' };

/** The series fields of the contract's series.preview / series.book input. */
export function seriesFieldsOf(p: RepeatPattern) {
  return {
    freq: p.freq,
    interval: p.interval,
    ...(p.ends === 'count' ? { count: p.count } : { until: p.until }),
  };
}

export function RepeatFields(p: { value: RepeatPattern; onChange: (v: RepeatPattern) => void }) {
  const ids = { freq: useId(), interval: useId(), count: useId(), until: useId() };
  const v = p.value;
  const set = (patch: Partial<RepeatPattern>) => p.onChange({ ...v, ...patch });
  return (
    <fieldset className="field-group">
      <legend>Repeat</legend>
      <div className="field-row">
        <div className="field field-compact">
          <label htmlFor={ids.freq}>Repeats</label>
          <select
            id={ids.freq}
            value={v.freq}
            onChange={(e) => set({ freq: e.target.value as RepeatPattern['freq'] })}
          >
            <option value="WEEKLY">Weekly</option>
            <option value="MONTHLY">Monthly</option>
          </select>
        </div>
        <div className="field field-compact">
          <label htmlFor={ids.interval}>{v.freq === 'WEEKLY' ? 'Every (weeks)' : 'Every (months)'}</label>
          <input
            id={ids.interval}
            type="number"
            min={1}
            max={26}
            value={v.interval}
            onChange={(e) => set({ interval: Math.max(1, Math.min(26, Number(e.target.value) || 1)) })}
          />
        </div>
      </div>
      <div className="field-row" role="radiogroup" aria-label="Ends">
        <label className="checkbox">
          <input
            type="radio"
            name={ids.count}
            checked={v.ends === 'count'}
            onChange={() => set({ ends: 'count' })}
          />
          After a number of visits
        </label>
        <label className="checkbox">
          <input
            type="radio"
            name={ids.count}
            checked={v.ends === 'until'}
            onChange={() => set({ ends: 'until' })}
          />
          On a date
        </label>
      </div>
      {v.ends === 'count' ? (
        <div className="field field-compact">
          <label htmlFor={ids.count}>Number of visits (at most {MAX_SERIES_OCCURRENCES})</label>
          <input
            id={ids.count}
            type="number"
            min={1}
            max={MAX_SERIES_OCCURRENCES}
            value={v.count}
            onChange={(e) => set({ count: Math.max(1, Number(e.target.value) || 1) })}
          />
        </div>
      ) : (
        <div className="field field-compact">
          <label htmlFor={ids.until}>Last day</label>
          <input
            id={ids.until}
            type="date"
            value={v.until}
            onChange={(e) => set({ until: e.target.value })}
          />
        </div>
      )}
    </fieldset>
  );
}

/** The visits of the series being booked, each "free" or why it cannot be booked. */
export function useSeriesPreview(input: Record<string, unknown> | null): {
  checks: OccurrenceCheck[] | null;
  error: string | null;
} {
  const [checks, setChecks] = useState<OccurrenceCheck[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = input ? JSON.stringify(input) : '';
  useEffect(() => {
    setChecks(null);
    setError(null);
    if (!input) return;
    const started = phiEpoch();
    let stale = false;
    const t = setTimeout(() => {
      call('series.preview', input as MethodInput<'series.preview'>).then(
        (p) => {
          if (!stale && started === phiEpoch()) setChecks(p.occurrences);
        },
        (e) => {
          if (!stale) setError(errorMessage(e));
        },
      );
    }, 200);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [key]);
  return { checks, error };
}

export function OccurrenceList(p: { checks: OccurrenceCheck[] | null; error: string | null }) {
  if (p.error)
    return (
      <p className="inline-error" role="alert">
        {p.error}
      </p>
    );
  if (!p.checks) return <p aria-busy="true">Checking the visits…</p>;
  const bad = p.checks.filter((c) => c.problem !== null).length;
  return (
    <div className="field">
      <p role="status">
        {p.checks.length} visits{bad > 0 ? `: ${bad} cannot be booked` : ', all free'}
      </p>
      <ul className="choice-list" aria-label="Visits in this series">
        {p.checks.map((c) => (
          <li key={c.start} className={c.problem ? 'inline-error' : undefined}>
            {dayLabel(c.start)} {hhmm(c.start)} {zoneLabel(c.start)} —{' '}
            {c.problem ? `cannot be booked: ${c.problem}` : 'free'}
          </li>
        ))}
      </ul>
    </div>
  );
}
