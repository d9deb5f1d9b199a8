/**
 * Chromium's sampling CPU profile of the console's page (DevTools protocol `Profiler`), for the UI profile scripts
 * (bench/ui/profile-ui.ts, profile-open.ts; session 9, s9dup: each had its own copy). Development tools only: no
 * bench row comes from here.
 */
import type { Page } from 'playwright-core';

/** A `Profiler.stop` profile: call-tree nodes, the node of each sample and the time before each (µs). */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Start sampling `page` every `intervalUs` µs (default 100). Resolves with the function that stops the profiler
 * and returns its profile.
 */
export async function startCpuProfile(page: Page, intervalUs = 100): Promise<() => Promise<CpuProfile>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: intervalUs });
  await cdp.send('Profiler.start');
  return async () => ((await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile }).profile;
}

const frameName = (f: CpuProfile['nodes'][number]['callFrame']) =>
  `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;

/** Self time by function ("name file:line"), in ms, most first; the idle node left out. */
export function selfTimeByFunction(profile: CpuProfile): [string, number][] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const key = frameName(byId.get(id)!.callFrame);
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]);
}

/** The call stacks (`depth` callers deep, "name:line < …") of the samples in function `name`, by time in ms. */
export function callersOf(profile: CpuProfile, name: string, depth = 5): [string, number][] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const stacks = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    if (byId.get(id)!.callFrame.functionName !== name) return;
    const chain: string[] = [];
    for (let at = parent.get(id); at !== undefined && chain.length < depth; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      chain.push(`${f.functionName || '(anon)'}:${f.lineNumber}`);
    }
    const key = chain.join(' < ');
    stacks.set(key, (stacks.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...stacks].sort((a, b) => b[1] - a[1]);
}

/** Print the first `n` rows of `top` as "   12.3  name file:line" (ms). */
export function printSelfTime(top: [string, number][], n: number): void {
  for (const [k, v] of top.slice(0, n)) console.log(`${v.toFixed(1).padStart(8)}  ${k}`);
}
