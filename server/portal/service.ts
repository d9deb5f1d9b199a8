/**
 * The patient portal: a patient signs in with MRN + password and sees only their own threads and
 * appointments. Every action writes an audit event with actorKind 'patient' (device 'portal').
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type {
  AppointmentRecord,
  AuditAction,
  AuditEntityType,
  MessageRecord,
  ThreadRecord,
} from '../../src-shared/domain';
import type { PortalAppointmentRequest, PortalNewThread, PortalSignInRequest } from '../../src-shared/sync';
import { base32Encode, matchTotpStep, totpUri } from '../../src-shared/totp';
import { recordFailure, retryAfterAny } from '../auth/throttle';
import { PORTAL_TOKEN_SECONDS, bearer, hashToken, newToken } from '../auth/tokens';
import type { ServerContext } from '../context';
import { HttpError } from '../http/errors';
import { normalizeIso, transitionProblem } from '../../src-shared/schedule-rules';
import { gridProblem, providerClosedProblem } from '../schedule/bookable';
import { DEFAULT_SLA, dueAt, poolForTopic } from '../../src-shared/triage';
import { checkAttachment } from './attachments';

/**
 * The most upcoming visits (slot-holding, starting after the server's now) a patient may hold booked through the
 * portal at once; the desk can book more (a course of visits), and a cancelled or past visit frees a place.
 * Source: the review finding (session 6: one patient could hold unlimited future visits), set as portals let
 * clinics set it (e.g. Wolf EMR's "Maximum number of web bookable appointments"; Cliniko offers 1–5, 10, 15…).
 * A documented constant until clinics ask to set it (it would join the clinic settings then).
 */
export const PORTAL_UPCOMING_VISITS_MAX = 5;

export interface PortalMessageView {
  id: string;
  authorKind: 'patient' | 'staff';
  authorName: string;
  body: string;
  sentAt: string;
  attachments: { id: string; fileName: string; mimeType: string; size: number }[];
}

export interface PortalThreadView {
  id: string;
  subject: string;
  status: ThreadRecord['status'];
  createdAt: string;
  updatedAt: string;
  lastMessageAt: string;
  messages: PortalMessageView[];
}

export type PortalAppointmentView = AppointmentRecord & { providerName: string };

const PORTAL_DEVICE = 'portal';
const NOT_FOUND = () => new HttpError(404, 'NOT_FOUND', 'Not found.');

async function patientAudit(
  ctx: ServerContext,
  action: AuditAction,
  entityType: AuditEntityType,
  entityId: string | null,
  fields: string[] = [],
  outcome: 'success' | 'failure' = 'success',
): Promise<void> {
  await ctx.audit.write({
    staffId: null,
    role: null,
    deviceId: PORTAL_DEVICE,
    action,
    entityType,
    entityId,
    outcome,
    fields,
    actorKind: 'patient',
  });
}

/**
 * Patient portal sign-in: MRN + password, and once the patient turned on multi-factor sign-in a TOTP code (a
 * step after the last one accepted: replays refused) or one unused recovery code. Every attempt on a known MRN
 * goes into the patient's login history (time, client, outcome) besides the audit trail.
 * @param client the client as seen by the server (address and user agent), for the login history
 * @throws HttpError 429 THROTTLED, 401 UNAUTHENTICATED, 401 MFA_REQUIRED (password right, code missing)
 */
export async function portalSignIn(
  ctx: ServerContext,
  req: z.infer<typeof PortalSignInRequest>,
  client: string,
): Promise<{ token: string; patientId: string }> {
  const { store } = ctx;
  const keys = [`mrn:${req.mrn.toLowerCase()}`];
  const wait = await retryAfterAny(store, keys, ctx.now());
  const known = await store.patientAuthByMrn(req.mrn);
  const fail = async (method: string, error: HttpError): Promise<never> => {
    await store.transaction(async () => {
      await patientAudit(ctx, 'failed-sign-in', 'session', known?.record.id ?? null, [], 'failure');
      if (known) {
        await store.insertPatientLogin({
          patientId: known.record.id,
          at: ctx.nowIso(),
          client,
          outcome: 'failure',
          method,
        });
      }
    });
    throw error;
  };
  if (wait > 0) {
    await fail(
      'password',
      new HttpError(429, 'THROTTLED', `Too many failed sign-ins. Try again in ${wait} seconds.`, wait),
    );
  }
  await recordFailure(store, keys, ctx.now());
  const check = await ctx.passwords.verify(req.password, known?.portalPasswordHash ?? null);
  const rehash = check.needsRehash ? await ctx.passwords.hash(req.password) : null;
  if (!check.ok || !known)
    return fail('password', new HttpError(401, 'UNAUTHENTICATED', 'Wrong MRN or password.'));

  // Re-read after the awaits: a parallel sign-in may have used a TOTP step or a recovery code meanwhile.
  const mfa = await store.patientMfa(known.record.id);
  let method = 'password';
  let step: number | null = null;
  let recoveryHash: string | null = null;
  if (mfa?.enabled) {
    if (req.totp !== undefined) {
      method = 'password+totp';
      step = matchTotpStep(mfa.secret, req.totp, ctx.now());
      if (step === null || step <= mfa.lastStep)
        return fail(method, new HttpError(401, 'UNAUTHENTICATED', 'Wrong MRN, password or code.'));
    } else if (req.recoveryCode !== undefined) {
      method = 'password+recovery-code';
      recoveryHash = hashRecoveryCode(req.recoveryCode);
    } else {
      return fail(
        'password',
        new HttpError(
          401,
          'MFA_REQUIRED',
          'Enter the 6-digit code from your authenticator app, or a recovery code.',
        ),
      );
    }
  }
  const token = newToken();
  const spent = await store.transaction(async () => {
    if (recoveryHash !== null && !(await store.useRecoveryCode(known.record.id, recoveryHash, ctx.nowIso())))
      return false;
    if (step !== null) {
      // Re-checked inside the transaction: a parallel sign-in (on any instance) may have used this step.
      const fresh = await store.patientMfa(known.record.id);
      if (!fresh || step <= fresh.lastStep) return false;
      await store.setPatientMfaLastStep(known.record.id, step);
    }
    for (const key of keys) await store.clearAuthFailures(key);
    if (rehash !== null) await store.setPortalPasswordHash(known.record.id, rehash);
    await store.insertPortalToken(hashToken(token), {
      patientId: known.record.id,
      expiresAt: ctx.now() + PORTAL_TOKEN_SECONDS * 1000,
    });
    await store.insertPatientLogin({
      patientId: known.record.id,
      at: ctx.nowIso(),
      client,
      outcome: 'success',
      method,
    });
    await patientAudit(ctx, 'sign-in', 'session', known.record.id);
    return true;
  });
  if (!spent) return fail(method, new HttpError(401, 'UNAUTHENTICATED', 'Wrong MRN, password or code.'));
  return { token, patientId: known.record.id };
}

/** Recovery codes are stored as SHA-256 of their lower-case form (they are random, 64 bits each). */
const hashRecoveryCode = (code: string): string => hashToken(code.toLowerCase());

/** Issuer shown in authenticator apps. */
export const MFA_ISSUER = 'Clinic Portal';

/** Starts TOTP setup: a new 160-bit secret (not active until a code proves it), and its otpauth:// URI. */
export async function mfaSetup(
  ctx: ServerContext,
  patientId: string,
): Promise<{ secret: string; otpauthUri: string }> {
  const patient = (await ctx.store.patient(patientId))!;
  const secret = base32Encode(randomBytes(20));
  await ctx.store.transaction(async () => {
    await ctx.store.setPatientMfaSecret(patientId, secret);
    await patientAudit(ctx, 'update', 'patient', patientId, ['mfa']);
  });
  return { secret, otpauthUri: totpUri(secret, MFA_ISSUER, patient.mrn) };
}

/**
 * Turns TOTP on once the patient proves a code of the new secret; answers 10 one-time recovery codes (shown
 * once, stored as hashes). 409 when there is no pending secret, 401 for a wrong code.
 */
export async function mfaEnable(
  ctx: ServerContext,
  patientId: string,
  code: string,
): Promise<{ recoveryCodes: string[] }> {
  const mfa = await ctx.store.patientMfa(patientId);
  if (!mfa) throw new HttpError(409, 'CONFLICT', 'Start the set-up first.');
  const step = matchTotpStep(mfa.secret, code, ctx.now());
  if (step === null || step <= mfa.lastStep) throw new HttpError(401, 'UNAUTHENTICATED', 'Wrong code.');
  const recoveryCodes = Array.from({ length: 10 }, () =>
    (randomBytes(8).toString('hex').match(/.{4}/g) ?? []).join('-'),
  );
  await ctx.store.transaction(async () => {
    await ctx.store.enablePatientMfa(patientId, step, recoveryCodes.map(hashRecoveryCode));
    await patientAudit(ctx, 'update', 'patient', patientId, ['mfa']);
  });
  return { recoveryCodes };
}

/** The patient's own sign-in attempts, newest first (at most 100). */
export async function loginHistory(ctx: ServerContext, patientId: string) {
  return {
    logins: (await ctx.store.patientLogins(patientId, 100)).map(({ at, client, outcome, method }) => ({
      at,
      client,
      outcome,
      method,
    })),
  };
}

export async function authenticatePatient(
  ctx: ServerContext,
  header: string | string[] | undefined,
): Promise<string> {
  const row = await ctx.store.portalToken(hashToken(bearer(header)));
  if (!row || row.expiresAt <= ctx.now())
    throw new HttpError(401, 'UNAUTHENTICATED', 'Portal session expired or unknown.');
  return row.patientId;
}

async function threadView(ctx: ServerContext, thread: ThreadRecord): Promise<PortalThreadView> {
  const attachments = await ctx.store.attachmentsOfThread(thread.id);
  const patient = await ctx.store.patient(thread.patientId);
  const messages = await ctx.store.messagesOfThread(thread.id);
  const staffNames = new Map<string, string>();
  for (const m of messages) {
    if (m.authorKind === 'staff' && !staffNames.has(m.authorId))
      staffNames.set(m.authorId, (await ctx.store.staff(m.authorId))?.displayName ?? 'Clinic staff');
  }
  const authorName = (m: MessageRecord): string => {
    if (m.authorKind === 'patient') return patient ? `${patient.givenName} ${patient.familyName}` : 'You';
    return staffNames.get(m.authorId)!;
  };
  return {
    id: thread.id,
    subject: thread.subject,
    status: thread.status,
    createdAt: thread.createdAt,
    updatedAt: thread.updatedAt,
    lastMessageAt: thread.lastMessageAt,
    messages: messages.map((m) => ({
      id: m.id,
      authorKind: m.authorKind,
      authorName: authorName(m),
      body: m.body,
      sentAt: m.sentAt,
      attachments: attachments
        .filter((a) => a.messageId === m.id)
        .map((a) => ({ id: a.id, fileName: a.fileName, mimeType: a.mimeType, size: a.size })),
    })),
  };
}

/** The patient's threads, newest first; each one read is an audit event on that thread. */
export async function listThreads(ctx: ServerContext, patientId: string): Promise<PortalThreadView[]> {
  return ctx.store.transaction(async () => {
    const views: PortalThreadView[] = [];
    for (const thread of await ctx.store.threadsOfPatient(patientId, 100)) {
      await patientAudit(ctx, 'read', 'thread', thread.id);
      views.push(await threadView(ctx, thread));
    }
    return views;
  });
}

export async function newThread(
  ctx: ServerContext,
  patientId: string,
  input: z.output<typeof PortalNewThread>,
): Promise<PortalThreadView> {
  const content = input.attachment
    ? checkAttachment(input.attachment.fileName, input.attachment.mimeType, input.attachment.contentBase64)
    : null;
  return ctx.store.transaction(async () => {
    const now = ctx.nowIso();
    // issue 14a: the topic routes the thread to the clinic's pool for it; its SLA sets the due time.
    const topic = input.topic ?? 'clinical-question';
    const pool = poolForTopic(await ctx.store.pools(), topic);
    const thread: ThreadRecord = {
      id: randomUUID(),
      patientId,
      subject: input.subject,
      status: 'new',
      priority: 'routine',
      assigneeId: null,
      providerId: null,
      createdAt: now,
      updatedAt: now,
      lastMessageAt: now,
      dueAt: dueAt(now, 'routine', pool?.sla ?? DEFAULT_SLA),
      version: 1,
      topic,
      poolId: pool?.id ?? null,
    };
    await ctx.store.insertThread(thread);
    const messageId = randomUUID();
    await ctx.store.insertMessage({
      id: messageId,
      threadId: thread.id,
      authorKind: 'patient',
      authorId: patientId,
      body: input.body,
      sentAt: now,
      version: 1,
    });
    if (input.attachment && content) {
      await ctx.store.insertAttachment({
        id: randomUUID(),
        messageId,
        fileName: input.attachment.fileName,
        mimeType: input.attachment.mimeType.toLowerCase(),
        size: content.length,
        contentBase64: content.toString('base64'),
        version: 1,
      });
    }
    await patientAudit(ctx, 'create', 'thread', thread.id, [
      'subject',
      'messages',
      ...(content ? ['attachments'] : []),
    ]);
    return threadView(ctx, thread);
  });
}

export async function postMessage(
  ctx: ServerContext,
  patientId: string,
  threadId: string,
  body: string,
): Promise<PortalMessageView> {
  return ctx.store.transaction(async () => {
    const thread = await ctx.store.thread(threadId);
    // Someone else's thread is "not found", so thread ids cannot be probed.
    if (!thread || thread.patientId !== patientId) throw NOT_FOUND();
    const now = ctx.nowIso();
    const message: MessageRecord = {
      id: randomUUID(),
      threadId,
      authorKind: 'patient',
      authorId: patientId,
      body,
      sentAt: now,
      version: 1,
    };
    await ctx.store.insertMessage(message);
    // The pool's SLA (issue 14 §2: set by the clinic per pool), as for the thread's first message (review 4).
    const pool = thread.poolId ? await ctx.store.triagePool(thread.poolId) : null;
    await ctx.store.updateThread({
      ...thread,
      // A patient writing into a closed thread reopens it for the clinic.
      status: thread.status === 'done' ? 'new' : thread.status,
      lastMessageAt: now,
      updatedAt: now,
      dueAt: thread.dueAt ?? dueAt(now, thread.priority, pool?.sla ?? DEFAULT_SLA),
      version: thread.version + 1,
    });
    await patientAudit(ctx, 'create', 'thread', threadId, ['messages']);
    const patient = await ctx.store.patient(patientId);
    return {
      id: message.id,
      authorKind: 'patient',
      authorName: patient ? `${patient.givenName} ${patient.familyName}` : 'You',
      body,
      sentAt: now,
      attachments: [],
    };
  });
}

async function appointmentView(ctx: ServerContext, a: AppointmentRecord): Promise<PortalAppointmentView> {
  return { ...a, providerName: (await ctx.store.provider(a.providerId))?.name ?? '' };
}

export async function listAppointments(
  ctx: ServerContext,
  patientId: string,
): Promise<PortalAppointmentView[]> {
  return ctx.store.transaction(async () => {
    await patientAudit(ctx, 'read', 'patient', patientId, ['appointments']);
    const names = new Map((await ctx.store.providers()).map((p) => [p.id, p.name]));
    return (await ctx.store.appointmentsOfPatient(patientId, 500)).map((a) => ({
      ...a,
      providerName: names.get(a.providerId) ?? '',
    }));
  });
}

export async function requestAppointment(
  ctx: ServerContext,
  patientId: string,
  input: z.output<typeof PortalAppointmentRequest>,
): Promise<PortalAppointmentView> {
  return ctx.store.transaction(async () => {
    const provider = await ctx.store.provider(input.providerId);
    if (!provider) throw NOT_FOUND();
    // Session 8, sec8 (review 8): a provider whose account was deactivated takes no new bookings.
    const closed = await providerClosedProblem(ctx.store, provider);
    if (closed) throw new HttpError(409, 'CONFLICT', closed);
    const start = normalizeIso(input.start);
    const end = normalizeIso(input.end);
    if (!start || !end) throw new HttpError(400, 'VALIDATION', 'The start or end time is not a real time.');
    if (Date.parse(start) <= ctx.now())
      throw new HttpError(400, 'VALIDATION', 'Appointments can only be requested in the future.');
    const problem = await gridProblem(ctx.store, provider, start, end);
    if (problem) throw new HttpError(400, 'VALIDATION', problem);
    // review 6 D7: a request is as long as a visit the provider offers (or one slot where they offer none), so
    // one request cannot hold a provider's day; and a patient holds one visit at a time.
    const minutes = (Date.parse(end) - Date.parse(start)) / 60_000;
    const offered = (await ctx.store.visitTypes())
      .filter((t) => t.providerIds.includes(provider.id))
      .map((t) => t.minutes);
    const lengths = offered.length > 0 ? offered : [provider.slotMinutes];
    if (!lengths.includes(minutes))
      throw new HttpError(
        400,
        'VALIDATION',
        `A visit with this provider takes ${[...new Set(lengths)].sort((a, b) => a - b).join(', ')} minutes.`,
      );
    if ((await ctx.store.patientVisitsOverlapping(patientId, start, end, null)).length > 0)
      throw new HttpError(409, 'CONFLICT', 'You already have a visit at that time.');
    // Counted inside the write transaction (serialized on both stores), so parallel requests cannot pass it.
    if (
      (await ctx.store.patientUpcomingVisitCount(patientId, ctx.nowIso(), 'portal')) >=
      PORTAL_UPCOMING_VISITS_MAX
    )
      throw new HttpError(
        409,
        'CONFLICT',
        `You already have ${PORTAL_UPCOMING_VISITS_MAX} upcoming visits booked online, the most the clinic allows. ` +
          'Please call the clinic to book another.',
      );
    if (await ctx.store.findSlotHolder(provider.id, start, end, null)) {
      throw new HttpError(409, 'CONFLICT', 'That time is no longer available. Please choose another time.');
    }
    const record: AppointmentRecord = {
      id: randomUUID(),
      patientId,
      providerId: provider.id,
      start,
      end,
      status: 'booked',
      reason: input.reason,
      cancelReason: null,
      virtualLink: null,
      version: 1,
      cancelCode: null,
      overlapReason: null,
    };
    await ctx.store.insertAppointment(record, 'portal');
    await patientAudit(ctx, 'create', 'appointment', record.id, ['providerId', 'start', 'end', 'reason']);
    return appointmentView(ctx, record);
  });
}

export async function cancelAppointment(
  ctx: ServerContext,
  patientId: string,
  appointmentId: string,
): Promise<PortalAppointmentView> {
  return ctx.store.transaction(async () => {
    const current = await ctx.store.appointment(appointmentId);
    if (!current || current.patientId !== patientId) throw NOT_FOUND();
    const problem = transitionProblem(current, 'cancel');
    if (problem) throw new HttpError(409, 'CONFLICT', problem);
    if (Date.parse(current.start) <= ctx.now()) {
      throw new HttpError(
        409,
        'CONFLICT',
        'A past appointment cannot be cancelled online. Please call the clinic.',
      );
    }
    const next: AppointmentRecord = {
      ...current,
      status: 'cancelled',
      cancelReason: 'Cancelled by the patient',
      version: current.version + 1,
    };
    await ctx.store.updateAppointment(next);
    await patientAudit(ctx, 'update', 'appointment', appointmentId, ['status', 'cancelReason']);
    return appointmentView(ctx, next);
  });
}
