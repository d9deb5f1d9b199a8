/**
 * Every router method that reads or changes a record produces exactly the expected audit events. Table-driven over
 * the contract: the cases below are written by hand, and a method with an audit spec but no case here (or a case
 * for a method the contract does not audit) fails the first test, so new methods cannot slip by.
 * Real core signed in against the real portal backend (demo clinic), real encrypted store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, METHOD_NAMES, type MethodName } from '../../src-shared/contract';
import { slotGrid } from '../../src-shared/schedule-rules';
import { addLocalDays } from '../../src-shared/clinic-time';
import type {
  PatientView,
  ProviderView,
  ScheduleView,
  SeriesBooked,
  ThreadPage,
  WaitlistView,
} from '../../src-shared/views';
import {
  startConsole,
  startPortal,
  TEST_TODAY,
  type TestConsole,
  type TestPortal,
} from '../helpers/console-harness';

let portal: TestPortal;
let clinic: TestConsole;
/** Everything the process writes to stdout/stderr while the table runs: it must hold no PHI. */
const output: string[] = [];
const writes = {
  out: process.stdout.write.bind(process.stdout),
  err: process.stderr.write.bind(process.stderr),
};

beforeAll(async () => {
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    output.push(String(chunk));
    return writes.out(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    output.push(String(chunk));
    return writes.err(chunk, ...rest);
  }) as typeof process.stderr.write;
  portal = await startPortal();
  clinic = await startConsole(portal);
  expect((await clinic.signIn('admin1')).ok).toBe(true);
  await clinic.ok('sync.now');
});
afterAll(async () => {
  process.stdout.write = writes.out;
  process.stderr.write = writes.err;
  await clinic?.close();
  await portal?.close();
});

/** A free slot of the first provider, two days after the demo's today. */
async function freeSlot(skip = 0): Promise<{ providerId: string; start: string; end: string }> {
  const day = new Date(Date.parse(`${TEST_TODAY}T00:00:00Z`) + 2 * 86_400_000).toISOString().slice(0, 10);
  const view = await clinic.ok<ScheduleView>('schedule.range', { from: day, days: 1 });
  const provider: ProviderView = view.providers[0]!;
  let found = 0;
  for (
    let m = provider.dayStartMinute;
    m + provider.slotMinutes <= provider.dayEndMinute;
    m += provider.slotMinutes
  ) {
    const start = new Date(Date.parse(`${day}T00:00:00Z`) + m * 60_000).toISOString();
    const end = new Date(Date.parse(start) + provider.slotMinutes * 60_000).toISOString();
    const taken = view.appointments.some(
      (a) => a.providerId === provider.id && a.start < end && start < a.end && a.status !== 'cancelled',
    );
    if (!taken && found++ === skip) return { providerId: provider.id, start, end };
  }
  throw new Error('no free slot in the demo schedule');
}

async function book(virtual = false): Promise<string> {
  const slot = await freeSlot();
  const patientId = clinic.core.store.patients.search('a', 1)[0]!.id;
  const { appointmentId } = await clinic.ok<{ appointmentId: string }>('appointment.book', {
    patientId,
    ...slot,
    reason: 'Check-up',
    virtual,
  });
  return appointmentId;
}

/**
 * A visit booked now, today (issue 13a: check-in only on the visit's day, no-show only once it has started): the
 * first provider whose first slot of the clinic's today is free; the clock is at the start of working hours.
 */
let walkIns = 0;
async function bookNow(checkIn = false): Promise<string> {
  const view = await clinic.ok<ScheduleView>('schedule.range', { from: TEST_TODAY, days: 1 });
  for (const provider of view.providers) {
    // The slot under way now (started at most one slot ago: within the walk-in allowance).
    const slot = slotGrid(provider, view.location, TEST_TODAY).find(
      (g) => Date.parse(g.start) <= view.now && view.now < Date.parse(g.end),
    );
    if (!slot) continue;
    const { start: now, end } = slot;
    const taken = view.appointments.some(
      (a) => a.providerId === provider.id && a.start < end && now < a.end && a.status !== 'cancelled',
    );
    if (taken) continue;
    // A different patient each time: the same patient twice at one time needs a reason (issue 13a).
    const patientId = clinic.core.store.patients.search('c', 20)[walkIns++]!.id;
    const { appointmentId } = await clinic.ok<{ appointmentId: string }>('appointment.book', {
      patientId,
      providerId: provider.id,
      start: now,
      end,
      reason: 'Walk-in',
      virtual: false,
    });
    if (checkIn) await clinic.ok('appointment.checkIn', { appointmentId });
    return appointmentId;
  }
  throw new Error('no provider free now');
}

function anyThreadId(queue: 'all' | 'unassigned' = 'all'): string {
  const { rows } = clinic.core.store.threads.page({ queue, staffId: 'x', offset: 0, limit: 1 });
  return rows[0]!.id;
}
function anyAttachmentId(): string {
  const row = clinic.core.store.db.prepare('SELECT id FROM attachments LIMIT 1').get() as
    { id: string } | undefined;
  if (!row) throw new Error('the demo clinic has no attachment');
  return row.id;
}

type Case = () => Promise<{ input: unknown; entityId: string | null }>;

/** issue 13 §4/§5: a different patient per case (the same patient twice at one time needs a reason). */
const seriesPatient = (n: number): string => clinic.core.store.patients.search('e', 20)[n]!.id;
async function seriesInput(n: number) {
  return { patientId: seriesPatient(n), ...(await freeSlot()), freq: 'WEEKLY', interval: 1, count: 2 };
}
const waitlistInput = (n: number) => ({
  patientId: seriesPatient(n),
  visitTypeId: null,
  providerIds: [],
  timeOfDay: 'any',
  fromDate: TEST_TODAY,
  toDate: '2099-12-31',
});

const cases: Partial<Record<MethodName, Case>> = {
  'inbox.list': async () => ({ input: { queue: 'all', offset: 0, limit: 10 }, entityId: null }),
  'thread.get': async () => {
    const id = anyThreadId();
    return { input: { threadId: id }, entityId: id };
  },
  // Review 7 U4 (session 7): a stamp of no copy the core holds, so the thread is read out (as thread.get).
  'thread.getIfChanged': async () => {
    const id = anyThreadId();
    return { input: { threadId: id, stamp: '0'.repeat(64) }, entityId: id };
  },
  'thread.claim': async () => {
    const id = anyThreadId('unassigned');
    return { input: { threadId: id }, entityId: id };
  },
  'thread.release': async () => {
    const id = anyThreadId();
    return { input: { threadId: id }, entityId: id };
  },
  'thread.assign': async () => {
    const id = anyThreadId();
    return { input: { threadId: id, assigneeId: 'stf-clinician2' }, entityId: id };
  },
  'thread.setPriority': async () => {
    const id = anyThreadId();
    return { input: { threadId: id, priority: 'urgent' }, entityId: id };
  },
  'thread.setStatus': async () => {
    const id = anyThreadId();
    return { input: { threadId: id, status: 'in_progress' }, entityId: id };
  },
  'thread.route': async () => {
    const id = anyThreadId();
    return { input: { threadId: id, poolId: 'results' }, entityId: id };
  },
  'thread.reply': async () => {
    const id = anyThreadId();
    return { input: { threadId: id, body: 'Thank you, we will call you today.' }, entityId: id };
  },
  'templates.savePersonal': async () => ({
    input: { title: 'Call me', body: 'Dear {{first_name}}, please call {{clinic_phone}}.' },
    entityId: null,
  }),
  'templates.deletePersonal': async () => {
    const { id } = await clinic.ok<{ id: string }>('templates.savePersonal', {
      title: 'Old',
      body: 'Old text',
    });
    return { input: { id }, entityId: null };
  },
  'thread.replyAndClose': async () => {
    const id = anyThreadId();
    return { input: { threadId: id, body: 'Thank you, this is sorted.' }, entityId: id };
  },
  'attachment.get': async () => {
    const id = anyAttachmentId();
    // Recorded on the attachment's thread and patient, whose trails show it (checked below).
    return { input: { attachmentId: id }, entityId: id };
  },
  'schedule.range': async () => ({ input: { from: TEST_TODAY, days: 1 }, entityId: null }),
  'appointment.get': async () => {
    const id = await book();
    return { input: { appointmentId: id }, entityId: id };
  },
  'appointment.book': async () => {
    const slot = await freeSlot(1);
    const patientId = clinic.core.store.patients.search('b', 1)[0]!.id;
    // The id is made by the console: the event must carry it (taken from the output).
    return { input: { patientId, ...slot, reason: 'New visit', virtual: false }, entityId: 'from-output' };
  },
  'appointment.reschedule': async () => {
    const id = await book();
    const slot = await freeSlot(2);
    return { input: { appointmentId: id, ...slot }, entityId: id };
  },
  'appointment.cancel': async () => {
    const id = await book();
    return { input: { appointmentId: id, reason: 'Patient asked to cancel' }, entityId: id };
  },
  'appointment.checkIn': async () => {
    const id = await bookNow();
    return { input: { appointmentId: id }, entityId: id };
  },
  'appointment.noShow': async () => {
    const id = await bookNow();
    return { input: { appointmentId: id }, entityId: id };
  },
  // issue 13a
  'appointment.patientOverlaps': async () => {
    const slot = await freeSlot();
    const id = clinic.core.store.patients.search('a', 1)[0]!.id;
    return { input: { patientId: id, start: slot.start, end: slot.end }, entityId: id };
  },
  'appointment.room': async () => {
    const id = await bookNow(true);
    return { input: { appointmentId: id }, entityId: id };
  },
  'appointment.complete': async () => {
    const id = await bookNow(true);
    return { input: { appointmentId: id }, entityId: id };
  },
  'appointment.undo': async () => {
    const id = await bookNow(true);
    return { input: { appointmentId: id }, entityId: id };
  },
  'appointment.openVirtualLink': async () => {
    const id = await book(true);
    return { input: { appointmentId: id }, entityId: id };
  },
  'appointment.setVirtual': async () => {
    const id = await book();
    return { input: { appointmentId: id, virtual: true }, entityId: id };
  },
  'appointment.sendVirtualLink': async () => {
    // A virtual visit of a patient with an open conversation, where the link goes.
    const { rows } = clinic.core.store.threads.page({ queue: 'all', staffId: 'x', offset: 0, limit: 1 });
    const slot = await freeSlot(3);
    const { appointmentId } = await clinic.ok<{ appointmentId: string }>('appointment.book', {
      patientId: rows[0]!.patient_id,
      ...slot,
      reason: 'Video follow-up',
      virtual: true,
    });
    return { input: { appointmentId }, entityId: appointmentId };
  },
  'patient.search': async () => ({ input: { query: 'a', limit: 5 }, entityId: null }),
  'patient.get': async () => {
    const id = clinic.core.store.patients.search('a', 1)[0]!.id;
    return { input: { patientId: id }, entityId: id };
  },
  'audit.trail': async () => {
    const id = anyThreadId();
    return { input: { entityType: 'thread', entityId: id }, entityId: id };
  },
  'audit.export': async () => {
    const id = anyThreadId();
    return { input: { entityType: 'thread', entityId: id }, entityId: id };
  },
  'audit.report': async () => {
    const id = anyThreadId();
    return { input: { entityType: 'thread', entityId: id, offset: 0, limit: 10 }, entityId: id };
  },
  'audit.reportExport': async () => {
    const id = anyThreadId();
    return { input: { entityType: 'thread', entityId: id, format: 'fhir' }, entityId: id };
  },
  // issue 14a: emergency access opened (flagged 'BTG'), the admins' report (a read), and its review
  'breakGlass.open': async () => {
    const id = anyThreadId();
    return { input: { threadId: id, reason: 'Patient unwell at the desk, needs the history' }, entityId: id };
  },
  'admin.breakGlassReport': async () => ({ input: {}, entityId: null }),
  'admin.acknowledgeBreakGlass': async () => {
    const grants = await clinic.ok<{ id: string }[]>('admin.breakGlassReport', {});
    // a grant is not a record of this PC's store: the event names no id
    return { input: { grantId: grants[0]!.id }, entityId: null };
  },
  // issue 13 §4/§5 (13d): recurring series and the waitlist
  'series.preview': async () => ({
    input: { patientId: seriesPatient(0), ...(await freeSlot()), freq: 'WEEKLY', interval: 1, count: 2 },
    entityId: seriesPatient(0),
  }),
  'series.book': async () => ({
    input: { ...(await seriesInput(1)), reason: 'Physio', virtual: false, skipConflicts: true },
    entityId: 'from-output',
  }),
  'series.cancel': async () => {
    const { appointmentIds } = await clinic.ok<SeriesBooked>('series.book', {
      ...(await seriesInput(2)),
      reason: 'Physio',
      virtual: false,
      skipConflicts: true,
    });
    return {
      input: { appointmentId: appointmentIds[0], scope: 'following', code: 'patient-request' },
      entityId: appointmentIds[0]!,
    };
  },
  'series.reschedule': async () => {
    const { appointmentIds } = await clinic.ok<SeriesBooked>('series.book', {
      ...(await seriesInput(3)),
      reason: 'Physio',
      virtual: false,
      skipConflicts: true,
    });
    return {
      input: { appointmentId: appointmentIds[0], scope: 'all', ...(await freeSlot(2)), skipConflicts: true },
      entityId: appointmentIds[0]!,
    };
  },
  'waitlist.add': async () => ({ input: waitlistInput(4), entityId: 'from-output' }),
  'waitlist.list': async () => {
    await clinic.ok('waitlist.add', waitlistInput(5));
    return { input: {}, entityId: null };
  },
  'waitlist.remove': async () => {
    const { entryId } = await clinic.ok<{ entryId: string }>('waitlist.add', waitlistInput(6));
    return { input: { entryId }, entityId: entryId };
  },
  'waitlist.offers': async () => {
    await clinic.ok('waitlist.add', waitlistInput(7));
    return { input: await freeSlot(), entityId: null };
  },
  // session 4, 14c: coverage (made on the server, audited here on the absent clinician), clinic settings, pool
  // templates (server records this PC does not hold: no id)
  'coverage.set': async () => ({
    input: {
      staffId: 'stf-clinician1',
      coverId: 'stf-clinician2',
      startDate: addLocalDays(TEST_TODAY, 40),
      endDate: addLocalDays(TEST_TODAY, 41),
    },
    entityId: 'stf-clinician1',
  }),
  'coverage.end': async () => {
    const { id } = await clinic.ok<{ id: string }>('coverage.set', {
      staffId: 'stf-clinician2',
      coverId: 'stf-clinician1',
      startDate: addLocalDays(TEST_TODAY, 50),
      endDate: addLocalDays(TEST_TODAY, 50),
    });
    // On the absent clinician's record (as the server records it), not the absence's id.
    return { input: { absenceId: id }, entityId: 'stf-clinician2' };
  },
  'admin.setClinicSettings': async () => ({ input: { breakGlassMinutes: 60 }, entityId: null }),
  'admin.savePoolTemplate': async () => ({
    input: { poolId: 'front-desk', title: 'Card', body: 'Bring your card, {{first_name}}.' },
    entityId: null,
  }),
  'admin.deletePoolTemplate': async () => {
    const { id } = await clinic.ok<{ id: string }>('admin.savePoolTemplate', {
      poolId: 'front-desk',
      title: 'Old',
      body: 'Old text',
    });
    return { input: { id }, entityId: null };
  },
  'settings.update': async () => ({ input: { idleTimeoutMinutes: 7 }, entityId: null }),
  // session 4, 13c: availability, changed on the server by an admin (issue 13 §3). The template's event names the
  // provider; a new exception its id; a removed one is no longer held here, so its event names no id.
  'availability.setTemplate': async () => ({
    input: {
      providerId: 'prv-004',
      blocks: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
        weekday,
        startMinute: 480,
        endMinute: 1020,
        kind: 'work',
      })),
    },
    entityId: 'prv-004',
  }),
  'availability.addException': async () => ({
    input: {
      kind: 'leave',
      providerId: 'prv-004',
      fromDate: '2027-12-01',
      toDate: '2027-12-02',
      startMinute: null,
      endMinute: null,
      label: 'Conference',
    },
    entityId: 'from-output',
  }),
  'availability.removeException': async () => {
    const { exceptionId } = await clinic.ok<{ exceptionId: string }>('availability.addException', {
      kind: 'leave',
      providerId: 'prv-004',
      fromDate: '2027-12-06',
      toDate: '2027-12-06',
      startMinute: null,
      endMinute: null,
      label: '',
    });
    return { input: { exceptionId }, entityId: null };
  },
  // A desk of the demo's history (enrolled on the server, no credential): removing it is an admin's change.
  'admin.revokeDevice': async () => ({
    input: { deviceId: 'dev-demo-front-desk-1' },
    entityId: 'dev-demo-front-desk-1',
  }),
};

/** List reads: one event for the list, then one read event per record returned (counted by hand below). */
/**
 * What each audited method's event must say, written by hand (not read from the contract, so a wrong contract
 * entry fails here): [action, entity type, changed field names]. DESIGN §7: removals are `delete`.
 */
const EXPECTED: Record<string, [string, string, string[]]> = {
  'inbox.list': ['read', 'queue', []],
  'thread.route': ['update', 'thread', ['poolId']],
  'breakGlass.open': ['create', 'thread', ['breakGlass']],
  'admin.breakGlassReport': ['read', 'audit', []],
  'admin.acknowledgeBreakGlass': ['update', 'audit', ['acknowledgedAt']],
  'coverage.set': ['create', 'staff', ['absence', 'coverId', 'startDate', 'endDate']],
  'coverage.end': ['update', 'staff', ['absence', 'endDate']],
  'admin.setClinicSettings': ['update', 'settings', ['breakGlassMinutes']],
  'admin.savePoolTemplate': ['update', 'settings', ['poolTemplates']],
  'admin.deletePoolTemplate': ['delete', 'settings', ['poolTemplates']],
  'templates.savePersonal': ['update', 'settings', ['replyTemplates']],
  'templates.deletePersonal': ['delete', 'settings', ['replyTemplates']],
  'thread.get': ['read', 'thread', []],
  'thread.getIfChanged': ['read', 'thread', []],
  'thread.claim': ['update', 'thread', ['assigneeId']],
  'thread.release': ['update', 'thread', ['assigneeId']],
  'thread.assign': ['update', 'thread', ['assigneeId']],
  'thread.setPriority': ['update', 'thread', ['priority']],
  'thread.setStatus': ['update', 'thread', ['status']],
  'thread.reply': ['create', 'thread', ['messages']],
  'thread.replyAndClose': ['update', 'thread', ['messages', 'status']],
  'attachment.get': ['read', 'message', []],
  'schedule.range': ['read', 'schedule', []],
  'appointment.get': ['read', 'appointment', []],
  'appointment.book': ['create', 'appointment', ['patientId', 'providerId', 'start', 'end', 'reason']],
  'appointment.patientOverlaps': ['read', 'patient', []],
  'appointment.room': ['update', 'appointment', ['status']],
  'appointment.complete': ['update', 'appointment', ['status']],
  'appointment.undo': ['update', 'appointment', ['status']],
  'appointment.reschedule': ['update', 'appointment', ['providerId', 'start', 'end']],
  'appointment.cancel': ['update', 'appointment', ['status', 'cancelReason', 'cancelCode']],
  'appointment.checkIn': ['update', 'appointment', ['status']],
  'appointment.noShow': ['update', 'appointment', ['status']],
  'appointment.openVirtualLink': ['read', 'appointment', []],
  'appointment.setVirtual': ['update', 'appointment', ['virtualLink']],
  'appointment.sendVirtualLink': ['create', 'appointment', ['virtualLinkSent']],
  'series.preview': ['read', 'patient', []],
  'series.book': ['create', 'series', ['rule', 'appointments']],
  'series.cancel': ['update', 'appointment', ['status', 'cancelReason', 'cancelCode', 'seriesRule']],
  'series.reschedule': ['update', 'appointment', ['status', 'seriesRule']],
  'waitlist.add': [
    'create',
    'waitlist',
    ['patientId', 'visitTypeId', 'providerIds', 'timeOfDay', 'fromDate', 'toDate'],
  ],
  'waitlist.list': ['read', 'waitlist', []],
  'waitlist.remove': ['update', 'waitlist', ['status']],
  'waitlist.offers': ['read', 'waitlist', []],
  'patient.search': ['read', 'patient', []],
  'patient.get': ['read', 'patient', []],
  'audit.trail': ['read', 'audit', []],
  'audit.export': ['export', 'audit', []],
  'audit.report': ['read', 'audit', []],
  'audit.reportExport': ['export', 'audit', []],
  'admin.revokeDevice': ['update', 'settings', ['revokedAt']],
  'availability.setTemplate': ['update', 'settings', ['availabilityTemplate']],
  'availability.addException': ['create', 'settings', ['kind', 'dates', 'times', 'label']],
  'availability.removeException': ['delete', 'settings', []],
  // settings.update names the fields the call changed (the contract lists none).
  'settings.update': ['update', 'settings', ['idleTimeoutMinutes']],
};

const LIST_READS: readonly MethodName[] = [
  'inbox.list',
  'schedule.range',
  'patient.search',
  'waitlist.list',
  'waitlist.offers',
];
const audited = Object.keys(cases) as MethodName[];
const READS_ON_PATIENT_TRAIL: readonly MethodName[] = [
  'thread.get',
  'thread.getIfChanged',
  'appointment.get',
  'appointment.openVirtualLink',
];

describe('audit coverage of the router', () => {
  it('has a case for exactly the methods the contract says are audited', () => {
    expect([...audited].sort()).toEqual(METHOD_NAMES.filter((m) => contract[m].audit !== null).sort());
    expect(Object.keys(EXPECTED).sort()).toEqual([...audited].sort());
  });

  it.each(audited)('%s records exactly its events', async (method) => {
    const { input, entityId } = await cases[method]!();
    const before = clinic.core.store.audit.count();
    const result = await clinic.call(method, input);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const events = [...clinic.core.store.audit.iterate()].slice(before);
    if (method === 'attachment.get') {
      const owner = clinic.core.store.messages.attachmentOwner(entityId!)!;
      expect(events.map((e) => [e.action, e.entity_type, e.entity_id, JSON.parse(e.fields)])).toEqual([
        ['read', 'thread', owner.threadId, [`attachment.${entityId}`]],
        ['read', 'patient', owner.patientId, [`attachment.${entityId}`]],
      ]);
      return;
    }
    if (LIST_READS.includes(method)) {
      const value = (result as { value: unknown }).value;
      const returned =
        method === 'inbox.list'
          ? new Set(
              (value as ThreadPage).threads.flatMap((t) => [`thread ${t.id}`, `patient ${t.patientId}`]),
            )
          : method === 'schedule.range'
            ? new Set(
                (value as ScheduleView).appointments.flatMap((a) => [
                  `appointment ${a.id}`,
                  `patient ${a.patientId}`,
                ]),
              )
            : method === 'waitlist.list' || method === 'waitlist.offers'
              ? new Set(
                  (value as WaitlistView[]).flatMap((e) => [`waitlist ${e.id}`, `patient ${e.patientId}`]),
                )
              : new Set((value as PatientView[]).map((p) => `patient ${p.id}`));
      expect(returned.size).toBeGreaterThan(0);
      expect(
        events
          .slice(1)
          .map((e) => `${e.entity_type} ${e.entity_id}`)
          .sort(),
      ).toEqual([...returned].sort());
      expect(events.slice(1).every((e) => e.action === 'read' && e.fields === JSON.stringify([method]))).toBe(
        true,
      );
    } else if (READS_ON_PATIENT_TRAIL.includes(method)) {
      // A read of a thread or appointment is on its patient's trail too ("who looked me up").
      const record =
        method === 'thread.get' || method === 'thread.getIfChanged'
          ? clinic.core.store.threads.byId(entityId!)!
          : clinic.core.store.appointments.byId(entityId!)!;
      expect(events).toHaveLength(2);
      expect(events[1]).toMatchObject({
        action: 'read',
        entity_type: 'patient',
        entity_id: record.patientId,
      });
    } else {
      expect(events).toHaveLength(1);
    }
    const event = events[0]!;
    const expectedId =
      entityId === 'from-output'
        ? (() => {
            const v = (
              result as {
                value: { appointmentId?: string; seriesId?: string; entryId?: string; exceptionId?: string };
              }
            ).value;
            return v.appointmentId ?? v.seriesId ?? v.entryId ?? v.exceptionId;
          })()
        : entityId;
    expect(event).toMatchObject({
      action: EXPECTED[method]![0],
      entity_type: EXPECTED[method]![1],
      entity_id: expectedId,
      outcome: 'success',
      staff_id: 'stf-admin1',
      role: 'admin',
    });
    expect(JSON.parse(event.fields)).toEqual(EXPECTED[method]![2]);
    // No PHI in an audit row: the reply text or a reason must not be stored in it.
    expect(JSON.stringify(event)).not.toMatch(/Thank you|Patient asked|Check-up/);
  });

  it('methods without an audit spec record nothing (e.g. counts, providers)', async () => {
    const before = clinic.core.store.audit.count();
    await clinic.ok('inbox.counts');
    await clinic.ok('providers.list');
    await clinic.ok('sync.status');
    expect(clinic.core.store.audit.count()).toBe(before);
  });

  it('a failed read of a record is recorded as a failure (without the id of a record nobody has)', async () => {
    const before = clinic.core.store.audit.count();
    const result = await clinic.call('thread.get', { threadId: 'no-such-thread' });
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const events = [...clinic.core.store.audit.iterate()].slice(before);
    expect(events.map((e) => [e.action, e.entity_type, e.entity_id, e.outcome])).toEqual([
      ['read', 'thread', null, 'failure'],
    ]);
  });

  it('wrote no PHI to stdout or stderr while reading and changing records', () => {
    const text = output.join('');
    const patients = clinic.core.store.patients.search('a', 50);
    expect(patients.length).toBeGreaterThan(10);
    for (const p of patients) {
      expect(text).not.toContain(`${p.givenName} ${p.familyName}`);
      expect(text).not.toContain(p.mrn);
      expect(text).not.toContain(p.birthDate);
    }
    expect(text).not.toContain('Thank you, we will call you today.');
  });
});
