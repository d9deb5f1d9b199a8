/**
 * Session 10: GrantWatch tells which emergency-access grants of the person signed in ended since the last check
 * (the core's `access.ended` event). Plain inputs; expectations written by hand.
 */
import { describe, expect, it } from 'vitest';
import { GrantWatch } from './break-glass';

describe('GrantWatch', () => {
  it('reports each ended grant once, and nothing of a previous person or a signed-out console', () => {
    let staff: string | null = 'stf-a';
    let active: string[] = ['thr-1', 'thr-2'];
    const ended: string[][] = [];
    const watch = new GrantWatch(
      () => staff,
      () => active,
      (ids) => ended.push(ids),
    );
    watch.check();
    active = ['thr-2'];
    watch.check();
    watch.check();
    active = [];
    watch.check();
    active = ['thr-3'];
    watch.check();
    staff = 'stf-b';
    active = [];
    watch.check();
    staff = null;
    watch.check();
    expect(ended).toEqual([['thr-1'], ['thr-2']]);
  });

  it('reports a grant opened and ended between two checks', () => {
    let active: string[] = [];
    const ended: string[][] = [];
    const watch = new GrantWatch(
      () => 'stf-a',
      () => active,
      (ids) => ended.push(ids),
    );
    watch.check();
    active = ['thr-9'];
    watch.opened('stf-a', 'thread', 'thr-9');
    active = [];
    watch.check();
    expect(ended).toEqual([['thr-9']]);
  });
});
