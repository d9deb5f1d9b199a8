/**
 * Where a thread open's time goes with real input (a development tool, not a bench row): the UI bench's opens
 * (bench/ui/child-ui.ts: a mouse click on one of the first rows; ↓ then Enter), broken down in ms from the input
 * event's timeStamp: the input's listener running (dispatch), the thread.get request sent, its answer received,
 * the input's own task done (its handlers and React's render of the selection), the thread in the DOM, and the
 * core's side of thread.get and the host handing its answer to the socket (`sent`; both clocks are epoch ms).
 * Prints the median and p95 of each part. The keys are pressed as the bench presses them (↓, arm, Enter: the trace
 * marks are made inside arm). KEY_HOLD=<ms> holds Enter down that long (default: pressed and released at once, as
 * the bench); RAF_IN_INPUT=1 asks for the first frame in the input's own task, which makes Chromium hold the answer
 * until that frame (see child-ui.ts Timed `frames`). PROFILE_CPU=<file>.cpuprofile also writes the profile there.
 *
 *   npx electron-vite build && bash scripts/with-keyring.sh node --import tsx bench/ui/profile-open.ts [runs]
 *
 * Run it under the bench lock (`flock /work/notes/bench.lock nice -n 5 …`), as the bench.
 */
import type { Page } from 'playwright-core';
import { WebSocket as HostSocket } from 'ws';
import { printSelfTime, selfTimeByFunction, startCpuProfile } from './cpu-profile';
import { type CoreCall, startUiDesk, timeRouterCalls } from './ui-desk';

interface Parts {
  epoch0: number;
  dispatch: number;
  inputTask: number;
  send: number;
  recv: number;
  recvRan: number;
  /** The first animation frame after the input began (asked for after the input's task; RAF_IN_INPUT=1: in it). */
  frame: number;
  shown: number;
}

/** Wrap the page's WebSocket: the first send and the first answer after arming are stamped. */
async function instrument(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __net: { send: number; recv: number; ran: number } };
    w.__net = { send: -1, recv: -1, ran: -1 };
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket & { __wrapped?: boolean }, data: string) {
      if (w.__net.send < 0) w.__net.send = performance.now();
      if (!this.__wrapped) {
        this.__wrapped = true;
        const handler = this.onmessage!;
        this.onmessage = (ev: MessageEvent) => {
          const at = performance.now();
          handler.call(this, ev);
          if (w.__net.recv < 0 && !String(ev.data).startsWith('{"kind":"event"')) {
            w.__net.recv = at;
            w.__net.ran = performance.now() - at;
          }
        };
      }
      return send.call(this, data);
    };
  });
}

function arm(page: Page, trigger: 'click' | 'keydown', mark: string): Promise<void> {
  return page.evaluate(
    ([t, m, late]) => {
      // The trace's mark, made here and not in an evaluate of its own: the inputs follow each other as in the bench.
      performance.mark(m);
      const w = window as unknown as {
        __net: { send: number; recv: number; ran: number };
        __parts: Promise<Parts>;
      };
      w.__net = { send: -1, recv: -1, ran: -1 };
      const root = document.querySelector('.inbox')!;
      const sig = () => document.querySelector('article.thread')?.textContent ?? '';
      const before = sig();
      w.__parts = new Promise<Parts>((resolve) => {
        let t0 = -1;
        let dispatch = -1;
        let inputTask = -1;
        let frame = -1;
        const observer = new MutationObserver(() => {
          if (t0 < 0) return;
          const s = sig();
          if (s === '' || s === before || root.querySelector('[aria-busy="true"]')) return;
          observer.disconnect();
          const shown = performance.now() - t0;
          performance.mark('shown');
          setTimeout(() =>
            resolve({
              epoch0: performance.timeOrigin + t0,
              dispatch,
              inputTask,
              send: w.__net.send - t0,
              recv: w.__net.recv - t0,
              recvRan: w.__net.ran,
              frame,
              shown,
            }),
          );
        });
        window.addEventListener(
          t,
          (e) => {
            t0 = e.timeStamp;
            dispatch = performance.now() - t0;
            const ch = new MessageChannel();
            const nextFrame = () => requestAnimationFrame(() => (frame = performance.now() - t0));
            ch.port1.onmessage = () => {
              inputTask = performance.now() - t0;
              if (late) nextFrame();
            };
            ch.port2.postMessage(0);
            // The frame is asked for after the input's task, not in it (RAF_IN_INPUT=1: in it). Chromium defers a
            // page's other tasks (its WebSocket messages too) after a discrete input that asks for a frame until
            // that frame (DeferRendererTasksAfterInput): asking in the input's task holds the answer for it.
            if (!late) nextFrame();
            observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
          },
          { capture: true, once: true },
        );
      });
    },
    [trigger, mark, rafLate] as const,
  );
}

const coreCalls: CoreCall[] = [];
const keyHold = Number(process.env.KEY_HOLD ?? 0);
// RAF_IN_INPUT=1: the first animation frame is asked for in the input's own task, as the bench did before session 9.
const rafLate = process.env.RAF_IN_INPUT !== '1';

/** Epoch ms at which the host handed each call's answer to its socket (ws send), for `sent`. */
const answersSent: number[] = [];
const wsSend = HostSocket.prototype.send;
HostSocket.prototype.send = function (this: HostSocket, ...a: Parameters<HostSocket['send']>) {
  if (typeof a[0] === 'string' && a[0].startsWith('{"kind":"result"'))
    answersSent.push(performance.timeOrigin + performance.now());
  return wsSend.apply(this, a);
} as HostSocket['send'];

async function result(page: Page): Promise<Parts & { coreStart: number; coreMs: number; sent: number }> {
  const p = await page.evaluate(() => (window as unknown as { __parts: Promise<Parts> }).__parts);
  const core = coreCalls.find((c) => c.method === 'thread.get' && c.end >= p.epoch0);
  const sent = core ? answersSent.find((t) => t >= core.end) : undefined;
  coreCalls.length = 0;
  answersSent.length = 0;
  return {
    ...p,
    coreStart: core ? core.start - p.epoch0 : NaN,
    coreMs: core ? core.end - core.start : NaN,
    sent: sent !== undefined ? sent - p.epoch0 : NaN,
  };
}

function summary(label: string, rows: Awaited<ReturnType<typeof result>>[]): void {
  const keys = [
    'dispatch',
    'send',
    'coreStart',
    'coreMs',
    'sent',
    'recv',
    'recvRan',
    'inputTask',
    'frame',
    'shown',
  ] as const;
  const stat = (xs: number[]) => {
    const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
    return `${at(0.5).toFixed(1)}/${at(0.95).toFixed(1)}`;
  };
  console.log(`${label} (${rows.length} runs; median/p95 ms from the input's timeStamp)`);
  for (const k of keys) console.log(`  ${k.padEnd(10)} ${stat(rows.map((r) => r[k]))}`);
}

const runs = Number(process.argv[2] ?? 30);
const ui = await startUiDesk();
try {
  const { browser, desk, page } = ui;
  await instrument(page);
  timeRouterCalls(desk.core.router, coreCalls);
  await page.locator('nav[aria-label="Queues"] button:has(.queue-label:text-is("All open"))').click();
  await page.locator('.thread-list .trow-loading').waitFor({ state: 'detached' });
  const mouse: Awaited<ReturnType<typeof result>>[] = [];
  // COUNT_DOM=1: the DOM calls the opens make, by kind and attribute name (per open).
  if (process.env.COUNT_DOM) {
    await page.evaluate(() => {
      const counts: Record<string, number> = {};
      (window as unknown as { __dom: Record<string, number> }).__dom = counts;
      const set = Element.prototype.setAttribute;
      Element.prototype.setAttribute = function (this: Element, name: string, value: string) {
        counts[`setAttribute ${name}`] = (counts[`setAttribute ${name}`] ?? 0) + 1;
        return set.call(this, name, value);
      };
      for (const m of ['appendChild', 'removeChild', 'insertBefore'] as const) {
        const f = Node.prototype[m] as (...a: unknown[]) => unknown;
        (Node.prototype as unknown as Record<string, unknown>)[m] = function (this: Node, ...a: unknown[]) {
          counts[m] = (counts[m] ?? 0) + 1;
          return f.apply(this, a);
        };
      }
      const create = Document.prototype.createElement as (this: Document, ...a: unknown[]) => Element;
      (Document.prototype as unknown as Record<string, unknown>).createElement = function (
        this: Document,
        ...a: unknown[]
      ) {
        counts[`createElement ${String(a[0])}`] = (counts[`createElement ${String(a[0])}`] ?? 0) + 1;
        return create.apply(this, a);
      };
    });
  }
  // PROFILE_CPU=1: Chromium's sampling profile of the mouse opens, self time by function (top 30, ms).
  const stopCpu = process.env.PROFILE_CPU ? await startCpuProfile(page) : null;
  // TRACE=<file>: a Chromium performance trace of the mouse and keyboard opens (open it in DevTools' Performance panel).
  if (process.env.TRACE) {
    await browser.startTracing(page, {
      categories: [
        'devtools.timeline',
        'disabled-by-default-devtools.timeline',
        'toplevel',
        'blink.user_timing',
      ],
    });
  }
  for (let i = 0; i < runs + 2; i++) {
    const box = (await page.locator(`#thread-row-${i % 6}`).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await arm(page, 'click', `open ${i}`);
    await page.mouse.down();
    await new Promise((r) => setTimeout(r, 60));
    await page.mouse.up();
    const r = await result(page);
    if (i >= 2) mouse.push(r);
  }
  if (stopCpu) {
    const profile = await stopCpu();
    // PROFILE_CPU=<file>.cpuprofile: the profile is also written there (DevTools' Performance panel opens it).
    if (process.env.PROFILE_CPU!.endsWith('.cpuprofile'))
      (await import('node:fs')).writeFileSync(process.env.PROFILE_CPU!, JSON.stringify(profile));
    printSelfTime(selfTimeByFunction(profile), 30);
  }
  if (process.env.COUNT_DOM) {
    const counts = await page.evaluate(() => (window as unknown as { __dom: Record<string, number> }).__dom);
    for (const [k, v] of Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25))
      console.log(`${(v / (runs + 2)).toFixed(1).padStart(8)}  ${k}`);
  }
  summary('mouse', mouse);
  const keys: Awaited<ReturnType<typeof result>>[] = [];
  const list = page.getByRole('listbox', { name: 'Threads' });
  for (let i = 0; i < runs + 2; i++) {
    if (i % 6 === 0) {
      await list.focus();
      await page.keyboard.press('Home');
    } else await page.keyboard.press('ArrowDown');
    await arm(page, 'keydown', `key ${i}`);
    if (keyHold > 0) {
      // KEY_HOLD=<ms>: Enter held as a person holds a key (the mouse's button is held 60 ms), not released at once.
      await page.keyboard.down('Enter');
      await new Promise((r) => setTimeout(r, keyHold));
      await page.keyboard.up('Enter');
    } else await page.keyboard.press('Enter');
    const r = await result(page);
    if (i >= 2) keys.push(r);
  }
  if (process.env.TRACE)
    (await import('node:fs')).writeFileSync(process.env.TRACE, await browser.stopTracing());
  summary('keyboard', keys);
} finally {
  await ui.close();
}
