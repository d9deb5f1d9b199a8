/** Small statistics and timing helpers for the benchmark (no dependencies). */

export interface Summary {
  n: number;
  min: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    median: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/** Milliseconds between two process.hrtime.bigint() readings. */
export const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

export interface Repeat {
  warmup: number;
  runs: number;
}

/** Time a synchronous call: `warmup` untimed calls, then `runs` timed ones (ms each). */
export function timeSync(fn: (i: number) => void, { warmup, runs }: Repeat): number[] {
  for (let i = 0; i < warmup; i++) fn(i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn(warmup + i);
    samples.push(msSince(start));
  }
  return samples;
}

/** Time an asynchronous call the same way, one call at a time. */
export async function timeAsync(
  fn: (i: number) => Promise<void>,
  { warmup, runs }: Repeat,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn(warmup + i);
    samples.push(msSince(start));
  }
  return samples;
}

/** A deterministic PRNG (mulberry32), so every run builds the same synthetic data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
