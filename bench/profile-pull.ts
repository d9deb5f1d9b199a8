/**
 * The backend's cost of serving an initial sync (issue 16 §2), without a console: one backend in this process
 * (seeded once into <dir>/portal at <scale>, reused by later runs), then <runs> full pulls from cursor 0 over
 * loopback HTTP for a clinician and a receptionist, each as a console asks (`x-sync-lean`). The client only
 * counts the bytes it receives (no decoding, no JSON parsing), so this process's CPU is the backend's: HTTP,
 * authentication, the coverage sweep, reading the pages and encoding them. Prints, per run, wall time, backend
 * CPU-seconds per 100k records and the 1-minute load average. Run it with `node --cpu-prof` to profile.
 *
 *   bash scripts/with-keyring.sh node --import tsx bench/profile-pull.ts <dir> <scale> <runs>
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  PULL_HAS_MORE_HEADER,
  PULL_CURSOR_HEADER,
  PULL_LEAN_AUDIT_CHAIN,
  PULL_LEAN_HEADER,
  SYNC_ROUTES,
} from '../src-shared/sync';
import { deviceHeader } from '../tests/helpers/sync-harness';
import { BenchCredentials, cleanupAll, startBackend } from './env';

const [dir, scaleArg, runsArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: profile-pull.ts <dir> <scale> <runs>\n');
  process.exit(2);
}
fs.mkdirSync(path.join(dir, 'portal'), { recursive: true });
const backend = await startBackend(Number(scaleArg ?? 100), path.join(dir, 'portal'));
process.stderr.write(`backend ready (${backend.changes} changes)\n`);

/** One page: resolves with the cursor headers and the body's byte count. */
function page(
  credentials: BenchCredentials,
  after: string,
): Promise<{ cursor: string; hasMore: boolean; bytes: number }> {
  const url = new URL(`${backend.url}${SYNC_ROUTES.pull}?after=${after}`);
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      {
        headers: {
          authorization: `Bearer ${credentials.access}`,
          ...deviceHeader(credentials.device),
          [PULL_LEAN_HEADER]: PULL_LEAN_AUDIT_CHAIN,
        },
      },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`pull answered ${res.statusCode}`));
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () =>
          resolve({
            cursor: String(res.headers[PULL_CURSOR_HEADER]),
            hasMore: res.headers[PULL_HAS_MORE_HEADER] === 'true',
            bytes,
          }),
        );
      },
    );
    req.on('error', reject);
  });
}

try {
  for (const username of ['clinician1', 'reception1']) {
    const credentials = await BenchCredentials.signIn(backend, username);
    for (let i = 0; i < Number(runsArg ?? 1); i++) {
      const load = os.loadavg()[0]!;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let after = '0';
      let pages = 0;
      let bytes = 0;
      for (;;) {
        const p = await page(credentials, after);
        pages++;
        bytes += p.bytes;
        after = p.cursor;
        if (!p.hasMore) break;
      }
      const ms = performance.now() - t0;
      const c = process.cpuUsage(cpu0);
      const cpuS = (c.user + c.system) / 1e6;
      process.stdout.write(
        `${username} run ${i}: ${pages} pages, ${(bytes / 2 ** 20).toFixed(0)} MB in ${(ms / 1000).toFixed(2)} s; ` +
          `backend CPU ${cpuS.toFixed(2)} s = ${((cpuS / backend.changes) * 1e5).toFixed(3)} CPU-s per 100k ` +
          `records (${Math.round(backend.changes / cpuS).toLocaleString('en')}/CPU-s); load ${load.toFixed(2)}\n`,
      );
    }
  }
} finally {
  await backend.close();
  await cleanupAll();
}
