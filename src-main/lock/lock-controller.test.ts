/** The idle-lock decision, with an injected clock and idle source (no waiting). */
import { describe, expect, it } from 'vitest';
import { ManualIdleSource, type Clock } from '../base/adapters';
import { LockController, type LockReason } from './lock-controller';

function setup(timeoutMinutes = 5) {
  let now = 1_000_000;
  const clock: Clock = { now: () => now };
  const idle = new ManualIdleSource(clock);
  const locks: LockReason[] = [];
  let active = true;
  const controller = new LockController({
    idleSource: idle,
    clock,
    idleTimeoutMinutes: () => timeoutMinutes,
    isActive: () => active,
    lock: (reason) => {
      locks.push(reason);
      active = false;
    },
  });
  return {
    controller,
    idle,
    locks,
    advance: (ms: number) => (now += ms),
    setActive: (a: boolean) => (active = a),
  };
}

describe('LockController', () => {
  it('locks exactly at the idle timeout, not a second before', () => {
    const t = setup(5);
    t.advance(5 * 60_000 - 1000);
    expect(t.controller.tick()).toBe(false);
    t.advance(1000);
    expect(t.controller.tick()).toBe(true);
    expect(t.locks).toEqual(['idle']);
  });

  it('user input restarts the idle time', () => {
    const t = setup(1);
    t.advance(50_000);
    t.idle.touch();
    t.advance(50_000);
    expect(t.controller.tick()).toBe(false);
    t.advance(10_000);
    expect(t.controller.tick()).toBe(true);
  });

  it('locks on OS lock-screen and suspend', () => {
    for (const reason of ['lock-screen', 'suspend'] as const) {
      const t = setup();
      t.controller.start();
      t.idle.emitSystemLock(reason);
      t.controller.stop();
      expect(t.locks).toEqual([reason]);
    }
  });

  it('does nothing when nobody is signed in or it is already locked', () => {
    const t = setup(1);
    t.setActive(false);
    t.advance(10 * 60_000);
    expect(t.controller.tick()).toBe(false);
    t.controller.lockNow('manual');
    expect(t.locks).toEqual([]);
  });

  it('stop() detaches from OS events', () => {
    const t = setup();
    t.controller.start();
    t.controller.stop();
    t.idle.emitSystemLock('suspend');
    expect(t.locks).toEqual([]);
  });
});
