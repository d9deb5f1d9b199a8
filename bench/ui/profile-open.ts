/**
 * Where a thread open's time goes with real input (a development tool, not a bench row): the UI bench's opens
 * (bench/ui/child-ui.ts: a mouse click on one of the first rows; ↓ then Enter), broken down in ms from the input
 * event's timeStamp: the input's listener running (dispatch), the thread.get request sent, its answer received,
 * the input's own task done (its handlers and React's render of the selection), the thread in the DOM, and the
 * core's side of thread.get (both clocks are epoch ms). Prints the median and p95 of each part.
 *
 *   npx electron-vite build && bash scripts/with-keyring.sh node --import tsx bench/ui/profile-open.ts [runs]
 *
 * Run it under the bench lock (`flock /work/notes/bench.lock nice -n 5 …`), as the bench.
 */
import type { Page } from 'playwright-core';
import { printSelfTime, selfTimeByFunction, startCpuProfile } from './cpu-profile';
import { type CoreCall, startUiDesk, timeRouterCalls } from './ui-desk';

interface Parts {
  epoch0: number;
  dispatch: number;
  inputTask: number;
  send: number;
  recv: number;
  recvRan: number;
  /** The first animation frame after the input began (the bench's frame counter asks for one in the input's event). */
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

function arm(page: Page, trigger: 'click' | 'keydown'): Promise<void> {
  return page.evaluate((t) => {
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
          ch.port1.onmessage = () => (inputTask = performance.now() - t0);
          ch.port2.postMessage(0);
          requestAnimationFrame(() => (frame = performance.now() - t0));
          observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
        },
        { capture: true, once: true },
      );
    });
  }, trigger);
}

const coreCalls: CoreCall[] = [];

async function result(page: Page): Promise<Parts & { coreStart: number; coreMs: number }> {
  const p = await page.evaluate(() => (window as unknown as { __parts: Promise<Parts> }).__parts);
  const core = coreCalls.find((c) => c.method === 'thread.get' && c.end >= p.epoch0);
  coreCalls.length = 0;
  return { ...p, coreStart: core ? core.start - p.epoch0 : NaN, coreMs: core ? core.end - core.start : NaN };
}

function summary(label: string, rows: Awaited<ReturnType<typeof result>>[]): void {
  const keys = [
    'dispatch',
    'send',
    'coreStart',
    'coreMs',
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
    await arm(page, 'click');
    await page.mouse.down();
    await new Promise((r) => setTimeout(r, 60));
    await page.evaluate((i) => performance.mark(`open ${i}`), i);
    await page.mouse.up();
    const r = await result(page);
    if (i >= 2) mouse.push(r);
  }
  if (stopCpu) printSelfTime(selfTimeByFunction(await stopCpu()), 30);
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
    await arm(page, 'keydown');
    await page.evaluate((i) => performance.mark(`key ${i}`), i);
    await page.keyboard.press('Enter');
    const r = await result(page);
    if (i >= 2) keys.push(r);
  }
  if (process.env.TRACE)
    (await import('node:fs')).writeFileSync(process.env.TRACE, await browser.stopTracing());
  summary('keyboard', keys);
} finally {
  await ui.close();
}
