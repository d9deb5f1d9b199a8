import { CONFIRM_WAIT_MS } from '../../src-shared/change-verdict';
import { ApiError } from '../../src-shared/errors';
import type { StaffRecord } from '../../src-shared/domain';
import type { AuditLog } from '../audit';
import type { AuditReport } from '../audit/report';
import type { AuthService } from '../auth/auth-service';
import { sessionInfoOf } from '../auth/session';
import type { InboxService } from '../inbox/inbox-service';
import { ReplyTemplates } from '../inbox/templates';
import type { HandlerContext, Handlers } from '../ipc/router';
import type { LockController } from '../lock/lock-controller';
import type { PatientService } from '../patients/patient-service';
import type { ScheduleService } from '../schedule/schedule-service';
import { sendVirtualLink } from '../schedule/virtual-visits';
import type { AvailabilityAdmin } from '../schedule/availability-admin';
import type { Store } from '../store/store';
import type { SyncEngine } from '../sync';
import { SyncError } from '../sync/client';
import type { Settings } from '../settings/settings';
import type { Clock } from '../base/adapters';
import { recordLocalMutation } from '../sync/local-mutations';
import type { BreakGlass } from '../triage/break-glass';
import type { TriageService } from '../triage/triage-service';
import type { CoverageService } from '../triage/coverage-service';
import { changedDetail } from '../inbox/changed-detail';

export interface HandlerDeps {
  store: Store;
  auth: AuthService;
  lock: LockController;
  audit: AuditLog;
  report: AuditReport;
  inbox: InboxService;
  schedule: ScheduleService;
  patients: PatientService;
  /** issue 14a */
  triage: TriageService;
  breakGlass: BreakGlass;
  /** Session 4, 14c: coverage, clinic settings, pool templates. */
  coverage: CoverageService;
  clock: Clock;
  settings: Settings;
  sync: () => SyncEngine;
  /** session 4, 13c: availability configuration (issue 13 §3). */
  availabilityAdmin: AvailabilityAdmin;
  onSettingsChanged: (before: { serverUrl: string }) => void;
}

const ok = { ok: true as const };

/** The router has already checked role and lock; a null staff here means a programming error in the contract. */
function need(staff: StaffRecord | null): StaffRecord {
  if (!staff) throw new ApiError('UNAUTHENTICATED', 'Sign in first.');
  return staff;
}

/**
 * A record outside the store window (DESIGN.md §4) is fetched from the server when it is asked for and the
 * server can be reached; offline, the service answers NOT_FOUND as before. The router audits the read.
 */
async function onDemand(d: HandlerDeps, entity: 'thread' | 'appointment', id: string): Promise<void> {
  // issue 14a: a thread whose bodies the server withheld from an earlier session's role is fetched whole.
  const state =
    entity === 'thread' ? d.store.threads.localState(id) : d.store.appointments.byId(id) ? 'held' : 'absent';
  if (state === 'held') return;
  const withheld = state === 'withheld';
  try {
    await d.sync().fetchRecord(entity, id);
    if (withheld) d.store.threads.clearBodiesWithheld(id);
  } catch (error) {
    if (!(error instanceof SyncError)) throw error;
  }
}

/**
 * A read's "seen" mark, noted once its audit event has committed (seen-marks.ts), at the newest message time the
 * read showed (`lastMessageAt`, UTC ISO, the thread's `last_message_at` as answered): unread means a message newer
 * than the one seen, compared on one clock. Session 10 (review leftover, a jumping clock): the mark was the read
 * event's time on the PC's clock, compared with message times on the server's, so a PC clock behind left a thread
 * just read unread. A start's recovery from the log has only the event's time (SeenMarks.recover).
 */
function seenAfterRead(
  d: HandlerDeps,
  threadId: string,
  lastMessageAt: string,
): NonNullable<HandlerContext['afterAudit']> {
  return () => d.inbox.seenMarks.noted(threadId, lastMessageAt);
}

/** One handler per contract method: thin adapters from validated input to the services. */
export function createHandlers(d: HandlerDeps): Handlers {
  const templates = new ReplyTemplates(d.store.settings);
  const session = () =>
    sessionInfoOf(
      d.auth.current(),
      d.auth.deviceId(),
      d.settings.get().idleTimeoutMinutes,
      d.auth.deviceState(),
    );
  return {
    'session.status': () => session(),
    'auth.signIn': async (i) => {
      await d.auth.signIn(i.username, i.password, i.totp);
      return session();
    },
    'device.enrol': async (i) => {
      await d.auth.enrol(i.username, i.password, i.totp);
      return session();
    },
    'admin.devices': () => d.auth.adminDevices(),
    'admin.revokeDevice': async (i) => {
      await d.auth.adminRevokeDevice(i.deviceId);
      return ok;
    },
    'admin.auditAlerts': () => d.auth.adminAuditAlerts(),
    // session 4, 13c: availability (issue 13 §3) and the next-free-slot finder (§5)
    'availability.get': (i) => d.availabilityAdmin.view(i.providerId, d.schedule.profile().today),
    'availability.setTemplate': async (i) => {
      await d.availabilityAdmin.setTemplate(i.providerId, i.blocks);
      return ok;
    },
    'availability.addException': async (i) => ({
      exceptionId: await d.availabilityAdmin.addException(i),
    }),
    'availability.removeException': async (i) => {
      await d.availabilityAdmin.removeException(i.exceptionId);
      return ok;
    },
    'schedule.nextFree': (i) => d.schedule.nextFree(i),
    'auth.unlock': async (i) => {
      await d.auth.unlock(i.password);
      return session();
    },
    'auth.lock': () => {
      d.lock.lockNow('manual');
      return session();
    },
    'auth.signOut': () => {
      d.auth.signOut();
      return session();
    },
    'auth.accountActivity': () => d.audit.accountActivity(d.auth.current()!.staff.id),

    'inbox.list': (i, c) => (d.triage.escalate(), d.inbox.list(need(c.staff), i)),
    // The badges sweep for threads past their SLA first, as a list does: a thread that fell due since the last
    // list counts in the urgent badge at once (session 6, s6read).
    'inbox.counts': (_i, c) => (d.triage.escalate(), d.inbox.counts(need(c.staff))),
    'inbox.pools': (_i, c) => d.triage.pools(need(c.staff)),
    'thread.route': (i, c) => (d.triage.route(need(c.staff), i.threadId, i.poolId), ok),
    'inbox.templates': (_i, c) => [...templates.list(need(c.staff).id), ...d.coverage.poolTemplates()],
    'templates.savePersonal': (i, c) => templates.save(need(c.staff).id, i),
    'templates.deletePersonal': (i, c) => (templates.delete(need(c.staff).id, i.id), ok),
    'thread.get': async (i, c) => {
      await onDemand(d, 'thread', i.threadId);
      const detail = d.inbox.get(i.threadId);
      // The "seen" mark is derived from the read's audit event after its commit (issue 16 §3, seen-marks.ts).
      c.afterAudit = seenAfterRead(d, i.threadId, detail.thread.lastMessageAt);
      return detail;
    },
    // Review 7 U4 (session 7, s7ui): read out again only if the caller's copy is out of date.
    'thread.getIfChanged': async (i, c) => {
      await onDemand(d, 'thread', i.threadId);
      const detail = await changedDetail(d.inbox.get(i.threadId), i.stamp);
      if (detail === null) c.nothingRead = true;
      else c.afterAudit = seenAfterRead(d, i.threadId, detail.thread.lastMessageAt);
      return { detail };
    },
    'thread.claim': (i, c) => (d.inbox.claim(need(c.staff), i.threadId), ok),
    'thread.release': (i, c) => (d.inbox.release(need(c.staff), i.threadId), ok),
    'thread.assign': (i, c) => (d.inbox.assign(need(c.staff), i.threadId, i.assigneeId), ok),
    'thread.setPriority': (i, c) => (d.inbox.setPriority(need(c.staff), i.threadId, i.priority), ok),
    'thread.setStatus': (i, c) => (d.inbox.setStatus(need(c.staff), i.threadId, i.status), ok),
    'thread.reply': (i, c) => ({ messageId: d.inbox.reply(need(c.staff), i.threadId, i.body) }),
    'thread.replyAndClose': (i, c) => ({
      messageId: d.inbox.replyAndClose(need(c.staff), i.threadId, i.body),
    }),
    'attachment.get': (i) => d.inbox.attachment(i.attachmentId),
    // issue 14a: emergency access; the grant is on this PC at once and sent to the server (alert) right away
    'breakGlass.open': async (i, c) => {
      const staff = need(c.staff);
      const thread = d.store.threads.byId(i.threadId);
      if (!thread) throw new ApiError('NOT_FOUND', 'This thread is not on this PC.');
      const grant = d.breakGlass.open(staff.id, 'thread', i.threadId, i.reason);
      recordLocalMutation(d.store, d.clock, {
        entity: 'thread',
        entityId: i.threadId,
        baseVersion: thread.version,
        staffId: staff.id,
        mutation: {
          op: 'breakGlass.open',
          grantId: grant.id,
          reason: i.reason,
          minutes: Math.round((Date.parse(grant.expiresAt) - Date.parse(grant.openedAt)) / 60_000),
        },
      });
      c.purposeOfEvent = 'BTG';
      try {
        // The server must know before the thread is fetched for this person; offline, it learns at the next sync.
        await d.sync().syncNow();
      } catch (error) {
        if (!(error instanceof SyncError)) throw error;
      }
      // Session 4, 14c: the sync may have brought a shorter clinic time (an admin changed it): follow it.
      return { expiresAt: d.breakGlass.clampToClinicTime(grant.id) ?? grant.expiresAt };
    },
    'admin.breakGlassReport': async () => d.auth.adminBreakGlassReport(),
    // session 4, 14c
    'coverage.list': () => d.coverage.list(),
    // (async: they wait on the server, outside the router's synchronous transaction)
    'coverage.set': async (i, c) => d.coverage.set(need(c.staff), i),
    'coverage.end': async (i) => d.coverage.end(i.absenceId),
    'clinic.settings': () => d.coverage.clinicSettings(),
    'admin.setClinicSettings': async (i) => d.coverage.setClinicSettings(i),
    'admin.savePoolTemplate': async (i) => d.coverage.savePoolTemplate(i),
    'admin.deletePoolTemplate': async (i) => (await d.coverage.deletePoolTemplate(i.id), ok),
    'admin.acknowledgeBreakGlass': async (i) => {
      await d.auth.adminAcknowledgeBreakGlass(i.grantId);
      return ok;
    },

    'providers.list': () => d.schedule.providers(),
    'staff.list': () =>
      d.store.staff.list().map((s) => ({
        id: s.id,
        username: s.username,
        displayName: s.displayName,
        role: s.role,
        active: s.active !== false,
      })),
    'clinic.profile': () => d.schedule.profile(),
    'schedule.range': (i) => d.schedule.range(i.from, i.days, i.providerId, i.locationId),
    'appointment.get': async (i) => {
      await onDemand(d, 'appointment', i.appointmentId);
      return d.schedule.get(i.appointmentId);
    },
    'appointment.book': (i, c) => ({ appointmentId: d.schedule.book(need(c.staff), i) }),
    'appointment.reschedule': (i, c) => (
      d.schedule.reschedule(need(c.staff), i.appointmentId, i.providerId, i.start, i.end, i.overlapReason),
      ok
    ),
    'appointment.cancel': (i, c) => (d.schedule.cancel(need(c.staff), i.appointmentId, i.code, i.reason), ok),
    // issue 13 §4/§5: recurring series and the waitlist (src-main/schedule/series-service.ts, waitlist-service.ts)
    'series.preview': (i) => d.schedule.series.preview(i),
    'series.book': (i, c) => d.schedule.series.book(need(c.staff), i),
    'series.cancel': (i, c) => ({
      cancelled: d.schedule.series.cancel(need(c.staff), i.appointmentId, i.scope, i.code, i.reason),
    }),
    'series.reschedule': (i, c) => d.schedule.series.reschedule(need(c.staff), i.appointmentId, i.scope, i),
    'waitlist.add': (i, c) => ({ entryId: d.schedule.waitlist.add(need(c.staff), i) }),
    'waitlist.list': () => d.schedule.waitlist.list(),
    'waitlist.remove': (i, c) => (d.schedule.waitlist.remove(need(c.staff), i.entryId), ok),
    'waitlist.offers': (i) => d.schedule.waitlist.offers(i.providerId, i.start, i.end),
    'appointment.patientOverlaps': (i) => d.schedule.patientOverlaps(i.patientId, i.start, i.end, i.exceptId),
    'appointment.room': (i, c) => (d.schedule.advance(need(c.staff), i.appointmentId, 'room'), ok),
    'appointment.complete': (i, c) => (d.schedule.advance(need(c.staff), i.appointmentId, 'complete'), ok),
    'appointment.undo': (i, c) => (d.schedule.advance(need(c.staff), i.appointmentId, 'undo'), ok),
    'appointment.checkIn': (i, c) => (d.schedule.checkIn(need(c.staff), i.appointmentId), ok),
    'appointment.noShow': (i, c) => (d.schedule.noShow(need(c.staff), i.appointmentId), ok),
    'appointment.openVirtualLink': async (i) => (await d.schedule.openVirtualLink(i.appointmentId), ok),

    'appointment.setVirtual': (i, c) => (
      d.schedule.setVirtual(need(c.staff), i.appointmentId, i.virtual),
      ok
    ),
    'appointment.sendVirtualLink': (i, c) =>
      sendVirtualLink(d.store, d.inbox, need(c.staff), i.appointmentId),
    'appointment.confirm': async (i) => {
      const { problemId, ...verdict } = await d.sync().confirmNow(i.appointmentId, CONFIRM_WAIT_MS);
      // Told in the dialog to the person who made the change: not listed a second time (DESIGN.md §5).
      if (problemId) d.sync().dismissProblem(problemId);
      return verdict;
    },
    'patient.search': (i) => d.patients.search(i.query, i.limit),
    'patient.get': (i) => d.patients.panel(i.patientId),

    'audit.trail': (i) => d.audit.trail(i.entityType, i.entityId),
    'audit.verify': () => d.audit.verify(),
    'audit.export': (i) => ({ bundleJson: d.audit.exportFhir(i) }),
    'audit.report': ({ sort, offset, limit, ...query }) => d.report.page(query, sort, offset, limit),
    'audit.reportExport': ({ format, ...query }) => d.report.exportFile(format, query),

    'sync.status': () => d.sync().status(),
    'sync.problems': () => d.sync().problems(),
    'sync.dismissProblem': (i) => {
      if (!d.sync().dismissProblem(i.problemId)) throw new ApiError('NOT_FOUND', 'No such sync problem.');
      return ok;
    },
    'sync.now': async () => {
      try {
        await d.sync().syncNow();
      } catch (error) {
        // The engine retries by itself; the person asking to sync now is told why it did not happen.
        // Review 9 R9-3: a 429 (THROTTLED: the PC's refused record reads spent, server/http/refusal-budget.ts; or
        // any rate limit) is "try later", not "unreachable": OFFLINE with the wait the server named (the engine
        // waits at least that long, scheduleRetry), nothing lost (queued changes and withheld marks stay).
        if (error instanceof SyncError && error.status === 429) {
          const wait = Math.max(1, Math.ceil((error.retryAfterMs ?? 60_000) / 1000));
          throw new ApiError(
            'OFFLINE',
            `The portal backend asks this PC to wait; sync tries again by itself in about ${wait} seconds.`,
            wait,
          );
        }
        if (error instanceof SyncError) {
          throw new ApiError(
            error.kind === 'no-credentials' || error.kind === 'auth' ? 'UNAUTHENTICATED' : 'OFFLINE',
            error.kind === 'no-credentials' || error.kind === 'auth'
              ? 'Sync needs an online sign-in: sign out and sign in again when the network is back.'
              : 'The portal backend cannot be reached; changes wait on this PC and sync when it is back.',
          );
        }
        throw error;
      }
      return ok;
    },

    'settings.get': () => d.settings.get(),
    'settings.update': (i, c) => {
      const before = d.settings.get();
      const after = d.settings.update(i);
      // The audit event names the settings that changed (names only), as for any other record's update.
      c.auditFields = (Object.keys(after) as (keyof typeof after)[]).filter((k) => before[k] !== after[k]);
      d.onSettingsChanged(before);
      return after;
    },
  };
}
