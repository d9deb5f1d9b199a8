/**
 * What the core needs from its surroundings, as small interfaces. The Electron shell supplies real ones
 * (powerMonitor, shell.openExternal); the browser host and tests supply Node ones. Nothing here imports Electron.
 */

/** Milliseconds since the epoch; injectable so lock and grace-period logic is testable. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/**
 * OS signals that lock the console (DESIGN.md §6): the OS lock screen, suspend, and resume from sleep (a
 * suspend event may never arrive, and OS idle time need not count the time asleep, so waking locks too).
 */
export type SystemLockReason = 'lock-screen' | 'suspend' | 'resume';

/** OS idle time and OS lock/suspend/resume signals (Electron: powerMonitor). */
export interface IdleSource {
  /** Seconds since the last user input anywhere on the machine (not just in our window). */
  idleSeconds(): number;
  /** Called when the OS screen locks, the machine suspends or resumes; returns an unsubscribe function. */
  onSystemLock(listener: (reason: SystemLockReason) => void): () => void;
}

/** Opens an https link in the system browser (Electron: shell.openExternal after the allow-list check). */
export type ExternalOpener = (url: string) => Promise<void>;

/** An idle source fed by the UI's own activity reports: used where no OS idle time exists (browser host, tests). */
export class ManualIdleSource implements IdleSource {
  private lastInput: number;
  private readonly listeners = new Set<(reason: SystemLockReason) => void>();
  constructor(private readonly clock: Clock = systemClock) {
    this.lastInput = clock.now();
  }
  idleSeconds(): number {
    return Math.max(0, (this.clock.now() - this.lastInput) / 1000);
  }
  /** Record user input now. */
  touch(): void {
    this.lastInput = this.clock.now();
  }
  onSystemLock(listener: (reason: SystemLockReason) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  /** Simulate the OS locking the screen, suspending or resuming. */
  emitSystemLock(reason: SystemLockReason): void {
    for (const l of this.listeners) l(reason);
  }
}
