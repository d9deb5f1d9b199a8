import type { Clock, IdleSource, SystemLockReason } from '../base/adapters';

export type LockReason = 'idle' | 'manual' | SystemLockReason;

export interface LockControllerOptions {
  idleSource: IdleSource;
  clock: Clock;
  /** Minutes of idleness before locking (admin setting, 1–60). */
  idleTimeoutMinutes: () => number;
  /** True while a session is active (not signed out, not already locked). */
  isActive: () => boolean;
  lock: (reason: LockReason) => void;
  /** How often the idle time is checked; a second keeps the lock within a second of the timeout. */
  checkEveryMs?: number;
}

/**
 * Idle auto-lock (DESIGN.md §6): locks after the idle timeout, on OS lock-screen, suspend and resume, and on
 * demand. `tick()` holds the decision; the timer only makes the lock screen appear on time. The router calls
 * `gate()` on every call, so the decision never waits for the timer (a sleep, a stalled event loop or a clock
 * jump cannot hand out data: issue 11).
 */
export class LockController {
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly o: LockControllerOptions) {}

  start(): void {
    this.unsubscribe = this.o.idleSource.onSystemLock((reason) => this.lockNow(reason));
    this.timer = setInterval(() => this.tick(), this.o.checkEveryMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Lock if the machine has been idle for the timeout; returns whether it locked. */
  tick(): boolean {
    if (!this.o.isActive()) return false;
    if (this.o.idleSource.idleSeconds() >= this.o.idleTimeoutMinutes() * 60) {
      this.o.lock('idle');
      return true;
    }
    return false;
  }

  /** The router's gate: the same decision as the timer's, taken at the moment of the call. */
  gate(): void {
    this.tick();
  }

  lockNow(reason: LockReason): void {
    if (this.o.isActive()) this.o.lock(reason);
  }
}
