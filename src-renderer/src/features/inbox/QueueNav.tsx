/** Queue tabs with unread counts, and the list filters. */
import { PRIORITIES, THREAD_STATUSES } from '../../../../src-shared/domain';
import { QUEUES, type Queue } from '../../../../src-shared/views';
import { PRIORITY_LABEL, STATUS_LABEL } from '../../components/Badges';
import { useInbox } from '../../state/inbox';
import { useReference } from '../../state/reference';
import { NO_FILTERS, setUi, useUi, type InboxFilters } from '../../state/ui';

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
                onClick={() => setUi({ queue: q, cursor: 0 })}
              >
                <span className="queue-label">{QUEUE_LABEL[q]}</span>
                {unread > 0 ? (
                  <span className="queue-count" aria-label={`${unread} unread`}>
                    {unread.toLocaleString('en')}
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
  const set = (patch: Partial<InboxFilters>) => setUi({ filters: { ...filters, ...patch }, cursor: 0 });
  const active = Object.values(filters).some(Boolean);
  return (
    <section className="filters" aria-labelledby="filters-title">
      <h2 id="filters-title" className="pane-title">
        Filters
      </h2>
      <div className="field field-compact">
        <label htmlFor="filter-provider">Provider</label>
        <select
          id="filter-provider"
          value={filters.providerId}
          onChange={(e) => set({ providerId: e.target.value })}
        >
          <option value="">Any provider</option>
          {providers.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-compact">
        <label htmlFor="filter-priority">Priority</label>
        <select
          id="filter-priority"
          value={filters.priority}
          onChange={(e) => set({ priority: e.target.value as InboxFilters['priority'] })}
        >
          <option value="">Any priority</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {PRIORITY_LABEL[p]}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-compact">
        <label htmlFor="filter-status">Status</label>
        <select
          id="filter-status"
          value={filters.status}
          onChange={(e) => set({ status: e.target.value as InboxFilters['status'] })}
        >
          <option value="">Any status</option>
          {THREAD_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABEL[s]}
            </option>
          ))}
        </select>
      </div>
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
