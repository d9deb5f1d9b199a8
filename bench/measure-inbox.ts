/**
 * 2. The first inbox page (50 threads) of every queue and some filters, timed in the core: InboxService.list on
 * the store the initial sync filled (the same call the router makes). 3. Search: measure-search.ts.
 */
import type { Priority, StaffRecord } from '../src-shared/domain';
import type { Queue } from '../src-shared/views';
import { systemClock } from '../src-main/base/adapters';
import { InboxService, type InboxListInput } from '../src-main/inbox/inbox-service';
import type { Store } from '../src-main/store/store';
import type { BenchOptions, Result } from './env';
import { summarize, timeSync } from './stats';

/** A word the benchmark posts through the patient portal a few times before the first sync. */
export const RARE_WORD = 'zolmitriptan';
export const RARE_COUNT = 5;

const PAGE = { offset: 0, limit: 50 } as const;
const DAY = 86_400_000;

function staffOf(store: Store, username: string): StaffRecord {
  const staff = store.staff.byUsername(username);
  if (!staff) throw new Error(`${username} is not in the synced store`);
  return staff;
}

function timeList(
  inbox: InboxService,
  staff: StaffRecord,
  input: InboxListInput,
  warmup: number,
  runs: number,
): { samples: number[]; total: number } {
  let total = 0;
  const samples = timeSync(
    () => {
      total = inbox.list(staff, input).total;
    },
    { warmup, runs },
  );
  return { samples, total };
}

export function measureInbox(store: Store, opts: BenchOptions): Result[] {
  const inbox = new InboxService(store, systemClock, () => undefined);
  const staff = staffOf(store, 'clinician1');
  const { queryWarmup: warmup, queryRuns: runs } = opts.reps;
  const results: Result[] = [];
  const providerId = store.providers.list()[0]?.id;
  const since = new Date(Date.now() - 7 * DAY).toISOString().slice(0, 10);
  const cases: { name: string; input: InboxListInput }[] = [
    ...(['unassigned', 'mine', 'urgent', 'all', 'closed'] as Queue[]).map((queue) => ({
      name: `first page: ${queue}`,
      input: { queue, ...PAGE },
    })),
    {
      name: `first page: all, priority urgent + provider ${providerId}`,
      input: { queue: 'all', priority: 'urgent' as Priority, providerId, ...PAGE },
    },
    { name: `first page: all, messages since ${since}`, input: { queue: 'all', since, ...PAGE } },
  ];
  for (const c of cases) {
    const { samples, total } = timeList(inbox, staff, c.input, warmup, runs);
    const s = summarize(samples);
    results.push({
      group: 'inbox',
      name: c.name,
      unit: 'ms',
      median: s.median,
      p95: s.p95,
      target: { on: 'p95', op: '<', value: 2 },
      runs: s.n,
      note: `${total.toLocaleString('en')} threads in the queue`,
    });
  }
  const counts = summarize(timeSync(() => inbox.counts(staff), { warmup, runs }));
  results.push({
    group: 'inbox',
    name: 'unread counts of all queues (queue badges)',
    unit: 'ms',
    median: counts.median,
    p95: counts.p95,
    target: null,
    runs: counts.n,
  });
  return results;
}
