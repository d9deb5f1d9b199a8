/**
 * Where the UI bench's time goes (a development tool, not a bench row): the same console and demo data as
 * bench/ui/child-ui.ts, with the page's WebSocket bridge instrumented. For each queue switch and thread open it
 * prints, in ms from the click: the request sent, the answer received (and how long its handler ran), the DOM
 * showing the new content, the next animation frame, and the first task after that frame (the frame painted).
 *
 *   npx electron-vite build && bash scripts/with-keyring.sh node --import tsx bench/ui/profile-ui.ts [runs]
 *
 * SYNCHRONOUS=FULL makes every commit of the console's store durable (an fsync per commit).
 * PROFILE_CPU=1 adds Chromium's CPU profile of 40 queue switches and of 40 thread opens.
 * The demo backend runs in its own process (bench/ui/portal-process.ts), as in the bench; PORTAL=in-process puts
 * it on this process's event loop. The core's side of each call (router.call start and duration) is printed under
 * the page's time line (both clocks are epoch ms).
 */
import type { Page } from 'playwright-core';
import { startPortal } from '../../tests/e2e/harness';
import type { Router } from '../../src-main/ipc/types';
import { callersOf, printSelfTime, selfTimeByFunction, startCpuProfile } from './cpu-profile';
import { bridgeQuiet, watchBridge } from './settle';
import { type CoreCall, OPENED_ROWS, startUiDesk, timeRouterCalls } from './ui-desk';

interface Timeline {
  /** performance.timeOrigin + t0 of the page (epoch ms), to place the core's calls on the page's time line. */
  epoch0: number;
  /** The click's task (handlers, and React's render and commit in its microtasks) done. */
  clickTask: number;
  sends: number[];
  recvs: { at: number; ran: number; bytes: number; event?: string }[];
  shown: number;
  frame: number;
  painted: number;
}

/** Wrap the page's WebSocket so every send and answer is timestamped (performance.now()). */
async function instrument(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as {
      __net: { sends: number[]; recvs: { at: number; ran: number; bytes: number; event?: string }[] };
    };
    w.__net = { sends: [], recvs: [] };
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket & { __wrapped?: boolean }, data: string) {
      w.__net.sends.push(performance.now());
      if (!this.__wrapped) {
        this.__wrapped = true;
        const handler = this.onmessage!;
        this.onmessage = (ev: MessageEvent) => {
          const at = performance.now();
          handler.call(this, ev);
          const text = String(ev.data);
          // Events by name (no payload: PHI), answers by size.
          const event = /^\{"kind":"event","event":"([^"]+)"/.exec(text)?.[1];
          w.__net.recvs.push({
            at,
            ran: performance.now() - at,
            bytes: text.length,
            ...(event ? { event } : {}),
          });
        };
      }
      return send.call(this, data);
    };
  });
}

function timed(page: Page, kind: 'queue' | 'thread', arg: string | number): Promise<Timeline> {
  return page.evaluate(
    async ([k, a]) => {
      const w = window as unknown as {
        __net: { sends: number[]; recvs: { at: number; ran: number; bytes: number; event?: string }[] };
      };
      w.__net.sends = [];
      w.__net.recvs = [];
      const root =
        k === 'queue' ? document.querySelector('.thread-list')! : document.querySelector('.inbox')!;
      const sig =
        k === 'queue'
          ? () => root.textContent ?? ''
          : () => document.querySelector('article.thread')?.textContent ?? '';
      const before = sig();
      const target =
        k === 'queue'
          ? [...document.querySelectorAll<HTMLButtonElement>('nav[aria-label="Queues"] button')].find(
              (b) => b.querySelector('.queue-label')?.textContent === a,
            )!
          : document.getElementById(`thread-row-${a}`)!;
      const done = () => {
        const s = sig();
        if (k === 'queue')
          return s !== before && !root.querySelector('.trow-loading') && !s.includes('Loading');
        return s !== '' && s !== before && !root.querySelector('[aria-busy="true"]');
      };
      return new Promise<Timeline>((resolve) => {
        let shown = 0;
        let clickTask = 0;
        target.addEventListener(
          'click',
          () => {
            const ch = new MessageChannel();
            ch.port1.onmessage = () => (clickTask = performance.now() - t0);
            ch.port2.postMessage(0);
          },
          { capture: true, once: true },
        );
        const observer = new MutationObserver(() => {
          if (!done()) return;
          observer.disconnect();
          shown = performance.now() - t0;
          requestAnimationFrame(() => {
            const frame = performance.now() - t0;
            const ch = new MessageChannel();
            ch.port1.onmessage = () =>
              resolve({
                epoch0: performance.timeOrigin + t0,
                clickTask,
                sends: w.__net.sends.map((x) => x - t0),
                recvs: w.__net.recvs.map((r) => ({ ...r, at: r.at - t0 })),
                shown,
                frame,
                painted: performance.now() - t0,
              });
            ch.port2.postMessage(0);
          });
        });
        observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
        const t0 = performance.now();
        target.click();
      });
    },
    [kind, arg] as const,
  );
}

const fmt = (x: number) => x.toFixed(1).padStart(6);

/** The core's router calls (epoch ms, this process's clock): when each started and ended. */
const coreCalls: CoreCall[] = [];

/** Wrap the core's router so each call made through the browser host is timed on the core's side. */
function instrumentCore(router: Router): void {
  timeRouterCalls(router, coreCalls);
  // The core's events (by name; sync.status with its connection state), as zero-length entries.
  router.onEvent((event, payload) => {
    const at = performance.timeOrigin + performance.now();
    const state =
      event === 'sync.status'
        ? `(${(payload as { connection?: string }).connection})`
        : event === 'data.changed'
          ? `(${(payload as { entities: string[] }).entities.join(',')})`
          : '';
    coreCalls.push({ method: `!${event}${state}`, start: at, end: at });
  });
}

function show(label: string, t: Timeline): void {
  const net = t.recvs
    .map((r) => `recv@${fmt(r.at)} ran ${r.ran.toFixed(1)} (${r.event ?? `${r.bytes} B`})`)
    .join('; ');
  // Core calls that overlap this time line (page and core share the machine's clock: epoch ms).
  const core = coreCalls
    .filter((c) => c.end >= t.epoch0 && c.start <= t.epoch0 + t.painted)
    .map((c) => `${c.method}@${fmt(c.start - t.epoch0)}+${(c.end - c.start).toFixed(1)}`)
    .join(', ');
  coreCalls.length = 0;
  console.log(
    `${label.padEnd(14)} click task ${fmt(t.clickTask)} sends@${t.sends.map(fmt).join(',')} | ${net} | shown ${fmt(t.shown)} frame ${fmt(
      t.frame,
    )} painted ${fmt(t.painted)}\n${''.padEnd(14)} core: ${core}`,
  );
}

/**
 * Self time by function (ms) over `n` cached queue switches (kind 'queue') or thread opens ('thread'), from
 * Chromium's sampling profiler (CDP).
 */
async function cpuProfile(page: Page, n: number, kind: 'queue' | 'thread'): Promise<void> {
  const stop = await startCpuProfile(page);
  const queues = ['Closed', 'All open', 'Closed', 'Unassigned'];
  for (let i = 0; i < n; i++) {
    if (kind === 'queue') await timed(page, 'queue', queues[i % 4]!);
    else await timed(page, 'thread', i % OPENED_ROWS);
  }
  const profile = await stop();
  // PROFILE_CALLERS=<function name>: the call stacks (5 deep) that reach it, by sampled time.
  const wanted = process.env.PROFILE_CALLERS;
  if (wanted)
    for (const [k, v] of callersOf(profile, wanted).slice(0, 8))
      console.log(`  ${v.toFixed(1).padStart(6)} ms  ${wanted} < ${k}`);
  console.log(`CPU self time over ${n} ${kind === 'queue' ? 'queue switches' : 'thread opens'} (ms):`);
  printSelfTime(selfTimeByFunction(profile), 25);
}

const runs = Number(process.argv[2] ?? 12);
// PORTAL=in-process: the backend on this process's event loop, as before session 6 (for comparison).
// SETTLE=0: time the first seconds after sign-in, while the bodies withheld before it are still being fetched.
const ui = await startUiDesk({
  ...(process.env.PORTAL === 'in-process' ? { portal: () => startPortal() } : {}),
  settle: process.env.SETTLE !== '0',
});
try {
  const { desk, page } = ui;
  // SYNCHRONOUS=FULL: every commit durable (an fsync), as s6read's durable audited reads will make thread.get.
  if (process.env.SYNCHRONOUS === 'FULL') desk.core.store.db.pragma('synchronous = FULL');
  await instrument(page);
  instrumentCore(desk.core.router);
  const withheld = () => desk.core.store.threads.withheldIds(1_000_000).length;
  console.log(`threads with bodies withheld (fetched again on open or by the sync): ${withheld()}`);
  const queues = ['Closed', 'All open', 'Closed', 'Unassigned'];
  for (let i = 0; i < runs; i++) show(`queue ${queues[i % 4]}`, await timed(page, 'queue', queues[i % 4]!));
  if (process.env.PROFILE_CPU) await cpuProfile(page, 40, 'queue');
  await timed(page, 'queue', 'All open');
  for (let i = 0; i < runs; i++)
    show(`thread ${i % OPENED_ROWS}`, await timed(page, 'thread', i % OPENED_ROWS));
  if (process.env.PROFILE_CPU) await cpuProfile(page, 40, 'thread');
  // A queue switch after a change (the open thread's priority), once the change has settled, as the bench does.
  await watchBridge(page);
  for (let i = 0; i < runs; i++) {
    const priority = i % 2 ? 'routine' : 'urgent';
    const select = page.getByRole('article').getByLabel('Priority');
    await select.selectOption(priority);
    await page.waitForFunction((p) => {
      const el = document.querySelector<HTMLSelectElement>('article.thread select#thread-priority');
      return el?.value === p;
    }, priority);
    await bridgeQuiet(page);
    const label = i % 2 ? 'All open' : 'Closed';
    show(`changed ${label}`, await timed(page, 'queue', label));
  }
  console.log(`threads with bodies withheld at the end: ${withheld()}`);
} finally {
  await ui.close();
}
