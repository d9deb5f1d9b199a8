/**
 * 3. Full-text search through the router (issue 14, deliverable 6; DESIGN.md §10): `inbox.list` with a search,
 * called as the renderer calls it (origin check, input schema, role check, lock gate, the list read's audit
 * events), by a clinician signed in on a real core (createCore) opened on the store the initial sync filled.
 * Cases: common and rare words, two words, a two-letter word (whole words only), three- and four-letter prefixes
 * (the shortest prefix searched), and the one-letter search (not searched: src-shared/search-text.ts); then the
 * common cases again as a receptionist (reception1), whose search is limited to administrative pools (issue 14a).
 * Target p95 < 10 ms (issue 16 §4; issue 14 §6 asks < 20 ms).
 */
import os from 'node:os';
import { demoStaff } from '../server/demo/credentials';
import { ManualIdleSource } from '../src-main/base/adapters';
import type { Queue } from '../src-shared/views';
import { type Backend, type BenchOptions, type Result } from './env';
import { RARE_COUNT, RARE_WORD } from './measure-inbox';
import { openBenchCore } from './setup';
import { summarize, timeAsync } from './stats';

const ORIGIN = 'http://bench.console';

export async function measureSearch(
  backend: Backend,
  dataDir: string,
  opts: BenchOptions,
): Promise<Result[]> {
  const idle = new ManualIdleSource();
  const core = await openBenchCore(backend, dataDir, {
    origin: ORIGIN,
    deviceName: `${os.hostname()} bench search desk`,
    idleSource: idle,
  });
  try {
    const call = (method: string, input: unknown) =>
      core.router.call(method, input, { origin: ORIGIN, isMainFrame: true });
    const signInAs = async (username: string) => {
      const signIn = await call('auth.signIn', {
        username,
        password: demoStaff(username).password,
        totp: backend.totpFor(username),
      });
      if (!signIn.ok) throw new Error(`bench sign-in failed: ${signIn.error.code}`);
    };

    const messages = (core.store.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    const { queryWarmup: warmup, searchRuns: runs } = opts.reps;
    const cases: { name: string; queue: Queue; search: string; target: boolean; as?: string }[] = [
      { name: 'common word "appointment"', queue: 'all', search: 'appointment', target: true },
      { name: 'common word "thank", closed queue', queue: 'closed', search: 'thank', target: true },
      { name: 'word "dizzy"', queue: 'all', search: 'dizzy', target: true },
      { name: 'two words "blood pressure"', queue: 'all', search: 'blood pressure', target: true },
      {
        name: `rare word "${RARE_WORD}" (${RARE_COUNT} messages)`,
        queue: 'all',
        search: RARE_WORD,
        target: true,
      },
      { name: 'no match "xylophone"', queue: 'all', search: 'xylophone', target: true },
      { name: 'two letters "my" (whole word)', queue: 'all', search: 'my', target: true },
      { name: 'three-letter prefix "the"', queue: 'all', search: 'the', target: true },
      { name: 'four-letter prefix "appo"', queue: 'all', search: 'appo', target: true },
      { name: 'one letter "i" (too short: not searched)', queue: 'all', search: 'i', target: true },
      ...(
        [
          ['appointment', 'all'],
          ['thank', 'closed'],
          ['my', 'all'],
          ['the', 'all'],
          ['dizzy', 'all'],
        ] as const
      ).map(([search, queue]) => ({
        name: `receptionist (administrative pools only): "${search}"${queue === 'closed' ? ', closed queue' : ''}`,
        queue,
        search,
        target: true,
        as: 'reception1',
      })),
    ];
    const results: Result[] = [];
    let signedIn = '';
    for (const c of cases) {
      const as = c.as ?? 'clinician1';
      if (as !== signedIn) {
        if (signedIn) await call('auth.signOut', {});
        await signInAs(as);
        signedIn = as;
      }
      let total = 0;
      let more = false;
      const input = { queue: c.queue, search: c.search, offset: 0, limit: 50 };
      const samples = await timeAsync(
        async () => {
          idle.touch();
          const r = await call('inbox.list', input);
          if (!r.ok) throw new Error(`inbox.list failed: ${r.error.code}`);
          ({ total, totalIsLowerBound: more = false } = r.value as {
            total: number;
            totalIsLowerBound?: boolean;
          });
        },
        { warmup, runs },
      );
      const s = summarize(samples);
      results.push({
        group: 'search',
        name: `search ${messages.toLocaleString('en')} messages through the router: ${c.name}`,
        unit: 'ms',
        median: s.median,
        p95: s.p95,
        target: c.target ? { on: 'p95', op: '<', value: 10 } : null,
        runs: s.n,
        note: `${total.toLocaleString('en')}${more ? '+' : ''} matching threads in queue ${c.queue} (counted up to 1,000)`,
      });
    }
    return results;
  } finally {
    await core.close();
  }
}
