/**
 * 2. The first inbox page (50 threads) of every queue and some filters, timed in the core on the store the initial
 * sync filled: the page query (ThreadsRepo.page, below InboxService.list's first-page cache; the page as a person
 * gets it is timed through the router, bench/measure-router.ts). 3. Search: measure-search.ts.
 */
import type { Priority, StaffRecord } from '../src-shared/domain';
import type { Queue } from '../src-shared/views';
import { systemClock } from '../src-main/base/adapters';
import { InboxService, type InboxListInput } from '../src-main/inbox/inbox-service';
import type { Store } from '../src-main/store/store';
import { TriageService } from '../src-main/triage/triage-service';
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

export function measureInbox(store: Store, opts: BenchOptions): Result[] {
  const inbox = new InboxService(store, systemClock, () => undefined);
  const staff = staffOf(store, 'clinician1');
  const { queryWarmup: warmup, queryRuns: runs } = opts.reps;
  const results: Result[] = [];
  const providerId = store.providers.list()[0]?.id;
  const since = new Date(Date.now() - 7 * DAY).toISOString().slice(0, 10);
  const cases: { name: string; input: InboxListInput }[] = [
    ...(['unassigned', 'mine', 'urgent', 'all', 'closed'] as Queue[]).map((queue) => ({
      name: `page query in the store (no router, no cache): ${queue}`,
      input: { queue, ...PAGE },
    })),
    {
      name: `page query in the store: all, priority urgent + provider ${providerId}`,
      input: { queue: 'all', priority: 'urgent' as Priority, providerId, ...PAGE },
    },
    {
      name: `page query in the store: all, messages since ${since}`,
      input: { queue: 'all', since, ...PAGE },
    },
  ];
  for (const c of cases) {
    // The store's query itself: InboxService.list keeps first pages in memory (issue 16), so timing it would
    // time the cache. The page as a person gets it is timed through the router (bench/measure-router.ts).
    let total = 0;
    const samples = timeSync(
      () => {
        total = store.threads.page({ ...c.input, staffId: staff.id }).total;
      },
      { warmup, runs },
    );
    const s = summarize(samples);
    results.push({
      group: 'inbox',
      name: c.name,
      unit: 'ms',
      median: s.median,
      p95: s.p95,
      target: null,
      runs: s.n,
      note: `${total.toLocaleString('en')} threads in the queue`,
    });
  }
  // The console escalates threads past their SLA before it reads a queue (inbox.list); the urgent badge counts
  // the escalated ones too, so the badges are timed on a store where that has happened.
  new TriageService(store, systemClock, () => undefined).escalate();
  const escalated = store.db
    .prepare('SELECT count(*) FROM threads WHERE overdue = 1')
    .pluck()
    .get() as number;
  const counts = summarize(timeSync(() => inbox.counts(staff), { warmup, runs }));
  // What the badges counted on every call before console migration 018 (session 6), timed in the same run.
  const oldCount = store.db
    .prepare(
      `SELECT count(*) FROM threads WHERE status IN ('new', 'in_progress') AND overdue = 1
         AND priority NOT IN ('urgent', 'asap', 'stat') AND (seen_at IS NULL OR seen_at < last_message_at)`,
    )
    .pluck();
  const before = summarize(timeSync(() => oldCount.get(), { warmup, runs }));
  results.push({
    group: 'inbox',
    name: 'unread counts of all queues (queue badges)',
    unit: 'ms',
    median: counts.median,
    p95: counts.p95,
    target: null,
    runs: counts.n,
    note: `${escalated.toLocaleString('en')} threads escalated past their SLA; the unread escalated routine threads are read from the row migration 018 keeps`,
  });
  results.push({
    group: 'inbox',
    name: 'unread escalated routine threads counted as before migration 018 (for comparison)',
    unit: 'ms',
    median: before.median,
    p95: before.p95,
    target: null,
    runs: before.n,
    note: `the count each inbox.counts ran before (threads_overdue_open), on the same store in the same run: ${oldCount.get() as number} threads`,
  });
  return results;
}
