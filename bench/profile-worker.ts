/**
 * The pull worker's CPU per stage over recorded pull pages (issue 16 §2; session 12, s12sync): for each page of a
 * `bench/profile-apply.ts record` folder, in this one thread, the stages pull-feed.ts runs in the worker — decode
 * (UTF-8, JSON.parse, validation: decodePullAnswer), pullExtrasOf, splitPullPage (with its UTF-8 encoding) — and
 * prints CPU ms per stage and in all, per round, with the 1-minute load average. Run it under the bench lock.
 *
 *   node --import tsx bench/profile-worker.ts <pages dir> [rounds]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodePullAnswer } from '../src-main/sync/pull-decode';
import { pullExtrasOf } from '../src-main/sync/pull-extras';
import { splitPullPage } from '../src-main/sync/pull-rows';

const [dir, roundsArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: profile-worker.ts <pages dir> [rounds]\n');
  process.exit(2);
}
const pages = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => new Uint8Array(fs.readFileSync(path.join(dir, f))));
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (let round = 0; round < Number(roundsArg ?? 3); round++) {
  let decode = 0;
  let extras = 0;
  let split = 0;
  const start = cpu();
  for (const bytes of pages) {
    const t0 = cpu();
    const batch = decodePullAnswer(bytes);
    const t1 = cpu();
    pullExtrasOf(batch);
    const t2 = cpu();
    splitPullPage(batch);
    const t3 = cpu();
    decode += t1 - t0;
    extras += t2 - t1;
    split += t3 - t2;
  }
  const all = cpu() - start;
  process.stdout.write(
    `round ${round}: decode ${decode.toFixed(0)} ms, extras ${extras.toFixed(0)}, split ${split.toFixed(0)}, ` +
      `all ${all.toFixed(0)} ms CPU (${pages.length} pages); load ${os.loadavg()[0]!.toFixed(2)}\n`,
  );
}
