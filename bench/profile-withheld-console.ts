/**
 * Withheld bodies after sign-in, the console's whole step (session 8, s8rec; issue 16): a front-desk PC synced
 * for the receptionist (demo clinic of the test harness: its clinical threads' bodies withheld and marked), then
 * a clinician signs in on it and `sync.now` runs through the router: push, pull (nothing new) and the fetch of
 * every marked thread. Prints the wall time, the CPU time of this process (console AND backend: both run here)
 * and the 1-minute load average, per round, on a fresh desk each round. Run it on two trees to compare engines.
 *
 *   bash scripts/with-keyring.sh node --import tsx bench/profile-withheld-console.ts [rounds]
 */
import os from 'node:os';
import { startConsole, startPortal } from '../tests/helpers/console-harness';

const rounds = Number(process.argv[2] ?? 3);
const portal = await startPortal();
try {
  for (let round = 0; round < rounds; round++) {
    const desk = await startConsole(portal, { autoStart: false });
    try {
      const signIn = async (user: string) => {
        const r = await desk.signIn(user);
        if (!r.ok) throw new Error(`${user} could not sign in: ${r.error.code}`);
      };
      await signIn('reception1');
      await desk.ok('sync.now');
      await desk.ok('auth.signOut');
      const marked = () =>
        desk.core.store.db.prepare('SELECT count(*) FROM withheld_threads').pluck().get() as number;
      const before = marked();
      await signIn('clinician1');
      const load = os.loadavg()[0]!;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await desk.ok('sync.now');
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      process.stdout.write(
        `round ${round}: ${before} marked threads fetched (${marked()} left) in ${Math.round(wall)} ms wall, ` +
          `${Math.round((cpu.user + cpu.system) / 1000)} ms CPU (console + backend); load ${load.toFixed(2)}\n`,
      );
    } finally {
      await desk.close();
    }
  }
} finally {
  await portal.close();
}
