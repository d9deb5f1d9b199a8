import type { ScryptCost } from '../../src-shared/password-rules';
import { verifyAuditIncrementally } from '../audit/checkpoint';
import { AuditLog } from '../audit';
import { listedRecords, RecentListReads, sessionScopedStaff, subjectsOf } from '../audit/read-records';
import { AuditReport } from '../audit/report';
import { auditRoleChanges } from '../audit/staff-changes';
import { AuthService } from '../auth/auth-service';
import { sessionInfoOf } from '../auth/session';
import { InboxService } from '../inbox/inbox-service';
import { createRouter } from '../ipc/router';
import type { Router } from '../ipc/types';
import type { KeyStore } from '../keys/key-store';
import { LockController } from '../lock/lock-controller';
import { PatientService } from '../patients/patient-service';
import { AvailabilityAdmin } from '../schedule/availability-admin';
import { ScheduleService } from '../schedule/schedule-service';
import { openStore, type Store } from '../store/store';
import { SyncEngine } from '../sync';
import { checkAuditHead } from '../sync/audit-head';
import { assertServerUrl } from '../sync/url-policy';
import { removalMarker } from '../sync/removed-records';
import { ReachChanges } from '../store/reach-changes';
import { systemClock, type Clock, type ExternalOpener, type IdleSource } from '../base/adapters';
import { BreakGlass, GrantWatch } from '../triage/break-glass';
import { createRecordAccess } from '../triage/access';
import { TriageService } from '../triage/triage-service';
import { CoverageService } from '../triage/coverage-service';
import { CoreEvents } from './events';
import { createHandlers } from './handlers';
import { Settings } from '../settings/settings';
import { StoreCache } from '../store/store-cache';

export interface CoreOptions {
  dataDir: string;
  keyStore: KeyStore;
  /** When given (e.g. CLINIC_SERVER_URL), it replaces the stored server address. */
  serverUrl?: string;
  idleSource: IdleSource;
  openExternal: ExternalOpener;
  /** Origins of the console window(s) the router accepts calls from. */
  allowedOrigins: string[];
  deviceName: string;
  clock?: Clock;
  /** Start the idle timer and the sync engine (tests of single pieces may not want them). */
  autoStart?: boolean;
  /** scrypt cost of the offline password verifier (default OWASP N=2^17, r=8, p=1; tests pass a lower N). */
  passwordCost?: Partial<ScryptCost>;
}

export interface Core {
  router: Router;
  store: Store;
  auth: AuthService;
  lock: LockController;
  audit: AuditLog;
  settings: Settings;
  sync(): SyncEngine;
  events: CoreEvents;
  close(): Promise<void>;
}

/**
 * The composition root of the main-process core (plain Node, no Electron): store, keys, auth, lock, audit,
 * sync and the router, wired once. The Electron shell and the browser host both call this.
 */
export async function createCore(o: CoreOptions): Promise<Core> {
  const clock = o.clock ?? systemClock;
  const store = await openStore(o.dataDir, o.keyStore);
  const settings = new Settings(store.settings);
  if (o.serverUrl) {
    assertServerUrl(o.serverUrl);
    if (settings.get().serverUrl !== o.serverUrl) settings.update({ serverUrl: o.serverUrl });
  }
  const events = new CoreEvents();
  // Read on every audit event: kept until the devices table changes (issue 16).
  const selfDevice = new StoreCache(store, () => store.devices.self()?.id ?? 'unregistered', {
    tables: ['devices'],
  });
  const audit = new AuditLog(store, clock, () => selfDevice.get());
  // A quick start-up check from the last verified checkpoint (issue 12: flat in the log's size): a broken chain
  // is reported (event id only, no PHI) and shown by audit.verify in the UI.
  const verified = verifyAuditIncrementally(store, audit).result;
  if (!verified.ok) console.error(`clinic: audit chain broken at event ${verified.firstBadEventId}`);
  // A staff member's role changed (by sync or at sign-in): recorded on that staff member's trail.
  auditRoleChanges(store, audit);

  const emitSession = (): void =>
    events.emit(
      'session.changed',
      sessionInfoOf(auth.current(), auth.deviceId(), settings.get().idleTimeoutMinutes, auth.deviceState()),
    );
  const auth: AuthService = new AuthService({
    store,
    audit,
    clock,
    settings,
    deviceName: o.deviceName,
    passwordCost: o.passwordCost,
    onChange: () => {
      forgetSessionMemory();
      emitSession();
      sync.kick();
    },
  });

  // Session 8 sec8, session 9 s9sec: every data.changed (pulled or local) says when a change may have taken
  // something shown out of reach (removed or withheld): lists kept from before are then dropped, not shown.
  const marked = removalMarker(store.changes, ReachChanges.of(store.db));
  const emitDataChanged = (entities: string[]): void =>
    events.emit('data.changed', { entities: marked(entities) });

  const makeSync = (): SyncEngine => {
    const engine = new SyncEngine({
      store,
      serverUrl: settings.get().serverUrl,
      credentials: auth,
      clock,
      // Pulled audit events are written by the sync layer's own handler (the same row as AuditLog.applyRemote),
      // so they take the initial sync's set-based path, as in `npm run bench -- --only sync` (session 9).
      // issue 14a: bodies withheld from an earlier pull are fetched once someone who may read them signs in.
      // The session object identifies the person signed in (a new one at every sign-in; review 9 R9-3).
      withheldReader: () => {
        const session = auth.current();
        return session && session.staff.role !== 'receptionist' ? session : null;
      },
      // The store window (DESIGN.md §4), admin-set.
      storeWindow: () => {
        const s = settings.get();
        return {
          closedThreadDays: s.closedThreadDays,
          scheduleBackDays: s.scheduleBackDays,
          scheduleAheadDays: s.scheduleAheadDays,
        };
      },
    });
    let previous: string | null = null;
    engine.onStatus((status) => {
      // issue 10: after each completed cycle, compare the local audit chain head with the server's.
      if (previous === 'syncing' && status.connection === 'online') {
        void checkAuditHead(auth.transport, store, new Date(clock.now()).toISOString());
      }
      previous = status.connection;
      events.emit('sync.status', status);
    });
    engine.onChanged(emitDataChanged);
    return engine;
  };
  let sync = makeSync();

  const lock = new LockController({
    idleSource: o.idleSource,
    clock,
    idleTimeoutMinutes: () => settings.get().idleTimeoutMinutes,
    isActive: () => auth.current()?.state === 'active',
    lock: (reason) => auth.lock(reason),
  });

  const afterWrite = (): void => {
    emitDataChanged(['local']);
    sync.kick();
  };
  const inbox = new InboxService(store, clock, afterWrite);
  // The seen marks' watermark keeps up with the log's index batches (issue 16 §3, session 9).
  audit.followIndex(() => inbox.seenMarks.catchUp());
  const schedule = new ScheduleService(
    store,
    clock,
    afterWrite,
    o.openExternal,
    () => settings.get().scheduleAheadDays,
  );
  const patients = new PatientService(store, clock);
  // issue 14a: triage pools, SLA escalation, emergency access
  const triage = new TriageService(store, clock, afterWrite);
  // Session 4, 14c: the grant's time is the clinic's setting as synced (default 60 minutes).
  const breakGlass = new BreakGlass(
    store,
    clock,
    () => store.coverage.clinicSettings().breakGlassMinutes,
    (grant) => grantWatch.opened(grant.staffId, grant.entityType, grant.entityId),
  );
  const coverage = new CoverageService({
    store,
    clock,
    transport: auth.transport,
    accessToken: () => auth.accessToken(),
    afterWrite,
  });

  const handlers = createHandlers({
    store,
    auth,
    lock,
    audit,
    report: new AuditReport(store, audit, () => clock.now()),
    inbox,
    schedule,
    patients,
    triage,
    breakGlass,
    coverage,
    clock,
    settings,
    sync: () => sync,
    availabilityAdmin: new AvailabilityAdmin({
      store,
      transport: () => auth.transport,
      accessToken: () => auth.accessToken(),
      afterWrite,
    }),
    onSettingsChanged: (before) => {
      if (before.serverUrl !== settings.get().serverUrl) {
        const old = sync;
        sync = makeSync();
        void old.stop().then(() => sync.start());
      }
      emitSession();
    },
  });
  const recentListReads = new RecentListReads(() => clock.now());
  // Review 7 U8 (DESIGN §2.2, §6): a lock or a sign-out drops the core's cached pages (patient names) and the
  // list-read memory's answers; a sign-out forgets the list reads (their queries, search text included) too.
  function forgetSessionMemory(): void {
    const session = auth.current();
    if (session?.state === 'active') return;
    inbox.forgetPages();
    if (session === null) recentListReads.clear();
    else recentListReads.forgetAnswers();
    mergeSearchWhileAway();
  }
  // Review 7 U7: the terms of deleted messages leave the search index's segments by a merge of the whole index
  // (about 1 s of CPU at 200k messages: SearchIndex.mergeIfPending), run once the lock or sign-out is shown, while
  // nobody waits for the console; not in the sync that deleted them.
  let mergeQueued = false;
  function mergeSearchWhileAway(): void {
    if (mergeQueued) return;
    mergeQueued = true;
    setImmediate(() => {
      mergeQueued = false;
      if (auth.current()?.state === 'active' || !store.db.open) return;
      try {
        store.threads.mergeSearchIfPending();
      } catch (e) {
        // No PHI: the error's code only. The note stays; the next lock or sign-out tries again.
        console.error(`clinic: search index merge failed (${(e as { code?: string }).code ?? 'error'})`);
      }
    });
  }
  // A new session's look-ups are recorded again (review 7 R14).
  const sessionStaff = sessionScopedStaff(() => auth.current());
  const router = createRouter({
    handlers,
    auth,
    audit,
    allowedOrigins: o.allowedOrigins,
    events,
    // A failed transaction also takes back which list records it remembered as recorded (review 7 R8). Pending
    // seen marks go first, in a commit of their own (issue 16 §3, session 9: src-main/inbox/seen-marks.ts).
    atomically: (fn) => {
      inbox.seenMarks.applyPendingOrReport();
      return recentListReads.atomically(() => store.transaction(fn));
    },
    lockGate: () => lock.gate(),
    subjectsOf: (action, entityType, entityId, fields, input) =>
      subjectsOf(store, action, entityType, entityId, fields, input),
    listedRecords: (method, input, output, staffId) =>
      recentListReads.freshFor(sessionStaff(staffId), method, input, output, (o) => listedRecords(method, o)),
    recordAccess: createRecordAccess(store, (staffId, type, id) => breakGlass.has(staffId, type, id)),
  });

  // Emergency access ending on the core's clock is told to the renderer (access.ended), so it lets go of the
  // record before anything asks for it again (session 10; DESIGN §6). Checked with the lock's cadence, on `clock`.
  const grantWatch = new GrantWatch(
    () => {
      const session = auth.current();
      return session?.state === 'active' ? session.staff.id : null;
    },
    (staffId) =>
      breakGlass
        .active(staffId)
        .filter((g) => g.entityType === 'thread')
        .map((g) => g.entityId),
    (threadIds) => events.emit('access.ended', { threadIds }),
  );
  let grantTimer: NodeJS.Timeout | null = null;
  if (o.autoStart !== false) {
    lock.start();
    sync.start();
    grantTimer = setInterval(() => grantWatch.check(), 1000);
    grantTimer.unref();
  }

  return {
    router,
    store,
    auth,
    lock,
    audit,
    settings,
    sync: () => sync,
    events,
    async close() {
      if (grantTimer) clearInterval(grantTimer);
      lock.stop();
      await sync.stop();
      auth.signOut();
      inbox.close();
      store.close();
    },
  };
}
