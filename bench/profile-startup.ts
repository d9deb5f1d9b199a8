/**
 * Start-up and the size of the audit log (issue 16 §6, session 9): where the in-process start-up's time goes with
 * a small and a tenfold log, measured side by side. Set-up, kept in <dir> between runs (so a later run only
 * measures): a backend seeded at <scale> (<dir>/portal), one initial sync into <dir>/small (bench/child-sync.ts,
 * as the bench does), its log grown to <small> events; a copy <dir>/big (same key) grown to <big> events.
 * Then <runs> start-ups of each (bench/child-open.ts, the bench's own child), ALTERNATED small, big, small, …, so
 * load and the OS file cache fall on both alike; prints the median and p95 of each step and the ratios.
 * Extra node flags for the child go after `--` (e.g. `-- --cpu-prof --cpu-prof-dir=/tmp/prof`).
 * Keep the keychain with the folder: CLINIC_KEYRING_DIR=<dir>/keyring.
 *
 *   CLINIC_KEYRING_DIR=<dir>/keyring bash scripts/with-keyring.sh \
 *     node --import tsx bench/profile-startup.ts <dir> [scale=100] [runs=20] [small=100000] [big=1000000] [-- flags]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyAccountFor, loadOrCreateStoreKey } from '../src-main/keys/store-key';
import { BenchCredentials, keyStore, startBackend } from './env';
import { alternateOpenRuns, growAuditLog, type OpenRun, type OpenRuns } from './measure-open';
import { runSyncChild } from './setup';
import { summarize } from './stats';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const [dir, scaleArg = '100', runsArg = '20', smallArg = '100000', bigArg = '1000000'] =
  dash >= 0 ? argv.slice(0, dash) : argv;
const childFlags = dash >= 0 ? argv.slice(dash + 1) : [];
if (!dir) {
  process.stderr.write('usage: profile-startup.ts <dir> [scale] [runs] [small] [big] [-- node flags]\n');
  process.exit(2);
}
const small = path.join(dir, 'small');
const big = path.join(dir, 'big');
const log = (s: string) => process.stderr.write(`${s}\n`);

if (!fs.existsSync(path.join(big, 'clinic.db'))) {
  fs.mkdirSync(path.join(dir, 'portal'), { recursive: true });
  const backend = await startBackend(Number(scaleArg), path.join(dir, 'portal'));
  try {
    if (!fs.existsSync(path.join(small, 'clinic.db'))) {
      const credentials = await BenchCredentials.signIn(backend, 'clinician1');
      const { value } = await runSyncChild(backend, credentials, small);
      log(`synced ${value.records} records into ${small}`);
    }
  } finally {
    await backend.close();
  }
  await growAuditLog(small, Number(smallArg));
  // The same store under another folder: its key under that folder's keychain account.
  fs.rmSync(big, { recursive: true, force: true });
  fs.cpSync(small, big, { recursive: true });
  await keyStore.set(keyAccountFor(big), await loadOrCreateStoreKey(keyStore, small));
  await growAuditLog(big, Number(bigArg));
  log(`grown: ${small} to ${smallArg} events, ${big} to ${bigArg}`);
}

const [ofSmall, ofBig] = (await alternateOpenRuns([small, big], Number(runsArg), childFlags)) as [
  OpenRuns,
  OpenRuns,
];
const runs = { small: ofSmall.runs, big: ofBig.runs };
const steps: [string, (r: OpenRun) => number][] = [
  ['key from keychain', (r) => r.keyed - r.loaded],
  ['store opened', (r) => r.opened - r.keyed],
  ['audit check', (r) => r.checked - r.opened],
  ['first page read', (r) => r.paged - r.checked],
  ['its audit events + commit', (r) => r.listed - r.paged],
  ['in the process (all four)', (r) => r.listed - r.loaded],
];
const f = (v: number) => v.toFixed(2).padStart(7);
process.stdout.write(
  `${runsArg} alternated runs each; ${runs.small[0]?.auditEvents} vs ${runs.big[0]?.auditEvents} events; ` +
    `load ${os.loadavg()[0]!.toFixed(2)}\n` +
    `${'step'.padEnd(28)} small med    p95  big med     p95  ratio of medians\n`,
);
for (const [name, of] of steps) {
  const a = summarize(runs.small.map(of));
  const b = summarize(runs.big.map(of));
  process.stdout.write(
    `${name.padEnd(28)} ${f(a.median)} ${f(a.p95)} ${f(b.median)} ${f(b.p95)}  ${(b.median / a.median).toFixed(2)}\n`,
  );
}
