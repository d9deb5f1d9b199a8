/**
 * A counter bumped when the core says records changed (`data.changed`): views re-query what they show when it
 * moves. Audit-only changes are ignored: reading a record writes an audit event, so re-reading on them would
 * never stop.
 */
import { create } from 'zustand';
import { OUT_OF_REACH } from '../../../src-shared/data-changes';
import { dropKeptLists, recordsChanged, staleFirstPages } from './inbox';
import { patientOutOfReach } from './patient';
import { poolsOutOfReach } from './triage';

interface DataState {
  version: number;
  /** The entities of the changes behind the last bump. */
  entities: string[];
}

export const useData = create<DataState>()(() => ({ version: 0, entities: [] }));

const pendingEntities = new Set<string>();

let timer: ReturnType<typeof setTimeout> | null = null;

export function dataChanged(entities: readonly string[]): void {
  if (!entities.some((e) => e !== 'audit')) return;
  // Kept first pages may be out of date from now on: shown again only as stale, while read again (issue 16 §5),
  // marked so even before the re-query. A change that may have taken something out of the person's reach (records
  // removed from the store, session 8 sec8; withheld from the role, session 9 s9sec): no list kept or asked for
  // from before is shown again, the one on screen goes now, and no thread body is asked for until the pools (what
  // this role may read) are read again; the open thread the pane holds stays on screen and is checked by the core
  // then (review 10, R10-1: state/inbox.ts detailHeld).
  if (entities.includes(OUT_OF_REACH)) {
    dropKeptLists();
    patientOutOfReach();
    poolsOutOfReach();
  } else staleFirstPages();
  // The open thread's copy is unchecked until its refresh answers (not shown as "previous" meanwhile).
  recordsChanged();
  for (const e of entities) pendingEntities.add(e);
  // Coalesce a burst (a pull applies batches back to back) into one re-query.
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    const changed = [...pendingEntities];
    pendingEntities.clear();
    useData.setState((s) => ({ version: s.version + 1, entities: changed }));
  }, 30);
}
