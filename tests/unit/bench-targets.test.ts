/**
 * issue 16 §1: the bench's check that each DESIGN §10 target has a row carrying it (bench/targets.ts). The
 * expected rows here are written by hand from DESIGN §10, not read from the bench.
 */
import { describe, expect, it } from 'vitest';
import type { Result } from '../../bench/env';
import { checkDesignTargets, DESIGN_TARGETS } from '../../bench/targets';

const row = (name: string, target: Result['target'], group = 'ui'): Result => ({
  group,
  name,
  unit: 'ms',
  median: 1,
  p95: 2,
  target,
  runs: 10,
});
const frame = { on: 'p95', op: '<=', value: 16 } as const;
// "Within one frame" is carried by the input → DOM rows; the painted rows of the same runs carry no target.
const uiRows = [
  row('UI: switch queue (click → list in the DOM)', frame),
  row('UI: open a thread, mouse (click → thread in the DOM)', frame),
  row('UI: search results after the last keystroke (painted)', { on: 'p95', op: '<=', value: 100 }),
  row('UI: switch queue (click → list painted)', null),
  row('UI: open a thread, mouse (click → thread painted)', null),
];
const SWITCH = 'in Chromium: queue switch within one frame (16 ms): input → new list in the DOM';
const OPEN = 'in Chromium: open thread within one frame (16 ms): input → thread in the DOM';

describe('DESIGN §10 targets in the bench table', () => {
  it('finds every UI target when the ui group ran with its rows', () => {
    expect(checkDesignTargets(uiRows, new Set(['ui']))).toEqual({ missing: [], mismatched: [] });
  });

  it('names a target whose row is gone (renamed) and one whose row carries another bound', () => {
    const rows = [
      row('UI: switch queue (click → list shown, next frame)', { on: 'p95', op: '<', value: 30 }),
      row('UI: queue switch renamed', frame),
      uiRows[2]!,
    ];
    const { missing, mismatched } = checkDesignTargets(rows, new Set(['ui']));
    expect(missing.map((t) => t.text)).toEqual([SWITCH, OPEN]);
    expect(mismatched).toEqual([]);
    const wrongBound = [row('UI: switch queue (click → list in the DOM)', { on: 'p95', op: '<', value: 30 })];
    expect(checkDesignTargets(wrongBound, new Set(['ui'])).mismatched.map((m) => m.target.text)).toEqual([
      SWITCH,
    ]);
  });

  it('does not let a painted row stand in for the one-frame target, and takes every DOM row', () => {
    // Only painted rows, even with the 16 ms bound: the target is not carried.
    const painted = [
      row('UI: switch queue after a change (click → list painted)', frame),
      row('UI: open a thread, keyboard (Enter → thread painted)', frame),
      uiRows[2]!,
    ];
    expect(checkDesignTargets(painted, new Set(['ui'])).missing.map((t) => t.text)).toEqual([SWITCH, OPEN]);
    const dom = [
      row('UI: switch queue after a change (click → list in the DOM)', frame),
      row('UI: open a thread, keyboard (Enter → thread in the DOM)', frame),
      uiRows[2]!,
    ];
    expect(checkDesignTargets(dom, new Set(['ui']))).toEqual({ missing: [], mismatched: [] });
  });

  it('does not judge groups that did not run, and knows the sync, router, search and store targets', () => {
    expect(checkDesignTargets(uiRows, new Set(['ui', 'patients'])).missing).toEqual([]);
    const all = checkDesignTargets([], new Set(['sync', 'router', 'search', 'store', 'live', 'open']));
    expect(all.missing.map((t) => t.group).sort()).toEqual([
      'live',
      'open',
      'router',
      'router',
      'search',
      'store',
      'store',
      'store',
      'store',
      'store',
      'sync',
      'sync',
    ]);
    expect(DESIGN_TARGETS.find((t) => t.group === 'search')!.target).toEqual({
      on: 'p95',
      op: '<',
      value: 10,
    });
  });

  it('accepts a sync RSS row measured under the memory group', () => {
    const rows = [
      row(
        'initial sync: records applied per second (565,107 records)',
        { on: 'median', op: '>=', value: 50_000 },
        'sync',
      ),
      row('console main-process RSS after the initial sync', { on: 'median', op: '<', value: 300 }, 'memory'),
    ];
    expect(checkDesignTargets(rows, new Set(['sync']))).toEqual({ missing: [], mismatched: [] });
  });
});
