/**
 * 8. A patient's message posted on the backend (portal API), until the console's inbox shows it: the server
 * pokes over SSE, the real SyncEngine pulls and applies, and InboxService.list returns the new thread on the
 * first page of the 'all' queue sorted by arrival (the default order is by priority, where a new routine thread need
 * not be on the first page). Measured from just before the portal POST.
 */
import type { StaffRecord } from '../src-shared/domain';
import { systemClock } from '../src-main/base/adapters';
import { InboxService } from '../src-main/inbox/inbox-service';
import type { Store } from '../src-main/store/store';
import { SyncEngine } from '../src-main/sync/engine';
import {
  type Backend,
  BenchCredentials,
  type BenchOptions,
  type Result,
  patientNewThread,
  patientSignIn,
} from './env';
import { msSince, summarize } from './stats';

const TIMEOUT_MS = 10_000;

/** Resolve when `check` holds: re-checked after every change the engine reports. */
function visible(engine: SyncEngine, check: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error('a portal message did not reach the inbox within 10 s (is the event stream up?)'));
    }, TIMEOUT_MS);
    const off = engine.onChanged(() => {
      if (!check()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

export async function measureLive(backend: Backend, store: Store, opts: BenchOptions): Promise<Result[]> {
  const credentials = await BenchCredentials.signIn(backend, 'clinician2');
  const engine = new SyncEngine({ store, serverUrl: backend.url, credentials, live: true });
  const inbox = new InboxService(store, systemClock, () => undefined);
  const staff = store.staff.byUsername('clinician1') as StaffRecord;
  const patient = await patientSignIn(backend.url, 2);
  engine.start();
  try {
    // Catch up first (and push what earlier groups queued), then give the event stream a moment to connect.
    await engine.syncNow();
    await new Promise((r) => setTimeout(r, 300));
    const samples: number[] = [];
    for (let i = 0; i <= opts.reps.liveMessages; i++) {
      const start = process.hrtime.bigint();
      const threadId = await patientNewThread(
        backend.url,
        patient,
        `Bench live message ${i}`,
        `Checking how fast this reaches the clinic (${i}).`,
      );
      await visible(engine, () =>
        inbox
          .list(staff, { queue: 'all', sort: 'received', offset: 0, limit: 50 })
          .threads.some((t) => t.id === threadId),
      );
      if (i > 0) samples.push(msSince(start)); // the first one is the warm-up
      await new Promise((r) => setTimeout(r, 50));
    }
    const s = summarize(samples);
    return [
      {
        group: 'live',
        name: 'patient message posted on the portal → on the console’s first inbox page',
        unit: 'ms',
        median: s.median,
        p95: s.p95,
        target: { on: 'p95', op: '<', value: 1000 },
        runs: s.n,
        note: 'portal POST, SSE poke, pull, apply, InboxService.list',
      },
    ];
  } finally {
    await engine.stop();
  }
}
