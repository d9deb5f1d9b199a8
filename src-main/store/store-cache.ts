import type { Store } from './store';

export interface StoreCacheOptions {
  /** Tables whose writes invalidate the value; absent: a write to any watched table (table-changes.ts). */
  tables?: readonly string[];
  /** Also read again after this long (ms); absent: only writes invalidate. */
  maxAgeMs?: number;
  /** Clock for maxAgeMs (ms since the epoch). */
  now?: () => number;
}

/**
 * A value derived from the store, built on first use and built again after a write that may change it
 * (store.changes, src-main/store/table-changes.ts): never served stale after a write on this connection
 * (issue 16), nor after a rollback: a value built (or adopted) after a write of the transaction then open is
 * returned but not kept (TableChanges.keptVersion, the rule ThreadsRepo.facts follows too; session 11). The value
 * is shared: callers must not modify what `get()` returns other than as its owner.
 */
export class StoreCache<T> {
  private value: T | null = null;
  private version = -1;
  private builtAt = 0;

  constructor(
    private readonly store: Store,
    private readonly build: () => T,
    private readonly options: StoreCacheOptions = {},
  ) {}

  get(): T {
    const { maxAgeMs, now } = this.options;
    const t = maxAgeMs !== undefined && now ? now() : 0;
    if (
      this.value !== null &&
      this.store.changes.version(this.options.tables) === this.version &&
      !(maxAgeMs !== undefined && (t - this.builtAt >= maxAgeMs || t < this.builtAt))
    )
      return this.value;
    // Read the version before building: a write during the build makes the next get() build again.
    const version = this.store.changes.keptVersion(this.options.tables);
    const value = this.build();
    this.keep(value, version);
    this.builtAt = t;
    return value;
  }

  /** The value if it is still current (no write since it was built, not past maxAgeMs); else null. Never builds. */
  peek(): T | null {
    if (this.value === null || this.store.changes.version(this.options.tables) !== this.version) return null;
    const { maxAgeMs, now } = this.options;
    if (maxAgeMs !== undefined && now) {
      const t = now();
      if (t - this.builtAt >= maxAgeMs || t < this.builtAt) return null;
    }
    return this.value;
  }

  /** Drops the value (the next get() builds it again): for a value that must not outlive a session. */
  clear(): void {
    this.value = null;
    this.version = -1;
  }

  /**
   * Take `value` as current for the store as it is now, keeping the time the replaced value was built (maxAgeMs
   * still counts from the store read it came from). For an owner that has brought a cached value up to date
   * itself after a write whose effect it knows exactly (InboxService: a "seen" mark); it must have checked that
   * no other write happened since its last read. Returns whether the value is kept: false after a write of the
   * transaction now open (TableChanges.keptVersion; nothing is kept then, the owner may hand the value on itself).
   */
  adopt(value: T): boolean {
    const version = this.store.changes.keptVersion(this.options.tables);
    this.keep(value, version);
    return version !== null;
  }

  /** Keep `value` under `version`, or nothing when it may not be kept (null: TableChanges.keptVersion). */
  private keep(value: T, version: number | null): void {
    this.value = version === null ? null : value;
    this.version = version ?? -1;
  }
}
