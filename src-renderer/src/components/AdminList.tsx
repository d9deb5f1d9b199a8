/**
 * The admin pages' list of records (absences, enrolled PCs, pool templates): one table named for assistive
 * technology, a header row, one row per record, and at most one action button per row whose accessible name
 * names the record (WCAG 1.3.1, 2.4.6, 4.1.2). While the records load it says so; with none it shows `empty`.
 * Session 6, dx6: the markup was written once per page.
 */
import type { ReactNode } from 'react';

/** One column: its header and what a record shows in it. */
export interface AdminListColumn<T> {
  header: string;
  cell: (record: T) => ReactNode;
}

/** The row action: a quiet button, shown where `when` allows (default every row). */
export interface AdminListAction<T> {
  /** The button's visible text ("Remove"). */
  text: string;
  /** Its accessible name, naming the record ("Remove Front desk 1"). */
  label: (record: T) => string;
  onAction: (record: T) => void;
  when?: (record: T) => boolean;
  disabled?: boolean;
}

export interface AdminListProps<T extends { id: string }> {
  /** The table's accessible name ("Enrolled PCs"). */
  label: string;
  /** The records in display order (keyed by their id); null while they load. */
  records: readonly T[] | null;
  columns: readonly AdminListColumn<T>[];
  action?: AdminListAction<T>;
  /** What is shown when there are no records (absent: the table with no rows). */
  empty?: string;
}

export function AdminList<T extends { id: string }>({
  label,
  records,
  columns,
  action,
  empty,
}: AdminListProps<T>) {
  if (records === null) return <p className="muted">Loading…</p>;
  if (records.length === 0 && empty !== undefined) return <p className="muted">{empty}</p>;
  return (
    <table className="table" aria-label={label}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.header} scope="col">
              {c.header}
            </th>
          ))}
          {action ? (
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {records.map((r) => (
          <tr key={r.id}>
            {columns.map((c) => (
              <td key={c.header}>{c.cell(r)}</td>
            ))}
            {action ? (
              <td>
                {(action.when?.(r) ?? true) ? (
                  <button
                    type="button"
                    className="button button-quiet"
                    disabled={action.disabled}
                    aria-label={action.label(r)}
                    onClick={() => action.onAction(r)}
                  >
                    {action.text}
                  </button>
                ) : null}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
