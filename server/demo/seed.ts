/**
 * A deterministic, believable demo clinic (seeded PRNG, ids and times derived from the options).
 * Times are UTC; the schedule runs from 30 days before `today` to 60 days after it, weekdays only.
 * Per unit of `scale`: 200 patients, 800 threads of 1–4 messages (~2,000 messages) and ~1,000
 * appointments, so `--scale 100` gives ~200k messages and ~100k appointments.
 */
import type {
  AppointmentRecord,
  AuditRecord,
  LocationRecord,
  MessageRecord,
  Priority,
  ProviderRecord,
  StaffRecord,
  ThreadRecord,
  ThreadStatus,
} from '../../src-shared/domain';
import { PasswordHasher } from '../auth/passwords';
import { AuditWriter } from '../audit/writer';
import type { ServerStore } from '../db/types';
import {
  BASE_PROVIDERS,
  CANCEL_REASONS,
  DEMO_ATTACHMENTS,
  FAMILY_NAMES,
  GIVEN_NAMES,
  PATIENT_FOLLOW_UPS,
  SPECIALTIES,
  STAFF_REPLIES,
  TOPICS,
  VISIT_REASONS,
} from './content';
import { DEMO_PORTAL_PASSWORD, DEMO_STAFF, demoMrn } from './credentials';
import { Prng } from './prng';
import { addLocalDays, isoWeekday } from '../../src-shared/clinic-time';
import { slotGrid } from '../../src-shared/schedule-rules';
import { DEMO_SUBJECT_TOPICS } from './content';
import { DEFAULT_POOLS, dueAt, poolForTopic } from '../../src-shared/triage';

/** issue 14a: topic and pool of a demo thread by its subject. */
function demoRouting(subject: string): Pick<ThreadRecord, 'topic' | 'poolId'> {
  const topic = DEMO_SUBJECT_TOPICS[subject] ?? 'clinical-question';
  return { topic, poolId: poolForTopic(DEFAULT_POOLS, topic)?.id ?? null };
}

export interface DemoOptions {
  /** The demo's "today" (YYYY-MM-DD, UTC); appointments and messages are laid out around it. */
  today: string;
  /**
   * IANA time zone of the demo clinic's location (issue 13a; default UTC, which keeps the working hours the
   * UTC minutes older data sets assumed). `npm start` seeds America/New_York.
   */
  timeZone?: string;
  scale?: number;
  seed?: number;
  /** Hashes the demo passwords (default: OWASP cost; test servers pass their cheaper hasher). */
  passwords?: PasswordHasher;
}

export interface DemoCounts {
  providers: number;
  staff: number;
  patients: number;
  threads: number;
  messages: number;
  attachments: number;
  appointments: number;
  auditEvents: number;
}

const DAY = 86_400_000;
const MINUTE = 60_000;
const CHUNK = 5000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const iso = (ms: number) => new Date(ms).toISOString();

/** Demo devices the seeded staff replies are attributed to. */
const DEMO_DEVICES = [
  { id: 'dev-demo-front-desk-1', name: 'Front desk 1' },
  { id: 'dev-demo-front-desk-2', name: 'Front desk 2' },
  { id: 'dev-demo-room-1', name: 'Consulting room 1' },
  { id: 'dev-demo-room-2', name: 'Consulting room 2' },
] as const;
const DEVICE_OF: Record<string, string> = {
  'stf-reception1': 'dev-demo-front-desk-1',
  'stf-reception2': 'dev-demo-front-desk-2',
  'stf-clinician1': 'dev-demo-room-1',
  'stf-clinician2': 'dev-demo-room-2',
  'stf-admin1': 'dev-demo-front-desk-1',
};

export function demoPlan(scale = 1): {
  providers: number;
  patients: number;
  threads: number;
  appointments: number;
} {
  return {
    providers: Math.max(6, Math.ceil(scale)),
    patients: Math.max(1, Math.round(200 * scale)),
    threads: Math.max(1, Math.round(800 * scale)),
    appointments: Math.round(1000 * scale),
  };
}

/** Runs `insert` for every item in order, `CHUNK` items per transaction. */
async function inChunks<T>(
  store: ServerStore,
  items: readonly T[],
  insert: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += CHUNK) {
    await store.transaction(async () => {
      for (const item of items.slice(i, i + CHUNK)) await insert(item);
    });
  }
}

type PendingAudit = Omit<AuditRecord, 'id' | 'prevHash' | 'hash' | 'version'>;

export async function seedDemo(store: ServerStore, options: DemoOptions): Promise<DemoCounts> {
  const scale = options.scale ?? 1;
  const plan = demoPlan(scale);
  const rng = new Prng(options.seed ?? 0x5eed_c11c);
  const anchor = Date.parse(`${options.today}T00:00:00.000Z`);
  if (!Number.isFinite(anchor)) throw new Error('today must be YYYY-MM-DD');
  const location: LocationRecord = {
    id: 'loc-main',
    name: 'Main clinic',
    timeZone: options.timeZone ?? 'UTC',
    walkInMinutes: 30,
    version: 2,
  };
  const counts: DemoCounts = {
    providers: 0,
    staff: 0,
    patients: 0,
    threads: 0,
    messages: 0,
    attachments: 0,
    appointments: 0,
    auditEvents: 0,
  };
  const audits: PendingAudit[] = [];

  /* providers and staff */
  const providers: ProviderRecord[] = Array.from({ length: plan.providers }, (_, i) => {
    const base = BASE_PROVIDERS[i];
    return {
      id: `prv-${pad(i + 1, 3)}`,
      name: base?.name ?? `Dr. ${rng.pick(GIVEN_NAMES)} ${rng.pick(FAMILY_NAMES)}`,
      specialty: base?.specialty ?? rng.pick(SPECIALTIES),
      locationId: location.id,
      slotMinutes: base?.slotMinutes ?? rng.pick([15, 30]),
      dayStartMinute: 8 * 60,
      dayEndMinute: 17 * 60,
      version: 1,
    };
  });
  const passwords = options.passwords ?? new PasswordHasher();
  const portalHash = passwords.hashSync(DEMO_PORTAL_PASSWORD, rng.bytes(16));
  await store.transaction(async () => {
    await store.upsertLocation(location);
    for (const p of providers) await store.insertProvider(p);
    // issue 13a: visit types with their lengths and the providers who offer them
    const all = providers.map((p) => p.id);
    const thirty = providers.filter((p) => p.slotMinutes <= 30).map((p) => p.id);
    const fifteen = providers.filter((p) => 15 % p.slotMinutes === 0).map((p) => p.id);
    for (const vt of [
      { id: 'vt-new-patient', name: 'New patient', minutes: 60, providerIds: all },
      { id: 'vt-follow-up', name: 'Follow-up', minutes: 30, providerIds: thirty },
      { id: 'vt-vaccination', name: 'Vaccination', minutes: 15, providerIds: fifteen },
    ])
      await store.upsertVisitType({ ...vt, version: 1 });
    for (const s of DEMO_STAFF) {
      const record: StaffRecord = {
        id: s.id,
        username: s.username,
        displayName: s.displayName,
        role: s.role,
        providerId: s.providerId,
        version: 1,
      };
      await store.insertStaff(record, passwords.hashSync(s.password, rng.bytes(16)), s.totpSecret);
    }
    // Desks named in the demo's history only: no credential, so nothing can sign in or sync as them.
    for (const d of DEMO_DEVICES)
      await store.insertDevice({
        id: d.id,
        name: d.name,
        createdAt: iso(anchor - 90 * DAY),
        revokedAt: null,
        secretHash: null,
        enrolledBy: null,
      });
  });
  counts.providers = providers.length;
  counts.staff = DEMO_STAFF.length;

  /* patients (one shared portal password hash: demo only) */
  const patientIds = Array.from({ length: plan.patients }, (_, i) => `pat-${pad(i + 1, 6)}`);
  await inChunks(store, patientIds, (id) => {
    const n = Number(id.slice(4));
    const birth = Date.UTC(1938, 0, 1) + rng.int(0, 85 * 365) * DAY;
    return store.insertPatient(
      {
        id,
        mrn: demoMrn(n),
        givenName: rng.pick(GIVEN_NAMES),
        familyName: rng.pick(FAMILY_NAMES),
        birthDate: iso(birth).slice(0, 10),
        phone: rng.chance(0.85) ? `+1-555-01${pad(rng.int(0, 99), 2)}` : null,
        version: 1,
      },
      portalHash,
    );
  });
  counts.patients = patientIds.length;

  /* threads with messages, created over the last 60 days (more of them recently) */
  const clinicians = DEMO_STAFF.filter((s) => s.role === 'clinician');
  const repliers = DEMO_STAFF.filter((s) => s.role !== 'admin');
  const created = Array.from(
    { length: plan.threads },
    () => anchor - 2 * 60 * MINUTE - Math.floor(60 * DAY * rng.next() ** 1.6),
  ).sort((a, b) => a - b);
  let messageNo = 0;
  let attachmentNo = 0;
  const threadNos = created.map((_, i) => i);
  for (let start = 0; start < threadNos.length; start += 1000) {
    await store.transaction(async () => {
      for (const i of threadNos.slice(start, start + 1000)) {
        const createdMs = created[i]!;
        const threadId = `thr-${pad(i + 1, 6)}`;
        const patientId = rng.pick(patientIds);
        const topic = rng.pick(TOPICS);
        const n = rng.int(1, 4);
        // Gaps between messages, squeezed so the last one is still before today.
        const gaps = Array.from({ length: n - 1 }, () => rng.int(5, 18 * 60) * MINUTE);
        const room = anchor - MINUTE - createdMs;
        const total = gaps.reduce((a, b) => a + b, 0);
        const squeeze = total > room ? room / total : 1;
        const messages: MessageRecord[] = [];
        let at = createdMs;
        for (let k = 0; k < n; k++) {
          if (k > 0) at += Math.max(MINUTE, Math.floor(gaps[k - 1]! * squeeze));
          const staff = k % 2 === 1 ? (rng.chance(0.7) ? rng.pick(clinicians) : rng.pick(repliers)) : null;
          messageNo += 1;
          messages.push({
            id: `msg-${pad(messageNo, 7)}`,
            threadId,
            authorKind: staff ? 'staff' : 'patient',
            authorId: staff ? staff.id : patientId,
            body: k === 0 ? topic.body : staff ? rng.pick(STAFF_REPLIES) : rng.pick(PATIENT_FOLLOW_UPS),
            sentAt: iso(at),
            version: 1,
          });
          if (staff) {
            audits.push({
              at: iso(at),
              staffId: staff.id,
              role: staff.role,
              deviceId: DEVICE_OF[staff.id]!,
              action: 'create',
              entityType: 'thread',
              entityId: threadId,
              outcome: 'success',
              fields: ['messages'],
              actorKind: 'staff',
            });
          }
        }
        const last = messages[messages.length - 1]!;
        const priority = rng.weighted<Priority>([
          ['routine', 70],
          ['urgent', 15],
          ['asap', 10],
          ['stat', 5],
        ]);
        const waiting = last.authorKind === 'patient';
        const status: ThreadStatus = waiting
          ? n === 1 && rng.chance(0.6)
            ? 'new'
            : 'in_progress'
          : rng.chance(0.6)
            ? 'done'
            : 'in_progress';
        const lastStaff = [...messages].reverse().find((m) => m.authorKind === 'staff')?.authorId ?? null;
        const assigneeId =
          status === 'new'
            ? rng.chance(0.2)
              ? rng.pick(clinicians).id
              : null
            : (lastStaff ?? rng.pick(clinicians).id);
        const thread: ThreadRecord = {
          id: threadId,
          patientId,
          subject: topic.subject,
          status,
          priority,
          assigneeId,
          providerId: rng.chance(0.6) ? rng.pick(providers).id : null,
          createdAt: iso(createdMs),
          updatedAt: last.sentAt,
          lastMessageAt: last.sentAt,
          dueAt: waiting && status !== 'done' ? dueAt(last.sentAt, priority) : null,
          version: 1,
          // issue 14a: the topic routes the thread to its pool (the default pools of the schema migration)
          ...demoRouting(topic.subject),
        };
        await store.insertThread(thread);
        for (const m of messages) await store.insertMessage(m);
        if (rng.chance(0.06)) {
          const file = rng.pick(DEMO_ATTACHMENTS);
          attachmentNo += 1;
          const size = Buffer.from(file.contentBase64, 'base64').length;
          await store.insertAttachment({
            id: `att-${pad(attachmentNo, 6)}`,
            messageId: messages[0]!.id,
            ...file,
            size,
            version: 1,
          });
        }
        audits.push({
          at: thread.createdAt,
          staffId: null,
          role: null,
          deviceId: 'portal',
          action: 'create',
          entityType: 'thread',
          entityId: threadId,
          outcome: 'success',
          fields: ['subject', 'messages'],
          actorKind: 'patient',
        });
      }
    });
  }
  counts.threads = plan.threads;
  counts.messages = messageNo;
  counts.attachments = attachmentNo;

  counts.appointments = await seedAppointments(
    store,
    rng,
    providers,
    location,
    patientIds,
    options.today,
    plan.appointments,
  );

  /* audit trail in time order, one server hash chain */
  const writer = new AuditWriter(store, () => iso(anchor));
  audits.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  let auditNo = 0;
  await inChunks(store, audits, (event) => {
    auditNo += 1;
    return writer.write({ ...event, id: `aud-demo-${pad(auditNo, 7)}` });
  });
  counts.auditEvents = auditNo;
  return counts;
}

/** Spreads `target` appointments over provider-days, busier within two weeks of today. */
async function seedAppointments(
  store: ServerStore,
  rng: Prng,
  providers: ProviderRecord[],
  location: LocationRecord,
  patientIds: string[],
  today: string,
  target: number,
): Promise<number> {
  const cells: { provider: ProviderRecord; day: number; weight: number }[] = [];
  for (let day = -30; day <= 60; day++) {
    if (isoWeekday(addLocalDays(today, day)) > 5) continue;
    for (const provider of providers) cells.push({ provider, day, weight: Math.abs(day) <= 14 ? 4 : 1 });
  }
  const totalWeight = cells.reduce((sum, c) => sum + c.weight, 0);
  const records: AppointmentRecord[] = [];
  let carry = 0;
  for (const { provider, day, weight } of cells) {
    // Wall-clock slots at the clinic's location (issue 13a): a DST day keeps its 08:00 slots.
    const grid = slotGrid(provider, location, addLocalDays(today, day));
    const slots = grid.length;
    const wanted = (target * weight) / totalWeight + carry;
    const k = Math.min(slots, Math.floor(wanted));
    carry = wanted - k;
    // k distinct slots by a partial Fisher-Yates shuffle.
    const order = Array.from({ length: slots }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rng.next() * (slots - i));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const slot of order.slice(0, k).sort((a, b) => a - b)) {
      const cell = grid[slot]!;
      const status =
        day < 0
          ? rng.weighted<AppointmentRecord['status']>([
              ['fulfilled', 82],
              ['noshow', 6],
              ['cancelled', 12],
            ])
          : day === 0
            ? rng.weighted<AppointmentRecord['status']>([
                ['booked', 70],
                ['checked-in', 15],
                ['arrived', 5],
                ['cancelled', 10],
              ])
            : rng.weighted<AppointmentRecord['status']>([
                ['booked', 90],
                ['cancelled', 10],
              ]);
      const id = `apt-${pad(records.length + 1, 7)}`;
      records.push({
        id,
        patientId: rng.pick(patientIds),
        providerId: provider.id,
        start: cell.start,
        end: cell.end,
        status,
        reason: rng.pick(VISIT_REASONS),
        cancelReason: status === 'cancelled' ? rng.pick(CANCEL_REASONS) : null,
        virtualLink: rng.chance(0.1) ? `https://visit.example.org/room/${id}` : null,
        cancelCode: null,
        overlapReason: null,
        version: 1,
      });
    }
  }
  await inChunks(store, records, (r) => store.insertAppointment(r, 'console'));
  return records.length;
}
