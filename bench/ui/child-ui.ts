/**
 * `npm run bench -- --only ui` runs this in its own process (bench/run.ts): it uses the e2e harness and the DOM,
 * so it type-checks with the e2e project (tsconfig.e2e.json). Prints the result rows as one JSON line.
 *
 *   node --import tsx bench/ui/child-ui.ts   (BENCH_UI='{"quick":true}')
 *
 * Issue 16, deliverable 5 (DESIGN §10): the console in Chromium through the browser host, driven by Playwright
 * (playwright-core, Debian's Chromium), timed inside the page with performance.now(): from the click (or the last
 * keystroke) to the first animation frame after the list or thread shows the new content (a frame is then
 * painted). Targets: queue switch and open thread within one frame (16 ms); search results within 100 ms of the
 * last keystroke. Uses the e2e harness (tests/e2e/harness.ts) and its demo backend (the demo's default size,
 * not --scale); needs the built renderer (`npx electron-vite build`).
 */
import type { Page } from 'playwright-core';
import {
  launchChromium,
  openConsole,
  signInUi,
  startPortal,
  waitForFirstSync,
} from '../../tests/e2e/harness';

/** One row of the bench table (bench/env.ts `Result`; kept apart because this file builds with the e2e project). */
interface Result {
  group: string;
  name: string;
  unit: string;
  median: number;
  p95: number | null;
  target: { on: 'median' | 'p95'; op: '<' | '<=' | '>='; value: number } | null;
  runs: number;
  note?: string;
}

/** Median and 95th percentile (nearest rank), as bench/stats.ts. */
function summarize(xs: number[]): { median: number; p95: number; n: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { median: at(0.5), p95: at(0.95), n: s.length };
}

/** Consecutive queues always differ in what they show (open threads, then closed ones). */
const QUEUES = ['Closed', 'All open', 'Closed', 'Unassigned'];
const SEARCH_WORDS = ['appointment', 'prescription', 'dizzy', 'results'];

/** Click the queue button labelled `label`; ms until the frame after the list shows that queue. */
function queueSwitch(page: Page, label: string): Promise<number> {
  return page.evaluate(async (name) => {
    const list = document.querySelector('.thread-list')!;
    const sig = () => list.textContent ?? '';
    const before = sig();
    const button = [...document.querySelectorAll<HTMLButtonElement>('nav[aria-label="Queues"] button')].find(
      (b) => b.querySelector('.queue-label')?.textContent === name,
    )!;
    return new Promise<number>((resolve, reject) => {
      const done = () => {
        const s = sig();
        return s !== before && !list.querySelector('.trow-loading') && !s.includes('Loading');
      };
      const timer = setTimeout(() => reject(new Error('the queue did not show')), 5_000);
      const observer = new MutationObserver(() => {
        if (!done()) return;
        observer.disconnect();
        clearTimeout(timer);
        requestAnimationFrame(() => resolve(performance.now() - t0));
      });
      observer.observe(list, { subtree: true, childList: true, characterData: true, attributes: true });
      const t0 = performance.now();
      button.click();
    });
  }, label);
}

/** Click row `index` of the thread list; ms until the frame after the thread pane shows that thread. */
function openThread(page: Page, index: number): Promise<number> {
  return page.evaluate(async (i) => {
    const pane = document.querySelector('.inbox')!;
    const sig = () => document.querySelector('article.thread')?.textContent ?? '';
    const before = sig();
    const row = document.getElementById(`thread-row-${i}`)!;
    return new Promise<number>((resolve, reject) => {
      const done = () => {
        const s = sig();
        return s !== '' && s !== before && !pane.querySelector('[aria-busy="true"]');
      };
      const timer = setTimeout(() => reject(new Error('the thread did not open')), 5_000);
      const observer = new MutationObserver(() => {
        if (!done()) return;
        observer.disconnect();
        clearTimeout(timer);
        requestAnimationFrame(() => resolve(performance.now() - t0));
      });
      observer.observe(pane, { subtree: true, childList: true, characterData: true, attributes: true });
      const t0 = performance.now();
      row.click();
    });
  }, index);
}

/** Type `word` at a fast typist's pace; ms from the last keystroke to the frame after its results show. */
async function search(page: Page, word: string): Promise<number> {
  await page.evaluate((w) => {
    const input = document.getElementById('inbox-search') as HTMLInputElement;
    const list = document.querySelector('.thread-list')!;
    const state = window as unknown as { __lastKey: number; __searched: Promise<number> };
    state.__lastKey = 0;
    input.addEventListener('input', () => (state.__lastKey = performance.now()));
    state.__searched = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no search results')), 10_000);
      const observer = new MutationObserver(() => {
        const summary = list.querySelector('.list-summary')?.textContent ?? '';
        if (!summary.includes(`“${w}”`) || input.value !== w || list.querySelector('.trow-loading')) return;
        observer.disconnect();
        clearTimeout(timer);
        requestAnimationFrame(() => resolve(performance.now() - state.__lastKey));
      });
      observer.observe(list, { subtree: true, childList: true, characterData: true });
    });
  }, word);
  await page.getByRole('searchbox', { name: 'Search messages' }).pressSequentially(word, { delay: 40 });
  const ms = await page.evaluate(() => (window as unknown as { __searched: Promise<number> }).__searched);
  // Clear it for the next word (Escape empties the box and shows the queue again).
  await page.getByRole('searchbox', { name: 'Search messages' }).press('Escape');
  await page
    .getByText(/^\d[\d,]* threads?$/)
    .first()
    .waitFor();
  return ms;
}

async function measureUi(opts: { quick: boolean }): Promise<Result[]> {
  const portal = await startPortal();
  const browser = await launchChromium();
  const desk = await openConsole(portal, browser);
  try {
    const page = desk.page;
    // tsx (esbuild keepNames) wraps named functions in __name(); the page has no such helper.
    await page.evaluate('globalThis.__name = (f) => f');
    await signInUi(page, portal, 'clinician1');
    await waitForFirstSync(page);
    const runs = opts.quick ? 20 : 100;
    const switches: number[] = [];
    for (let i = 0; i < runs + 4; i++) {
      const ms = await queueSwitch(page, QUEUES[i % QUEUES.length]!);
      if (i >= 4) switches.push(ms);
    }
    await queueSwitch(page, 'All open');
    const opens: number[] = [];
    for (let i = 0; i < runs + 4; i++) {
      const ms = await openThread(page, i % 12);
      if (i >= 4) opens.push(ms);
    }
    const searches: number[] = [];
    for (let i = 0; i < Math.max(8, runs / 5); i++) searches.push(await search(page, SEARCH_WORDS[i % 4]!));
    if (desk.pageErrors.length > 0) throw new Error(`the page reported errors: ${desk.pageErrors.length}`);
    const row = (name: string, xs: number[], target: number, note: string): Result => {
      const s = summarize(xs);
      return {
        group: 'ui',
        name,
        unit: 'ms',
        median: s.median,
        p95: s.p95,
        target: { on: 'p95', op: '<', value: target },
        runs: s.n,
        note,
      };
    };
    return [
      row(
        'UI: switch queue (click → list shown, next frame)',
        switches,
        16,
        `queues ${QUEUES.join(', ')} in turn`,
      ),
      row(
        'UI: open a thread (click → thread shown, next frame)',
        opens,
        16,
        'the first 12 rows of All open in turn',
      ),
      row(
        'UI: search results after the last keystroke (next frame)',
        searches,
        100,
        `typed at 40 ms per key: ${SEARCH_WORDS.join(', ')}`,
      ),
    ];
  } finally {
    await desk.close();
    await browser.close();
    await portal.close();
  }
}

const options = JSON.parse(process.env.BENCH_UI ?? '{"quick":false}') as { quick: boolean };
const rows = await measureUi(options);
process.stdout.write(JSON.stringify(rows) + '\n');
