/**
 * issue 14a: a queue per triage pool (open and urgent counts; urgent includes overdue threads), and the order of
 * the list (priority by default: STAT, then overdue, then asap, urgent, routine, each by due time).
 */
import { useEffect } from 'react';
import type { QueueSort } from '../../../../src-shared/views';
import { useData } from '../../state/data';
import { loadPools, useTriage } from '../../state/triage';
import { setUi, useUi } from '../../state/ui';

export const SORT_LABEL: Record<QueueSort, string> = {
  priority: 'Priority, then due time',
  due: 'Due time',
  received: 'Received (newest first)',
  patient: 'Patient name',
};

export function PoolNav() {
  const pools = useTriage((s) => s.pools);
  const filters = useUi((s) => s.filters);
  const version = useData((s) => s.version);
  const checked = useTriage((s) => s.poolsChecked);
  useEffect(() => {
    void loadPools();
  }, [version]);
  // What this role may read is unknown (a change may have taken something out of reach, another person): read the
  // pools again at once, before the change's re-query; no thread body is asked for until then (s9sec).
  useEffect(() => {
    if (!checked) void loadPools();
  }, [checked]);
  const pick = (poolId: string) => setUi({ filters: { ...filters, poolId }, cursor: 0 });
  if (pools.length === 0) return null;
  return (
    <nav className="queue-nav" aria-label="Pools">
      <h2 className="pane-title">Pools</h2>
      <ul>
        <li>
          <button
            type="button"
            className="queue-button"
            aria-current={filters.poolId === '' ? 'page' : undefined}
            onClick={() => pick('')}
          >
            <span className="queue-label">Every pool</span>
          </button>
        </li>
        {pools.map((p) => (
          <li key={p.id}>
            <button
              type="button"
              className="queue-button"
              aria-current={filters.poolId === p.id ? 'page' : undefined}
              onClick={() => pick(p.id)}
            >
              <span className="queue-label">
                {p.name}
                {p.readable ? '' : <span className="visually-hidden"> (topic and subject only)</span>}
              </span>
              <span className="queue-count" aria-label={`${p.open} open, ${p.urgent} urgent or overdue`}>
                {p.urgent > 0 ? `${p.urgent} / ${p.open}` : p.open}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function SortControl() {
  const filters = useUi((s) => s.filters);
  return (
    <div className="field field-compact">
      <label htmlFor="queue-sort">Sort by</label>
      <select
        id="queue-sort"
        value={filters.sort || 'priority'}
        onChange={(e) =>
          setUi({
            filters: { ...filters, sort: e.target.value === 'priority' ? '' : (e.target.value as QueueSort) },
            cursor: 0,
          })
        }
      >
        {(Object.keys(SORT_LABEL) as QueueSort[]).map((s) => (
          <option key={s} value={s}>
            {SORT_LABEL[s]}
          </option>
        ))}
      </select>
    </div>
  );
}
