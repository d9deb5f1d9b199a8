/**
 * Admin (issue 13 §3): a provider's weekly availability template and the exceptions (holidays, leave, one-off
 * sessions). Changes go through the contract and router (admin role, audit) to the server, which checks the role
 * again and sends them to every console. The editor is deliberately simple: per weekday one working block, an
 * optional lunch and an optional admin block, in wall-clock time at the provider's location.
 */
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type {
  AvailabilityAdminView,
  AvailabilityBlock,
  AvailabilityExceptionRecord,
  ExceptionKind,
} from '../../../../src-shared/availability';
import { BLOCK_LABEL } from '../../../../src-shared/availability';
import { call, errorMessage } from '../../api';
import { SelectField } from '../../components/Field';
import { clinicToday, displayZone, minuteLabel } from '../../lib/time';
import { useData } from '../../state/data';
import { useReference } from '../../state/reference';
import { announce } from '../../state/ui';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

interface DayRow {
  works: boolean;
  start: string;
  end: string;
  lunchStart: string;
  lunchEnd: string;
  adminStart: string;
  adminEnd: string;
}

const hhmmToMinute = (t: string): number | null => {
  const m = /^(\d\d):(\d\d)$/.exec(t);
  if (!m) return null;
  const minute = Number(m[1]) * 60 + Number(m[2]);
  return minute <= 1440 ? minute : null;
};

/** Rows of the editor from a template (null: the provider's default hours every day). */
function rowsOf(blocks: AvailabilityBlock[] | null, dayStart: number, dayEnd: number): DayRow[] {
  return WEEKDAYS.map((_, i) => {
    const weekday = i + 1;
    const of = (kind: AvailabilityBlock['kind']) =>
      (blocks ?? []).find((b) => b.weekday === weekday && b.kind === kind);
    const work = blocks === null ? { startMinute: dayStart, endMinute: dayEnd } : of('work');
    const lunch = of('lunch');
    const admin = of('admin');
    return {
      works: work !== undefined,
      start: minuteLabel(work?.startMinute ?? dayStart),
      end: minuteLabel(work?.endMinute ?? dayEnd),
      lunchStart: lunch ? minuteLabel(lunch.startMinute) : '',
      lunchEnd: lunch ? minuteLabel(lunch.endMinute) : '',
      adminStart: admin ? minuteLabel(admin.startMinute) : '',
      adminEnd: admin ? minuteLabel(admin.endMinute) : '',
    };
  });
}

/** The template the rows describe, or the first problem in words. */
function blocksOf(rows: DayRow[]): AvailabilityBlock[] | string {
  const out: AvailabilityBlock[] = [];
  for (const [i, r] of rows.entries()) {
    if (!r.works) continue;
    const weekday = i + 1;
    const pairs: [AvailabilityBlock['kind'], string, string][] = [
      ['work', r.start, r.end],
      ['lunch', r.lunchStart, r.lunchEnd],
      ['admin', r.adminStart, r.adminEnd],
    ];
    for (const [kind, from, to] of pairs) {
      if (kind !== 'work' && !from && !to) continue;
      const s = hhmmToMinute(from);
      const e = hhmmToMinute(to);
      if (s === null || e === null)
        return `${WEEKDAYS[i]}: give both times of the ${BLOCK_LABEL[kind].toLowerCase()} block.`;
      if (e <= s)
        return `${WEEKDAYS[i]}: the ${BLOCK_LABEL[kind].toLowerCase()} block must end after it starts.`;
      out.push({ weekday, startMinute: s, endMinute: e, kind });
    }
  }
  return out;
}

const KIND_LABEL: Record<ExceptionKind, string> = {
  holiday: 'Holiday (whole clinic closed)',
  leave: 'Leave (this provider away)',
  session: 'Extra session (this provider works)',
};

function exceptionLabel(e: AvailabilityExceptionRecord): string {
  const kind = e.kind === 'holiday' ? 'Holiday' : e.kind === 'leave' ? 'Leave' : 'Extra session';
  const dates = e.fromDate === e.toDate ? e.fromDate : `${e.fromDate} to ${e.toDate}`;
  const times =
    e.startMinute !== null && e.endMinute !== null
      ? ` ${minuteLabel(e.startMinute)}–${minuteLabel(e.endMinute)}`
      : '';
  return `${kind}${e.label ? ` "${e.label}"` : ''}, ${dates}${times}`;
}

export function AvailabilityView() {
  const providers = useReference((s) => s.providers);
  const version = useData((s) => s.version);
  const [providerId, setProviderId] = useState('');
  const provider = providers.find((p) => p.id === providerId) ?? providers[0];
  const [view, setView] = useState<AvailabilityAdminView | null>(null);
  const [rows, setRows] = useState<DayRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Session 8, s8rec: an answer for a provider no longer chosen (a reload still under way when another was
  // picked) is dropped, so the template shown is always the chosen provider's.
  const chosen = useRef(provider?.id);
  chosen.current = provider?.id;
  const load = useCallback(() => {
    if (!provider) return;
    const asked = provider.id;
    call('availability.get', { providerId: asked }).then(
      (v) => {
        if (chosen.current !== asked) return;
        setView(v);
        setError(null);
      },
      (e) => {
        if (chosen.current === asked) setError(errorMessage(e));
      },
    );
  }, [provider?.id]);
  useEffect(load, [load, version]);
  // The editor starts from the stored template whenever another provider is chosen.
  useEffect(() => {
    if (provider && view && view.providerId === provider.id)
      setRows(rowsOf(view.blocks, provider.dayStartMinute, provider.dayEndMinute));
  }, [view?.providerId, view?.blocks]);

  async function saveTemplate(e: FormEvent) {
    e.preventDefault();
    if (!provider || !rows) return;
    const blocks = blocksOf(rows);
    if (typeof blocks === 'string') {
      setError(blocks);
      return;
    }
    setBusy(true);
    try {
      await call('availability.setTemplate', { providerId: provider.id, blocks });
      announce(`Weekly template of ${provider.name} saved.`);
      setError(null);
      load();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function remove(ex: AvailabilityExceptionRecord) {
    setBusy(true);
    try {
      await call('availability.removeException', { exceptionId: ex.id });
      announce(`${exceptionLabel(ex)} removed.`);
      load();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const set = (i: number, patch: Partial<DayRow>) =>
    setRows((r) => (r ? r.map((row, j) => (j === i ? { ...row, ...patch } : row)) : r));

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1 className="view-title">Availability</h1>
          <p className="muted">
            Weekly hours, lunch and admin time, holidays, leave and extra sessions. Times are wall-clock times
            at the provider’s location ({displayZone()}). Changes are saved on the clinic server and recorded
            in the audit log.
          </p>
        </div>
      </div>
      <SelectField
        inline
        label="Provider"
        value={provider?.id ?? ''}
        onChange={(id) => {
          // Session 8, s8rec: picking the provider already shown changes nothing. Clearing the view here would
          // wait for a reload that only a change of provider (or of the data) starts: "Loading…" for good.
          if (id === provider?.id) return;
          setProviderId(id);
          setView(null);
          setRows(null);
        }}
        options={providers.map((p) => ({ value: p.id, label: p.name }))}
      />
      <div className="form-error" role="alert">
        {error ? <p>{error}</p> : null}
      </div>
      {provider && rows ? (
        <form
          className="card form"
          onSubmit={saveTemplate}
          noValidate
          aria-label={`Weekly template of ${provider.name}`}
        >
          <h2 className="section-title">Weekly template</h2>
          <table className="table availability-table">
            <caption className="visually-hidden">
              Working hours, lunch and admin time of {provider.name} for each weekday
            </caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Works</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Lunch from</th>
                <th scope="col">Lunch to</th>
                <th scope="col">Admin from</th>
                <th scope="col">Admin to</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => {
                const day = WEEKDAYS[i]!;
                const time = (field: keyof DayRow, label: string) => (
                  <td>
                    <input
                      type="time"
                      step={300}
                      aria-label={`${day} ${label}`}
                      value={r[field] as string}
                      disabled={!r.works}
                      onChange={(e) => set(i, { [field]: e.target.value })}
                    />
                  </td>
                );
                return (
                  <tr key={day}>
                    <th scope="row">{day}</th>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`${day}: works`}
                        checked={r.works}
                        onChange={(e) => set(i, { works: e.target.checked })}
                      />
                    </td>
                    {time('start', 'from')}
                    {time('end', 'to')}
                    {time('lunchStart', 'lunch from')}
                    {time('lunchEnd', 'lunch to')}
                    {time('adminStart', 'admin time from')}
                    {time('adminEnd', 'admin time to')}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="dialog-actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              Save weekly template
            </button>
          </div>
        </form>
      ) : (
        <p className="muted">Loading…</p>
      )}
      {provider && view ? (
        <section className="card" aria-labelledby="exceptions-title">
          <h2 id="exceptions-title" className="section-title">
            Exceptions from today
          </h2>
          {view.exceptions.length === 0 ? (
            <p className="muted">No holidays, leave or extra sessions ahead.</p>
          ) : (
            <ul className="choice-list" aria-label="Exceptions">
              {view.exceptions.map((ex) => (
                <li key={ex.id} className="availability-exception">
                  <span>{exceptionLabel(ex)}</span>
                  <button
                    type="button"
                    className="button button-small"
                    disabled={busy}
                    aria-label={`Remove ${exceptionLabel(ex)}`}
                    onClick={() => void remove(ex)}
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          <AddException
            providerId={provider.id}
            locationId={provider.locationId}
            onAdded={(label) => {
              announce(`${label} added.`);
              load();
            }}
          />
        </section>
      ) : null}
    </div>
  );
}

function AddException(p: { providerId: string; locationId: string; onAdded: (label: string) => void }) {
  const [kind, setKind] = useState<ExceptionKind>('holiday');
  const [from, setFrom] = useState(clinicToday());
  const [to, setTo] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [label, setLabel] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { kind: useId(), from: useId(), to: useId(), start: useId(), end: useId(), label: useId() };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const s = start ? hhmmToMinute(start) : null;
    const en = end ? hhmmToMinute(end) : null;
    setBusy(true);
    try {
      await call('availability.addException', {
        kind,
        providerId: kind === 'holiday' ? null : p.providerId,
        locationId: p.locationId,
        fromDate: from,
        toDate: to || from,
        startMinute: s,
        endMinute: en,
        label: label.trim(),
      });
      p.onAdded(KIND_LABEL[kind].replace(/ \(.*\)$/, ''));
      setLabel('');
      setStart('');
      setEnd('');
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Add an exception">
      <h3 className="section-title">Add an exception</h3>
      <div className="field">
        <label htmlFor={ids.kind}>Kind</label>
        <select id={ids.kind} value={kind} onChange={(e) => setKind(e.target.value as ExceptionKind)}>
          {(Object.keys(KIND_LABEL) as ExceptionKind[]).map((k) => (
            <option key={k} value={k}>
              {KIND_LABEL[k]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.from}>First day</label>
        <input id={ids.from} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.to}>Last day (optional)</label>
        <input id={ids.to} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.start}>
          From time ({kind === 'session' ? 'required' : 'optional: whole day if empty'})
        </label>
        <input
          id={ids.start}
          type="time"
          step={300}
          value={start}
          onChange={(e) => setStart(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.end}>To time</label>
        <input id={ids.end} type="time" step={300} value={end} onChange={(e) => setEnd(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.label}>Label (optional)</label>
        <input id={ids.label} value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} />
      </div>
      <div className="form-error" role="alert">
        {error ? <p>{error}</p> : null}
      </div>
      <div className="dialog-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          Add exception
        </button>
      </div>
    </form>
  );
}
