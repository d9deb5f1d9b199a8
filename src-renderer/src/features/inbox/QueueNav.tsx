/** Queue tabs with unread counts, and the list filters. */
import { PRIORITIES, THREAD_STATUSES } from '../../../../src-shared/domain';
import { QUEUES, type Queue } from '../../../../src-shared/views';
import { PRIORITY_LABEL, STATUS_LABEL } from '../../components/Badges';
import { showCurrentQuery, useInbox } from '../../state/inbox';
import { useReference } from '../../state/reference';
import { NO_FILTERS, setUi, useUi, type InboxFilters } from '../../state/ui';
import { groupDigits } from './thread-count';

export const QUEUE_LABEL: Record<Queue, string> = {
  unassigned: 'Unassigned',
  mine: 'Mine',
  urgent: 'Urgent',
  all: 'All open',
  closed: 'Closed',
};

export function QueueNav() {
  const queue = useUi((s) => s.queue);
  const counts = useInbox((s) => s.counts);
  return (
    <nav className="queue-nav" aria-label="Queues">
      <h2 className="pane-title">Queues</h2>
      <ul>
        {QUEUES.map((q) => {
          const unread = counts?.[q] ?? 0;
          return (
            <li key={q}>
              <button
                type="button"
                className="queue-button"
                aria-current={queue === q ? 'page' : undefined}
                onClick={() => {
                  // The list changes in this same task (a kept first page shows at once: issue 16 §5).
                  setUi({ queue: q, cursor: 0 });
                  showCurrentQuery();
                }}
              >
                <span className="queue-label">{QUEUE_LABEL[q]}</span>
                {unread > 0 ? (
                  <span className="queue-count" aria-label={`${unread} unread`}>
                    {groupDigits(unread)}
                  </span>
                ) : (
                  <span className="visually-hidden">no unread</span>
                )}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

export function Filters() {
  const filters = useUi((s) => s.filters);
  const providers = useReference((s) => s.providers);
  const set = (patch: Partial<InboxFilters>) => {
    setUi({ filters: { ...filters, ...patch }, cursor: 0 });
    showCurrentQuery();
  };
  const active = Object.values(filters).some(Boolean);
  return (
    <section className="filters" aria-labelledby="filters-title">
      <h2 id="filters-title" className="pane-title">
        Filters
      </h2>
      <FilterSelect
        id="filter-provider"
        label="Provider"
        anyLabel="Any provider"
        value={filters.providerId}
        options={providers.map((p) => ({ value: p.id, label: p.name }))}
        onChange={(providerId) => set({ providerId })}
      />
      <FilterSelect
        id="filter-priority"
        label="Priority"
        anyLabel="Any priority"
        value={filters.priority}
        options={PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABEL[p] }))}
        onChange={(priority) => set({ priority })}
      />
      <FilterSelect
        id="filter-status"
        label="Status"
        anyLabel="Any status"
        value={filters.status}
        options={THREAD_STATUSES.map((st) => ({ value: st, label: STATUS_LABEL[st] }))}
        onChange={(status) => set({ status })}
      />
      <div className="field field-compact">
        <label htmlFor="filter-since">Messages since</label>
        <input
          id="filter-since"
          type="date"
          value={filters.since}
          onChange={(e) => set({ since: e.target.value })}
        />
      </div>
      <button
        type="button"
        className="button button-quiet button-small"
        disabled={!active}
        onClick={() => setUi({ filters: NO_FILTERS, cursor: 0 })}
      >
        Clear filters
      </button>
    </section>
  );
}

/** A labelled filter select whose empty value means "any". */
function FilterSelect<V extends string>(props: {
  id: string;
  label: string;
  anyLabel: string;
  value: V | '';
  options: readonly { value: V; label: string }[];
  onChange: (value: V | '') => void;
}) {
  return (
    <div className="field field-compact">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value as V | '')}>
        <option value="">{props.anyLabel}</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
