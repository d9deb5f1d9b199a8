/**
 * Withheld bodies after sign-in (issue 16): the time to fetch <n> clinical threads whole as a clinician, one
 * `GET /sync/record` each (before session 7) against `POST /sync/records` with 100 ids a request (now), over
 * loopback HTTP to a backend in this process (demo clinic at <scale>, seeded into a temporary folder). Each
 * answer is read and parsed as the console's client does. Prints wall time and the load average.
 *
 *   bash scripts/with-keyring.sh node --import tsx bench/profile-withheld.ts <scale> <n>
 */
import os from 'node:os';
import { RECORDS_BATCH_MAX, SYNC_ROUTES } from '../src-shared/sync';
import { deviceHeader } from '../tests/helpers/sync-harness';
import { BenchCredentials, cleanupAll, startBackend } from './env';

const [scaleArg, nArg] = process.argv.slice(2);
const backend = await startBackend(Number(scaleArg ?? 1));
try {
  const credentials = await BenchCredentials.signIn(backend, 'clinician1');
  const headers = {
    authorization: `Bearer ${credentials.access}`,
    ...deviceHeader(credentials.device),
  };
  const pools = new Map((await backend.server.store.pools()).map((p) => [p.id, p.kind]));
  const ids: string[] = [];
  for (const ref of await backend.server.store.changesAfter(0, 10_000_000)) {
    if (ref.entity !== 'thread') continue;
    const t = await backend.server.store.thread(ref.id);
    if (t?.poolId && pools.get(t.poolId) === 'clinical') ids.push(ref.id);
    if (ids.length >= Number(nArg ?? 600)) break;
  }
  const time = async (label: string, fn: () => Promise<void>) => {
    const load = os.loadavg()[0]!;
    const t0 = performance.now();
    await fn();
    process.stdout.write(
      `${label}: ${ids.length} threads in ${Math.round(performance.now() - t0)} ms; load ${load.toFixed(2)}\n`,
    );
  };
  for (let round = 0; round < 2; round++) {
    await time('one GET /sync/record each', async () => {
      for (const id of ids) {
        const res = await fetch(`${backend.url}${SYNC_ROUTES.record}?entity=thread&id=${id}`, { headers });
        if (res.status !== 200) throw new Error(`record answered ${res.status}`);
        JSON.parse(await res.text());
      }
    });
    await time(`POST /sync/records, ${RECORDS_BATCH_MAX} a request`, async () => {
      for (let at = 0; at < ids.length; at += RECORDS_BATCH_MAX) {
        const res = await fetch(backend.url + SYNC_ROUTES.records, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ entity: 'thread', ids: ids.slice(at, at + RECORDS_BATCH_MAX) }),
        });
        if (res.status !== 200) throw new Error(`records answered ${res.status}`);
        JSON.parse(await res.text());
      }
    });
  }
} finally {
  await backend.close();
  await cleanupAll();
}
