/**
 * The sync engine (DESIGN.md §5): pushes the outbox in order, pulls changes after the cursor, listens for
 * "poke" events, and retries with backoff while the portal is unreachable. One cycle (push, then pull until
 * done) runs at a time; requests during a cycle coalesce into one more cycle.
 */
import type {
  EntityName,
  Mutation,
  MutationResult,
  PullResponse,
  PushResponse,
  RecordResponse,
  RecordsResponse,
} from '../../src-shared/sync';
import {
  MUTATION_PAYLOAD_VERSION,
  Mutation as MutationSchema,
  Poke,
  RECORDS_BATCH_MAX,
  SYNC_LIMITS,
} from '../../src-shared/sync';
import type { SyncProblem, SyncStatus } from '../../src-shared/views';
import type { ChangeVerdict } from '../../src-shared/change-verdict';
import { type Clock, systemClock } from '../base/adapters';
import type { PendingAuditEvent } from '../store/repos/audit-push';
import type { OutboxEntry } from '../store/repos/outbox';
import type { Store } from '../store/store';
import { BulkLoad } from '../store/bulk-load';
import {
  type AuditRecordHandler,
  CURSOR_KEY,
  LAST_SYNCED_KEY,
  applyPullBatch,
  applyUnlessOlder,
  defaultAuditHandler,
  readCursor,
} from './apply-changes';
import { type BackoffOptions, DEFAULT_BACKOFF, backoffDelay } from './backoff';
import { SyncClient, SyncError } from './client';
import { PullDecoder, type PullFeed } from './pull-decoder';
import type { FeedEvent } from './pull-feed';
import { refusalText } from './refusal-text';
import { noteServerRecord, settleServerImage } from './server-images';
import { settleSeriesWaitlist } from './series-waitlist-settle';
import { SseParser } from './sse';
import { type StoreWindow, evictOutsideWindow } from './store-window';
import type { SyncCredentials } from './types';
import { assertServerUrl } from './url-policy';

export interface SyncEngineOptions {
  store: Store;
  serverUrl: string;
  credentials: SyncCredentials;
  clock?: Clock;
  /** Where pulled audit events go (src-main/audit); default: the store's remote audit table. */
  onAuditRecord?: AuditRecordHandler;
  fetchImpl?: typeof fetch;
  /** Poll interval while the event stream is unavailable. */
  pollIntervalMs?: number;
  /** Overall time limit of one request, body included. */
  requestTimeoutMs?: number;
  /** An event stream silent this long is presumed dead (the server sends a heartbeat every 15 s). */
  streamIdleTimeoutMs?: number;
  /** How long kick() waits, so a burst of local writes goes out in one push. */
  kickDelayMs?: number;
  pullBatchSize?: number;
  backoff?: BackoffOptions;
  /** Random source for backoff jitter (tests make it deterministic). */
  random?: () => number;
  /** Listen for pokes (default true); without it the engine polls. */
  live?: boolean;
  /** The store window (admin settings); null or absent: keep everything. Applied after a sync, hourly. */
  storeWindow?: () => StoreWindow | null;
  /**
   * issue 14a: the signed-in session when its person may read the bodies the server withheld from an earlier
   * pull (made before anyone, or only a receptionist, signed in on this PC), else null. While non-null, a sync
   * cycle fetches those threads whole, so a clinician's inbox search and thread view have them. The value
   * identifies the session (compared by identity): review 9 R9-3, the fetch stops when another session (or
   * none, or a role that may not read them) takes over between batches, so no request goes out with the next
   * person's token and no answer is kept for her. Absent: never.
   */
  withheldReader?: () => object | null;
  /**
   * issue 16: fill a never-synced store in bulk-load mode (src-main/store/bulk-load.ts). Default true; false
   * applies the first sync like any other (tests compare the two).
   */
  bulkLoad?: boolean;
}

/** How often the store window is applied after a successful sync. */
const EVICT_EVERY_MS = 60 * 60 * 1000;

type StatusListener = (status: SyncStatus) => void;
type ChangedListener = (entities: string[]) => void;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

const noop = (): void => undefined;
/**
 * The pull feed (pull-feed.ts): pages fetched ahead of the apply (in flight, being validated, waiting), and how
 * often one pull starts a feed again after a fallback before it stays on the main thread.
 */
const FEED_WINDOW = 3;
const MAX_FEED_STARTS = 3;

/** A row to push: an outbox row, or one of this device's audit events read from the log (`logSeq`, issue 16). */
type PushRow = OutboxEntry & { logSeq?: number };

/** The documented reason of a result the server did not store (server/API.md): a retry may apply it. */
const SERVER_FAILED = 'The server could not apply this change.';
const MAX_SERVER_FAILURES = 5;

/** Rows whose failure is a fault of the batch as a whole are split until the bad one is alone. */
const isBatchRefusal = (e: unknown): boolean =>
  e instanceof SyncError && (e.status === 413 || (e.status === 400 && e.code === 'VALIDATION'));

export class SyncEngine {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly client: SyncClient;
  private readonly credentials: SyncCredentials;
  private readonly onAudit: AuditRecordHandler;
  /**
   * The handler the options gave, or undefined for the default one. A pull passes only this to applyPullBatch:
   * with the default handler a page's audit events go in as JSON rows in one statement (pull-rows.ts); with any
   * handler named there, one by one (session 11, s11sync: passing the default handler explicitly sent every
   * initial sync's 160k audit events down the one-by-one path). Measured at scale 100: no gain in records/s or in
   * the main thread's CPU beyond the noise (`--only sync` alternating, load 1.7-1.9: main 57.8k, this 57.3k and
   * 53.8k records/s); the apply now waits on the worker more often (the pull's pages are decoded no faster).
   */
  private readonly customAudit: AuditRecordHandler | undefined;
  private readonly opts: Required<
    Pick<
      SyncEngineOptions,
      | 'pollIntervalMs'
      | 'streamIdleTimeoutMs'
      | 'kickDelayMs'
      | 'pullBatchSize'
      | 'backoff'
      | 'random'
      | 'live'
    >
  >;

  private readonly urlError: SyncError | null = null;
  private readonly storeWindow: () => StoreWindow | null;
  private readonly withheldReader: () => object | null;
  private readonly bulkLoad: boolean;
  private lastEviction: { at: number; window: string } | null = null;
  private running = false;
  private abort = new AbortController();
  private cycle: Promise<void> | null = null;
  private again = false;
  private waiting: Waiter[] = [];
  /** Rows of the current push kept in the outbox for a retry after a server failure. */
  private deferred = 0;
  /** Rows settled (removed from the outbox) since the engine was made: proves a push made progress. */
  private settled = 0;
  private failures = 0;
  /** Push attempts of audit events read from the log (they have no outbox row to count them in). */
  private readonly auditAttempts = new Map<string, number>();
  private connection: SyncStatus['connection'] = 'offline';
  private progress: SyncStatus['progress'] = null;
  private streamUp = false;
  private streamLoop: Promise<void> | null = null;
  private kickTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private readonly statusListeners = new Set<StatusListener>();
  private readonly changedListeners = new Set<ChangedListener>();
  private lastEmitted = '';
  /** issue 13b: callers of confirmNow waiting on a mutation id, and the last verdict per record. */
  private readonly verdictWaiters = new Map<string, Set<(result: MutationResult) => void>>();
  private readonly recentVerdicts = new Map<string, MutationResult>();

  constructor(options: SyncEngineOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.credentials = options.credentials;
    this.onAudit = options.onAuditRecord ?? defaultAuditHandler(options.store);
    this.customAudit = options.onAuditRecord;
    this.storeWindow = options.storeWindow ?? (() => null);
    this.withheldReader = options.withheldReader ?? (() => null);
    this.bulkLoad = options.bulkLoad ?? true;
    let baseUrl = '';
    try {
      baseUrl = assertServerUrl(options.serverUrl);
    } catch (error) {
      // A bad address (e.g. edited settings) must not stop the console from starting: it is a sync error.
      this.urlError = new SyncError(
        'client',
        error instanceof Error ? error.message : 'Invalid server address.',
      );
    }
    this.client = new SyncClient({
      baseUrl,
      credentials: options.credentials,
      fetchImpl: options.fetchImpl ?? fetch,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    });
    this.opts = {
      pollIntervalMs: options.pollIntervalMs ?? 30_000,
      streamIdleTimeoutMs: options.streamIdleTimeoutMs ?? 45_000,
      kickDelayMs: options.kickDelayMs ?? 50,
      pullBatchSize: Math.min(
        options.pullBatchSize ?? SYNC_LIMITS.defaultPullBatch,
        SYNC_LIMITS.maxPullBatch,
      ),
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      random: options.random ?? Math.random,
      live: options.live ?? true,
    };
  }

  /* ---------------- lifecycle ---------------- */

  /** Start syncing in the background: a first cycle now, then pokes (or polling) and retries. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.requestCycle().catch(noop);
    if (this.opts.live && !this.urlError) this.streamLoop = this.runStream(this.abort.signal);
    this.schedulePoll();
  }

  /** Stop everything: timers cleared, requests aborted, the running cycle awaited. Safe to start() again. */
  async stop(): Promise<void> {
    this.running = false;
    for (const t of [this.kickTimer, this.retryTimer, this.pollTimer]) if (t) clearTimeout(t);
    this.kickTimer = this.retryTimer = this.pollTimer = null;
    this.abort.abort();
    const stopped = new SyncError('aborted', 'Sync stopped.');
    for (const w of this.waiting.splice(0)) w.reject(stopped);
    await Promise.allSettled([this.cycle, this.streamLoop]);
    this.streamLoop = null;
    this.streamUp = false;
    this.abort = new AbortController();
    this.progress = null;
    this.connection = 'offline';
    this.emitStatus();
  }

  get isRunning(): boolean {
    return this.running;
  }

  /* ---------------- public API ---------------- */

  /** Push, then pull until the server has nothing more. Rejects with a SyncError when the cycle fails. */
  syncNow(): Promise<void> {
    return this.requestCycle();
  }

  /** After a local write: push soon (when started), coalescing a burst of writes into one push. Never throws. */
  kick(): void {
    this.emitStatus(); // the pending count just grew: show it before the push starts
    if (!this.running || this.kickTimer) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = null;
      this.requestCycle().catch(noop);
    }, this.opts.kickDelayMs);
  }

  status(): SyncStatus {
    return {
      connection: this.connection,
      pending: this.store.outbox.countWork(),
      lastSyncedAt: this.store.syncState.get(LAST_SYNCED_KEY),
      progress: this.progress,
      problems: this.store.syncProblems.count(),
    };
  }

  onStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onChanged(listener: ChangedListener): () => void {
    this.changedListeners.add(listener);
    return () => this.changedListeners.delete(listener);
  }

  problems(): SyncProblem[] {
    return this.store.syncProblems.list();
  }

  dismissProblem(id: string): boolean {
    const done = this.store.syncProblems.dismiss(id);
    this.emitStatus();
    return done;
  }

  /* ---------------- cycles ---------------- */

  private requestCycle(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (this.cycle) this.again = true;
    else this.startCycle();
    return done;
  }

  private startCycle(): void {
    const waiters = this.waiting.splice(0);
    const signal = this.abort.signal;
    this.cycle = (async () => {
      let failure: unknown = null;
      try {
        await this.runCycle(signal);
      } catch (error) {
        failure = error;
      }
      for (const w of waiters) {
        if (failure === null) w.resolve();
        else w.reject(failure);
      }
    })().finally(() => {
      this.cycle = null;
      if (this.again && !signal.aborted) {
        this.again = false;
        this.startCycle();
      } else {
        this.again = false;
      }
    });
  }

  private async runCycle(signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new SyncError('aborted', 'Sync stopped.');
    this.setConnection('syncing');
    try {
      if (this.urlError) throw this.urlError;
      const keptBack = await this.pushAll(signal);
      await this.refetchRecords(signal);
      await this.pullAll(signal);
      await this.fetchWithheld(signal);
      if (keptBack) {
        this.scheduleRetry();
      } else {
        this.failures = 0;
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = null;
      }
      this.applyStoreWindow();
      this.setConnection('online');
    } catch (error) {
      const failure = error instanceof SyncError ? error : new SyncError('protocol', 'Sync failed.');
      if (failure.kind !== 'aborted') {
        this.progress = null;
        this.setConnection(failure.transient ? 'offline' : 'error');
        this.scheduleRetry(failure.retryAfterMs);
      }
      throw failure;
    }
  }

  /** Retry after a failure: exponential backoff with full jitter, never sooner than the server asked. */
  private scheduleRetry(retryAfterMs?: number): void {
    if (!this.running) return;
    const delay = Math.max(
      backoffDelay(this.failures, this.opts.backoff, this.opts.random),
      retryAfterMs ?? 0,
    );
    this.failures++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) this.requestCycle().catch(noop);
    }, delay);
  }

  /** Without a live stream, pull every pollIntervalMs (a pending retry takes precedence). */
  private schedulePoll(): void {
    if (!this.running) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      if (!this.running) return;
      if (!this.streamUp && !this.retryTimer && !this.cycle) this.requestCycle().catch(noop);
      this.schedulePoll();
    }, this.opts.pollIntervalMs);
  }

  /* ---------------- push ---------------- */

  /** @returns true when some rows were kept back for a later retry (see SERVER_FAILED). */
  private async pushAll(signal: AbortSignal): Promise<boolean> {
    this.deferred = 0;
    for (;;) {
      const rows = this.nextPushRows();
      if (rows.length === 0) return false;
      const before = this.settled;
      await this.pushRows(rows, signal);
      // Kept-back rows sit at the head of the queue: the rest goes with the next cycle, after a backoff.
      if (this.deferred > 0) return true;
      // A server that answers without resolving anything would otherwise keep us here forever. Progress is
      // counted in rows of THIS push settled, not in outbox size: changes made while the push was in flight
      // grow the outbox and are not a failure (issue 12).
      if (this.settled === before) {
        throw new SyncError('protocol', 'The server resolved none of the pushed changes.');
      }
    }
  }

  /**
   * The outbox in order first, then this device's audit events from the log (chain order, issue 16: written
   * once, pushed by seq). Changes go first so a booking waited on in its dialog (confirmNow) is not held behind
   * an hour's worth of read events (review 4); the events follow in the same cycle.
   */
  private nextPushRows(): PushRow[] {
    const changes = this.store.outbox.peek(SYNC_LIMITS.maxPushBatch);
    if (changes.length > 0) return changes;
    return this.store.auditPush.peek(SYNC_LIMITS.maxPushBatch).map((e) => this.auditPushRow(e));
  }

  private auditPushRow({ seq, record }: PendingAuditEvent): PushRow {
    return {
      seq,
      id: record.id,
      entity: 'audit',
      entityId: record.id,
      baseVersion: null,
      mutation: { op: 'audit.append', event: record },
      staffId: record.staffId ?? 'system',
      createdAt: record.at,
      attempts: this.auditAttempts.get(record.id) ?? 0,
      payloadVersion: MUTATION_PAYLOAD_VERSION,
      logSeq: seq,
    };
  }

  private async pushRows(rows: PushRow[], signal: AbortSignal): Promise<void> {
    const deviceId = this.credentials.deviceId();
    if (deviceId === null) throw new SyncError('no-credentials', 'This device is not enrolled.');
    const mutations: Mutation[] = [];
    const invalid: PushRow[] = [];
    for (const row of rows) {
      const m = MutationSchema.safeParse({
        id: row.id,
        entityId: row.entityId,
        baseVersion: row.baseVersion,
        createdAt: row.createdAt,
        staffId: row.staffId,
        mutation: row.mutation,
        // Rows queued by the previous release carry version 1, sent as such (no `v`): the server accepts both.
        ...(row.payloadVersion > 1 ? { v: row.payloadVersion } : {}),
      });
      if (m.success) mutations.push(m.data);
      else invalid.push(row);
    }
    // A row the protocol cannot express would make the server refuse every batch it is in: drop it, visibly.
    if (invalid.length > 0) {
      this.resolve(
        invalid.map((row) => ({
          row,
          result: { id: row.id, status: 'rejected', reason: 'The change was malformed.', current: null },
        })),
      );
    }
    if (mutations.length === 0) return;
    const fromLog = new Set(rows.filter((r) => r.logSeq !== undefined).map((r) => r.id));
    this.store.transaction(() => {
      for (const m of mutations) {
        if (fromLog.has(m.id)) this.auditAttempts.set(m.id, (this.auditAttempts.get(m.id) ?? 0) + 1);
        else this.store.outbox.markAttempt(m.id);
      }
    });
    let response: PushResponse;
    try {
      response = await this.client.push({ deviceId, mutations }, signal);
    } catch (error) {
      if (!isBatchRefusal(error)) throw error;
      const byId = new Map(rows.map((r) => [r.id, r]));
      if (mutations.length === 1) {
        const row = byId.get(mutations[0]!.id)!;
        const reason = error instanceof SyncError ? error.message : 'The server refused this change.';
        this.resolve([{ row, result: { id: row.id, status: 'rejected', reason, current: null } }]);
        return;
      }
      // Bisect so one bad change cannot hold back the good ones behind it.
      const half = Math.ceil(mutations.length / 2);
      for (const part of [mutations.slice(0, half), mutations.slice(half)]) {
        await this.pushRows(
          part.map((m) => byId.get(m.id)!),
          signal,
        );
      }
      return;
    }
    const byId = new Map(rows.map((r) => [r.id, r]));
    const resolved: { row: PushRow; result: MutationResult }[] = [];
    const seen = new Set<string>();
    // The whole answer is checked before anything is settled: garbage settles nothing (review 4: an answer
    // naming one change twice was taken as two contradictory verdicts).
    for (const result of response.results) {
      const row = byId.get(result.id);
      if (!row) throw new SyncError('protocol', 'The server answered for a change it was not sent.');
      if (seen.has(result.id)) throw new SyncError('protocol', 'The server answered twice for one change.');
      seen.add(result.id);
      resolved.push({ row, result });
    }
    this.resolve(resolved);
    // What was answered is settled above; a change left unanswered stays queued and the answer is a fault.
    const answered = new Set(response.results.map((r) => r.id));
    if (mutations.some((m) => !answered.has(m.id)))
      throw new SyncError('protocol', 'The server did not answer for every change it was sent.');
  }

  /** Settle pushed rows in one transaction: drop them from the outbox, undo refused optimistic writes. */
  private resolve(items: { row: PushRow; result: MutationResult }[]): void {
    const entities = new Set<string>();
    const settledNow: { row: OutboxEntry; result: MutationResult }[] = [];
    const nowIso = new Date(this.clock.now()).toISOString();
    // Log events settled by this answer: the push pointer moves only through the unbroken run of them from the
    // oldest unpushed event (an event kept back for a retry, or not answered, holds it; later ones go again and
    // the server answers them from its record of applied mutations).
    const settledLog = new Set<number>();
    this.store.transaction(() => {
      for (const { row, result } of items) {
        // The server failed unexpectedly and did not store the result: worth a few more tries (bounded, so a
        // server bug cannot hold the queue forever). row.attempts was read before this push's markAttempt.
        if (
          result.status === 'rejected' &&
          result.reason === SERVER_FAILED &&
          row.attempts + 1 < MAX_SERVER_FAILURES
        ) {
          this.deferred++;
          continue;
        }
        const before = row.entity === 'appointment' ? this.store.appointments.byId(row.entityId) : null;
        if (row.logSeq === undefined) this.store.outbox.remove(row.id);
        else {
          settledLog.add(row.logSeq);
          this.auditAttempts.delete(row.id);
        }
        this.settled++;
        settledNow.push({ row, result });
        entities.add(row.entity);
        // The server's record replaces our optimistic one once no later local change to it waits
        // (server-images.ts): applied or not, the console ends up showing what the server has.
        for (const e of settleServerImage(this.store, row, result, this.onAudit)) entities.add(e);
        for (const e of settleSeriesWaitlist(this.store, row, result)) entities.add(e);
        if (result.status === 'applied') continue;
        const op = row.mutation;
        if (op.op === 'message.send') {
          if (
            this.store.messages.forThread(row.entityId).some((m) => m.id === op.messageId && m.version === 0)
          ) {
            this.store.messages.delete(op.messageId);
            entities.add('message');
          }
        }
        // Every refusal is told, audit events included (review of main: a refused audit.append was silent).
        this.store.syncProblems.add({
          id: row.id,
          at: nowIso,
          kind: result.status,
          operation: op.op,
          entityId: row.entityId,
          // In the person's words, read after the server's record is shown again (refusal-text.ts).
          message: refusalText(this.store, {
            op,
            entityId: row.entityId,
            kind: result.status,
            reason: result.reason,
            before,
          }),
          slotStart:
            op.op === 'appointment.book' || op.op === 'appointment.reschedule'
              ? op.start
              : (before?.start ?? null),
        });
      }
      if (settledLog.size > 0) {
        let through: number | null = null;
        for (const seq of this.store.auditPush.pendingSeqs(settledLog.size)) {
          if (!settledLog.has(seq)) break;
          through = seq;
        }
        if (through !== null) this.store.auditPush.settledThrough(through);
      }
    });
    this.tellVerdicts(settledNow);
    if (items.length > 0) {
      this.emitChanged([...entities]);
      this.emitStatus();
    }
  }

  /* ---------------- confirmed while you wait (issue 13b) ---------------- */

  /** Hand settled results to confirmNow callers (after the commit, so the sync problem row exists). */
  private tellVerdicts(settledNow: { row: OutboxEntry; result: MutationResult }[]): void {
    for (const { row, result } of settledNow) {
      if (row.entity === 'audit') continue;
      this.recentVerdicts.delete(row.entityId);
      this.recentVerdicts.set(row.entityId, result);
      if (this.recentVerdicts.size > 500) {
        this.recentVerdicts.delete(this.recentVerdicts.keys().next().value!);
      }
      for (const tell of this.verdictWaiters.get(row.id) ?? []) tell(result);
      this.verdictWaiters.delete(row.id);
    }
  }

  /**
   * Push the pending changes to one record NOW and wait for the server's verdict, at most `timeoutMs`
   * (issue 13 §7: a booking, rescheduling or cancellation is confirmed while the dialog is open). Additive to
   * the normal cycle: it requests a cycle at once (no kick delay) and listens for the results of the record's
   * outbox rows; nothing else changes how rows are pushed or settled.
   *
   * @param entityId the record (appointment id) whose latest local changes the caller made.
   * @returns `confirmed` when every pending change to it was applied (or none was pending and the last known
   *   verdict was not a refusal); `refused` with the person-facing text of the sync problem (`problemId` is the
   *   mutation id, so the caller may dismiss it once told); `unconfirmed` when sync is stopped, the server is
   *   unreachable, or no verdict came within `timeoutMs`. Never throws.
   */
  async confirmNow(entityId: string, timeoutMs: number): Promise<ChangeVerdict & { problemId?: string }> {
    const verdictOf = (
      result: MutationResult,
      mutationId: string,
    ): ChangeVerdict & { problemId?: string } => {
      if (result.status === 'applied') return { outcome: 'confirmed' };
      const problem = this.store.syncProblems.list().find((p) => p.id === mutationId);
      return {
        outcome: 'refused',
        kind: result.status,
        message: problem?.message ?? 'The server refused this change.',
        problemId: mutationId,
      };
    };
    const ids = this.store.outbox.pendingIdsFor(entityId);
    if (ids.length === 0) {
      const recent = this.recentVerdicts.get(entityId);
      return recent ? verdictOf(recent, recent.id) : { outcome: 'confirmed' };
    }
    if (!this.running || this.urlError) return { outcome: 'unconfirmed', why: 'offline' };

    const results = new Map<string, MutationResult>();
    let finish: (v: ChangeVerdict & { problemId?: string }) => void = noop;
    const done = new Promise<ChangeVerdict & { problemId?: string }>((resolve) => (finish = resolve));
    const listeners = ids.map((id) => {
      const tell = (result: MutationResult): void => {
        results.set(id, result);
        // The first refusal decides (a later change to a record whose booking was refused cannot stand).
        if (result.status !== 'applied') finish(verdictOf(result, id));
        else if (results.size === ids.length) finish({ outcome: 'confirmed' });
      };
      const set = this.verdictWaiters.get(id) ?? new Set();
      set.add(tell);
      this.verdictWaiters.set(id, set);
      return [id, tell] as const;
    });
    const timer = setTimeout(() => finish({ outcome: 'unconfirmed', why: 'timeout' }), timeoutMs);
    if (this.kickTimer) {
      clearTimeout(this.kickTimer);
      this.kickTimer = null;
    }
    // A failed cycle (offline, refused credentials) ends the wait at once: the change stays queued.
    this.requestCycle().then(
      () => finish({ outcome: 'unconfirmed', why: 'timeout' }),
      () => finish({ outcome: 'unconfirmed', why: 'offline' }),
    );
    try {
      return await done;
    } finally {
      clearTimeout(timer);
      for (const [id, tell] of listeners) {
        const set = this.verdictWaiters.get(id);
        set?.delete(tell);
        if (set?.size === 0) this.verdictWaiters.delete(id);
      }
    }
  }

  /* ---------------- store window ---------------- */

  /** Evict what lies outside the window, at most hourly or when the window changed (store-window.ts). */
  private applyStoreWindow(): void {
    const w = this.storeWindow();
    if (!w) return;
    const now = this.clock.now();
    const key = JSON.stringify(w);
    if (this.lastEviction && this.lastEviction.window === key && now - this.lastEviction.at < EVICT_EVERY_MS)
      return;
    this.lastEviction = { at: now, window: key };
    const r = evictOutsideWindow(this.store, now, w);
    if (r.threads + r.appointments > 0) this.emitChanged(['thread', 'message', 'appointment']);
  }

  /**
   * Fetch one record from the server now and keep it (DESIGN.md §4: a record outside the store window is
   * fetched on demand when online; a thread comes with its messages and attachments). The read itself is
   * audited by the router like any read. Returns false when the server has no such record. Errors: SyncError
   * (offline, auth, protocol).
   */
  async fetchRecord(entity: 'appointment' | 'thread', id: string): Promise<boolean> {
    if (this.urlError) throw this.urlError;
    const answer = await this.client.record(entity, id, this.abort.signal);
    this.keepRecord(entity, id, answer);
    this.emitChanged([entity, ...(entity === 'thread' ? ['message'] : [])]);
    return answer.change.data !== null;
  }

  /** Write a fetched record (and its related records) unless a local change to it still waits. */
  private keepRecord(entity: 'appointment' | 'thread', id: string, answer: RecordResponse): void {
    const problem = recordAnswerProblem(entity, id, answer);
    if (problem) throw new SyncError('protocol', problem);
    const { change, related } = answer;
    // The answer may have left the server before a pull wrote a newer version: never go back (issue 12 review).
    this.store.transaction(() => {
      if (this.store.outbox.hasPending(id)) noteServerRecord(this.store, change);
      else applyUnlessOlder(this.store, change, this.onAudit);
      for (const r of related)
        if (!this.store.outbox.hasPending(r.id)) applyUnlessOlder(this.store, r, this.onAudit);
      this.store.syncShadows.refetchDone(entity, id);
    });
  }

  /* ---------------- records fetched again ---------------- */

  /**
   * Records whose queued change ended unapplied without a known server image (server-images.ts) are fetched
   * again by id. One still waiting on a newer local change keeps the answer as its server image instead.
   */
  private async refetchRecords(signal: AbortSignal): Promise<void> {
    const queued = this.store.syncShadows.refetchQueued(10_000);
    for (const q of queued) {
      this.keepRecord(q.entity, q.id, await this.client.record(q.entity, q.id, signal));
      this.emitChanged([q.entity]);
    }
  }

  /**
   * issue 14a: threads whose messages a pull withheld (apply-changes.ts) are fetched whole once the signed-in
   * staff member may read them. The record is asked for with this session's token, so the
   * server serves it to the same role.
   */
  private async fetchWithheld(signal: AbortSignal): Promise<void> {
    // Review 9 R9-3: the step is pinned to the session that started it. Before each request (also once its
    // token is taken: client.ts `stillValid`) and before keeping each answer, the same session must still be the
    // one signed in with a role that reads these bodies; else the step ends, its marks kept for the next sync
    // (the session change kicks one). Without this the next batches went out with the next person's token and
    // the server wrote refused reads by an honest receptionist on the patients' trails.
    const reader = this.withheldReader();
    if (reader === null) return;
    const samePerson = (): boolean => this.withheldReader() === reader;
    const ids = this.store.threads.withheldIds(10_000);
    // Session 7, s7srv: RECORDS_BATCH_MAX threads a request (POST /sync/records), not one each (~5 s for 600).
    // A refused thread (moved into a pool this role may not read meanwhile) keeps its mark for the next sync.
    // An answer may leave ids out to stay small (attachments): they are asked for again.
    let left = ids;
    while (left.length > 0) {
      if (signal.aborted) throw new SyncError('aborted', 'Sync stopped.');
      if (!samePerson()) break;
      const asked = left.slice(0, RECORDS_BATCH_MAX);
      let answer: RecordsResponse;
      try {
        answer = await this.client.records(asked, signal, samePerson);
      } catch (error) {
        // Not sent: the person changed once the token was taken (client.ts stillValid). Not a failure.
        if (error instanceof SyncError && error.kind === 'aborted' && !signal.aborted && !samePerson()) break;
        throw error;
      }
      const { records, refused } = answer;
      // The answer came back after the person changed: it is not kept (the next person may not hold it).
      if (!samePerson()) break;
      // A record nobody asked for, or any record of the answer wrong (another entity, a related record of
      // another thread): a server answering garbage, nothing of that answer is kept. The whole answer is checked
      // before the first record is kept (review 9, suspicion 6: a wrong record mid-answer left the ones before
      // it kept and their marks cleared).
      if (records.some((answer) => !asked.includes(answer.change.id)))
        throw new SyncError('protocol', 'The server answered for a record it was not asked for.');
      if (new Set(records.map((answer) => answer.change.id)).size !== records.length)
        throw new SyncError('protocol', 'The server answered twice for the same record.');
      for (const answer of records) {
        const problem = recordAnswerProblem('thread', answer.change.id, answer);
        if (problem) throw new SyncError('protocol', problem);
      }
      const done = new Set(refused);
      for (const answer of records) {
        this.keepRecord('thread', answer.change.id, answer);
        this.store.threads.clearBodiesWithheld(answer.change.id);
        done.add(answer.change.id);
      }
      const notDone = asked.filter((id) => !done.has(id));
      // No progress (a server that serves nothing it was asked for): stop, the marks stay for the next sync.
      if (notDone.length === asked.length) break;
      left = [...notDone, ...left.slice(asked.length)];
    }
    if (ids.length > 0) this.emitChanged(['thread', 'message']);
  }

  /* ---------------- pull ---------------- */

  private async pullAll(signal: AbortSignal): Promise<void> {
    let restarted = false;
    for (;;) {
      try {
        await this.pullFrom(readCursor(this.store), signal);
        return;
      } catch (error) {
        // The server's data is older than our cursor (restored or reset server): start again from 0, once.
        if (!restarted && error instanceof SyncError && error.code === 'CURSOR_AHEAD') {
          restarted = true;
          this.store.syncState.set(CURSOR_KEY, '0');
          continue;
        }
        throw error;
      }
    }
  }

  private async pullFrom(start: string, signal: AbortSignal): Promise<void> {
    // A never-synced store is filled in bulk-load mode when its first pull is a long one (the first answer says
    // more follow: a small first pull costs less without the mode's copies and rebuilds), ended whatever happens
    // (issue 16).
    let bulk: BulkLoad | null | undefined = this.bulkLoad && start === '0' ? undefined : null;
    // The next batch is fetched while this one is applied: the request only needs the cursor we already have.
    const local = new AbortController();
    const onStop = (): void => local.abort();
    signal.addEventListener('abort', onStop, { once: true });
    // A long pull (a batch says more follow) is decoded, parsed and validated by a worker thread, overlapped
    // with the apply (issue 16, pull-decoder.ts); once the worker is loaded it fetches the pages itself (the
    // pull feed, pull-feed.ts), so the main thread only applies. Any trouble in the feed (an answer but 200, a
    // network failure) makes the engine ask that page again here, which gives the typed error or the page.
    let decoder: PullDecoder | null = null;
    let feed: PullFeed | null = null;
    let feedStarts = 0;
    const stopFeed = (): void => {
      feed?.close();
      feed = null;
    };
    local.signal.addEventListener('abort', stopFeed, { once: true });
    const fetchBatch = (after: string) => {
      const p = this.client.pull(after, this.opts.pullBatchSize, local.signal, decoder ?? undefined);
      p.catch(noop); // awaited below; this only keeps an abandoned prefetch from being "unhandled"
      return p;
    };
    /** The next batch from the feed, or null: ask the page after the cursor here (fallback, worker gone). */
    const fromFeed = async (current: PullFeed): Promise<PullResponse | null> => {
      let event: FeedEvent;
      try {
        event = await current.next();
      } catch {
        if (local.signal.aborted) throw new SyncError('aborted', 'Sync stopped.');
        stopFeed(); // the worker stopped: this thread fetches and decodes from here on
        return null;
      }
      if (event.kind === 'error') throw new SyncError('protocol', event.message, 200);
      if (event.kind === 'fallback') {
        stopFeed();
        return null;
      }
      return event.batch;
    };
    let done = 0;
    let cursor = start;
    let next: Promise<PullResponse> | null = fetchBatch(start);
    try {
      for (;;) {
        let batch: PullResponse | null = null;
        if (next) batch = await next;
        else if (feed) batch = await fromFeed(feed);
        next = null;
        batch ??= await fetchBatch(cursor);
        if (bulk === undefined) bulk = batch.hasMore ? BulkLoad.beginIfNew(this.store, CURSOR_KEY) : null;
        if (batch.hasMore && !feed) {
          decoder ??= new PullDecoder();
          if (decoder.inWorker && feedStarts < MAX_FEED_STARTS) {
            const spec = await this.client.pullFeedSpec(batch.cursor, this.opts.pullBatchSize, FEED_WINDOW);
            feed = spec && !local.signal.aborted ? decoder.startFeed(spec) : null;
            if (feed) feedStarts++;
          }
          if (!feed) {
            next = fetchBatch(batch.cursor);
            // Let the request leave before the synchronous apply holds the event loop (issue 16: the server
            // then prepares the next batch while this one is applied; profiled 26k -> 32k records/s).
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        }
        const result = applyPullBatch(this.store, batch, {
          onAuditRecord: this.customAudit,
          bulk,
          nowIso: batch.hasMore ? undefined : new Date(this.clock.now()).toISOString(),
        });
        cursor = batch.cursor;
        done += result.applied + result.skipped; // the page's changes (its rows included: pull-rows.ts)
        this.progress = batch.hasMore || this.progress ? { done, total: done + batch.remaining } : null;
        if (result.applied > 0) this.emitChanged(result.entities);
        if (!batch.hasMore) {
          this.progress = null;
          this.emitStatus();
          return;
        }
        this.emitStatus();
      }
    } finally {
      local.abort();
      signal.removeEventListener('abort', onStop);
      stopFeed();
      decoder?.close();
      if (bulk) {
        bulk.finish();
        this.emitChanged(['thread', 'message', 'patient']);
      }
    }
  }

  /* ---------------- live stream ---------------- */

  private async runStream(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      try {
        await this.readStream(signal, () => {
          attempt = 0;
        });
      } catch {
        // Reconnect below; the reason is visible through sync status (the poll keeps data fresh meanwhile).
      }
      this.streamUp = false;
      if (signal.aborted) return;
      // A dropped or refused stream means the backend may be gone: say so now rather than at the next request
      // (issue 12: "offline within 2 s"). A cycle that reaches the server sets it back to online.
      this.setConnection('offline');
      await this.sleep(backoffDelay(attempt++, this.opts.backoff, this.opts.random), signal);
    }
  }

  private async readStream(stopSignal: AbortSignal, onOpen: () => void): Promise<void> {
    const conn = new AbortController();
    const onStop = (): void => conn.abort();
    stopSignal.addEventListener('abort', onStop, { once: true });
    let idle: NodeJS.Timeout | null = null;
    const watch = (): void => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => conn.abort(), this.opts.streamIdleTimeoutMs);
    };
    try {
      watch();
      const res = await this.client.events(conn.signal);
      this.streamUp = true;
      onOpen();
      // Anything waiting to go out goes now that the server is reachable again; a console shown offline
      // syncs at once so the bar is back to the truth.
      if (this.store.outbox.count() > 0) this.kick();
      else if (this.connection === 'offline' || this.connection === 'error') this.requestCycle().catch(noop);
      const parser = new SseParser((event) => {
        if (event.event !== 'poke') return;
        let cursor: string;
        try {
          cursor = Poke.parse(JSON.parse(event.data)).cursor;
        } catch {
          return; // a malformed poke is ignored; the next one or the poll catches up
        }
        if (BigInt(cursor) !== BigInt(readCursor(this.store)) || this.store.outbox.count() > 0) {
          this.requestCycle().catch(noop);
        }
      });
      const decoder = new TextDecoder();
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      // Raced with the abort so stop() never waits on a body read that a fetch implementation leaves pending.
      const aborted = new Promise<never>((_, reject) => {
        conn.signal.addEventListener('abort', () => reject(new SyncError('aborted', 'Stream closed.')), {
          once: true,
        });
      });
      aborted.catch(noop);
      try {
        for (;;) {
          const { done, value } = await Promise.race([reader.read(), aborted]);
          if (done) return;
          watch();
          parser.feed(decoder.decode(value, { stream: true }));
        }
      } finally {
        reader.cancel().catch(noop);
      }
    } finally {
      if (idle) clearTimeout(idle);
      conn.abort();
      stopSignal.removeEventListener('abort', onStop);
    }
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /* ---------------- events ---------------- */

  private setConnection(connection: SyncStatus['connection']): void {
    this.connection = connection;
    this.emitStatus();
  }

  private emitStatus(): void {
    if (!this.store.db.open) return;
    const status = this.status();
    const key = JSON.stringify(status);
    if (key === this.lastEmitted) return;
    this.lastEmitted = key;
    for (const l of this.statusListeners) {
      try {
        l(status);
      } catch {
        // a listener's failure must not break sync
      }
    }
  }

  private emitChanged(entities: string[]): void {
    if (entities.length === 0) return;
    for (const l of this.changedListeners) {
      try {
        l(entities);
      } catch {
        // a listener's failure must not break sync
      }
    }
  }
}

export type { EntityName };

/**
 * Why a record answer (GET /sync/record, one record of POST /sync/records) for `entity` `id` cannot be kept, or
 * null: it is for another record, or one of its related records is not the thread's own (review 9, suspicion 6):
 * a thread's answer carries only messages of that thread and attachments of those messages, each with data (the
 * server loads them from one snapshot: server/routes/sync.ts loadRecord); an appointment's carries none.
 */
export function recordAnswerProblem(
  entity: 'appointment' | 'thread',
  id: string,
  answer: RecordResponse,
): string | null {
  const { change, related } = answer;
  if (change.entity !== entity || change.id !== id) return 'The server answered for another record.';
  if (related.length === 0) return null;
  if (entity !== 'thread' || change.data === null)
    return 'The server answered with records that do not belong to the record asked for.';
  const messages = new Set<string>();
  for (const r of related)
    if (r.entity === 'message' && r.data !== null && r.data.id === r.id && r.data.threadId === id)
      messages.add(r.id);
  const belongs = related.every(
    (r) =>
      (r.entity === 'message' && messages.has(r.id)) ||
      (r.entity === 'attachment' && r.data !== null && r.data.id === r.id && messages.has(r.data.messageId)),
  );
  return belongs ? null : 'The server answered with records that do not belong to the thread asked for.';
}
