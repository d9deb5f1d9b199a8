/**
 * What the main thread pays to receive an initial sync's pull pages from the pull decoder's worker (issue 16 §2;
 * session 9, s9sync): a worker validates the recorded pages (bench/profile-apply.ts `record`) and posts them to
 * this thread either as validated objects (structured clone, as before session 9) or split as the pull feed now
 * sends them (src-main/sync/pull-rows.ts: the other changes as objects, threads, messages, appointments and audit
 * events as JSON text). Prints the main thread's CPU (ms, from /proc; Linux) from the first page to the last.
 *
 *   node --import tsx bench/profile-receive.ts <dir> objects|rows
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const [dir, mode = 'objects'] = process.argv.slice(2);
if (!dir || (mode !== 'objects' && mode !== 'rows')) {
  process.stderr.write('usage: profile-receive.ts <dir> objects|rows\n');
  process.exit(2);
}
/** This thread's CPU time so far (ms): utime + stime of its /proc task, in clock ticks of 10 ms. */
const mainCpuMs = (): number => {
  const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const source = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const code = `
const { parentPort } = require('node:worker_threads');
require(${JSON.stringify(source('../node_modules/tsx/dist/cjs/api/index.cjs'))}).register();
const fs = require('node:fs');
const { PullResponse } = require(${JSON.stringify(source('../src-shared/sync.ts'))});
const { splitPullPage } = require(${JSON.stringify(source('../src-main/sync/pull-rows.ts'))});
const dir = ${JSON.stringify(dir)};
const pages = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => PullResponse.parse(JSON.parse(fs.readFileSync(dir + '/' + f, 'utf8'))));
const out = pages.map((p) => (${JSON.stringify(mode)} === 'rows' ? splitPullPage(p) : null) ?? { rest: p });
parentPort.postMessage('ready');
parentPort.once('message', () => { for (const o of out) parentPort.postMessage(o); parentPort.postMessage('done'); });
`;
const worker = new Worker(code, { eval: true });
let cpu0 = 0;
let pages = 0;
worker.on('message', (m: unknown) => {
  if (m === 'ready') {
    cpu0 = mainCpuMs();
    worker.postMessage('go');
  } else if (m === 'done') {
    process.stdout.write(`${mode}: ${pages} pages, main-thread CPU ${mainCpuMs() - cpu0} ms\n`);
    process.exit(0);
  } else pages++;
});
