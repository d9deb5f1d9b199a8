/** The inbox: queues and filters, the search box, the virtualized list and the open thread. */
import { useEffect, useRef, useState } from 'react';
import { useInbox } from '../../state/inbox';
import { setUi } from '../../state/ui';
import { Filters, QueueNav } from './QueueNav';
import { THREAD_LIST_SECTION_ID } from './focus';
import { ThreadList } from './ThreadList';
import { PoolNav, SortControl } from '../triage/TriageNav';
import { TriagePane } from '../triage/TriagePane';

export const SEARCH_INPUT_ID = 'inbox-search';
/**
 * Typing pause before the list searches (ms). Issue 16 / DESIGN §10: results within 100 ms of the last keystroke;
 * a search through the router takes < 10 ms (p95) and an answer to an older query is dropped (state/inbox.ts
 * query key), so a short pause only saves queries while someone types fast (was 300 ms).
 */
export const SEARCH_DEBOUNCE_MS = 60;

function SearchBox() {
  const text = useInbox((s) => s.searchText);
  const ref = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [, force] = useState(0);

  const apply = (value: string) => {
    if (ref.current) clearTimeout(ref.current);
    ref.current = null;
    useInbox.setState({ search: value.trim() });
    setUi({ cursor: 0 });
    force((n) => n + 1);
  };

  useEffect(() => () => (ref.current ? clearTimeout(ref.current) : undefined), []);

  return (
    <form
      role="search"
      className="search"
      onSubmit={(e) => {
        e.preventDefault();
        apply(text);
      }}
    >
      <label htmlFor={SEARCH_INPUT_ID} className="visually-hidden">
        Search messages
      </label>
      <svg
        className="search-icon"
        viewBox="0 0 16 16"
        width="16"
        height="16"
        aria-hidden="true"
        focusable="false"
      >
        <circle cx="7" cy="7" r="4.5" />
        <path d="m10.5 10.5 3.5 3.5" />
      </svg>
      <input
        id={SEARCH_INPUT_ID}
        type="search"
        value={text}
        placeholder="Search messages  ( / )"
        autoComplete="off"
        maxLength={200}
        onChange={(e) => {
          const value = e.target.value;
          useInbox.setState({ searchText: value });
          if (ref.current) clearTimeout(ref.current);
          ref.current = setTimeout(() => apply(value), SEARCH_DEBOUNCE_MS);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && text) {
            e.preventDefault();
            useInbox.setState({ searchText: '' });
            apply('');
          }
        }}
      />
    </form>
  );
}

export function InboxView() {
  return (
    <div className="inbox">
      <aside className="inbox-side" aria-label="Queues and filters">
        <QueueNav />
        <PoolNav />
        <SortControl />
        <Filters />
      </aside>
      {/* Focusable from script only: it holds focus while the list is read again (features/inbox/focus.ts). */}
      <section id={THREAD_LIST_SECTION_ID} className="inbox-list" aria-label="Thread list" tabIndex={-1}>
        <SearchBox />
        <ThreadList />
      </section>
      <section className="inbox-thread" aria-label="Open thread">
        <TriagePane />
      </section>
    </div>
  );
}
