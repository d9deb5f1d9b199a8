/**
 * Pull-answer validation on recorded pages (issue 16 §2; session 8, s8sync): the regular PullResponse parser
 * against zod's compiled one (src-main/sync/pull-decode.ts), interleaved, CPU ms per pass over every page and
 * µs per record. Pages from `bench/profile-apply.ts record <dir> <scale>`. Run under the bench lock:
 *
 *   node --import tsx bench/profile-validate.ts <dir> [passes]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PullResponse } from '../src-shared/sync';
import { validateAnswer } from '../src-main/sync/apply-changes';
import { PullResponseCompiled } from '../src-main/sync/pull-decode';

const [dir, passesArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: profile-validate.ts <dir> [passes]\n');
  process.exit(2);
}
const texts = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
const schemas = { regular: PullResponse, compiled: PullResponseCompiled };
const cpu: Record<keyof typeof schemas, number[]> = { regular: [], compiled: [] };
let records = 0;
for (let pass = 0; pass < Number(passesArg ?? 3); pass++) {
  for (const name of ['regular', 'compiled'] as const) {
    let ms = 0;
    records = 0;
    for (const text of texts) {
      const json = JSON.parse(text) as unknown; // parsed outside the timed part
      const t = process.cpuUsage();
      const batch = validateAnswer(schemas[name], json, 'pull answer');
      const u = process.cpuUsage(t);
      ms += (u.user + u.system) / 1000;
      records += batch.changes.length;
    }
    cpu[name].push(ms);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(
  JSON.stringify({
    records,
    cpuMs: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v.map(Math.round)])),
    usPerRecord: Object.fromEntries(
      Object.entries(cpu).map(([k, v]) => [k, Math.round((median(v) / records) * 1e4) / 10]),
    ),
    load: os.loadavg()[0],
  }) + '\n',
);
