/**
 * Sync test harness: the real portal backend in-process on 127.0.0.1, staff credentials obtained the real way
 * (device enrolment + password + TOTP, refresh on invalidate), patient portal calls, server and local snapshots
 * for convergence checks, and a bounded waitFor that re-checks on engine events.
 */
import type { Topic } from '../../src-shared/triage';
import type { AppointmentRecord, MessageRecord, PatientRecord, ThreadRecord } from '../../src-shared/domain';
import {
  type Change,
  DEVICE_CREDENTIAL_HEADER,
  type EntityName,
  type MutationOp,
  PullResponse,
  RegisterDeviceResponse,
  SYNC_ROUTES,
  TokenResponse,
} from '../../src-shared/sync';
import { totp, totpStep } from '../../src-shared/totp';
import type { Clock } from '../../src-main/base/adapters';
import type { SyncEngine } from '../../src-main/sync/engine';
import { type MutationEntity, recordLocalMutation } from '../../src-main/sync/local-mutations';
import type { SyncCredentials } from '../../src-main/sync/types';
import { appointmentRecordOf, type AppointmentRow } from '../../src-main/store/repos/appointments';
import { threadRecordOf, type ThreadRow } from '../../src-main/store/repos/threads';
import type { Store } from '../../src-main/store/store';
import {
  messageFromRow,
  patientFromRow,
  type MessageRecordRow,
  type PatientRecordRow,
} from '../../src-shared/record-rows';
import { type PortalServer, buildServer } from '../../server/app';
import { DEMO_PORTAL_PASSWORD, demoMrn, demoStaff } from '../../server/demo/credentials';
import { bookedAppointment } from './fixtures';
import { TEST_PASSWORD_COST, TEST_SIGN_IN_LIMITS } from './sign-in-limits';
import type { TestStore } from './sync-store';
import { tempDir } from './tmp';

/** The demo's "today": fixed, so seeded data and free slots are the same on every run. */
export const DEMO_TODAY = '2026-11-23';

export interface TestServer {
  url: string;
  server: PortalServer;
  dataDir: string;
  /** The server's clock (real time plus an offset moved forward to allow a second TOTP sign-in). */
  now(): number;
  /** A fresh TOTP code for a demo staff member, moving the server clock past the last step used. */
  totpFor(username: string): string;
  /** Stop the server and start it again on the same port and data folder (a restarted backend). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real backend in this process on 127.0.0.1. `database`: a PostgreSQL URL (several instances may share one;
 * the first seeds the demo, later ones find it there); default: SQLite in a temporary folder.
 */
export async function startTestServer(
  options: { scale?: number; database?: string } = {},
): Promise<TestServer> {
  const { dir, cleanup } = tempDir('clinic-sync-server-');
  let offset = 0;
  const now = () => Date.now() + offset;
  const build = () =>
    buildServer({
      dataDir: dir,
      database: options.database,
      demo: true,
      scale: options.scale ?? 0.05,
      today: DEMO_TODAY,
      now,
      signInLimits: TEST_SIGN_IN_LIMITS,
      passwordCost: TEST_PASSWORD_COST,
    });
  let server = await build();
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  const port = Number(new URL(url).port);
  const lastStep = new Map<string, number>();
  return {
    url,
    get server() {
      return server;
    },
    async restart() {
      await server.close();
      server = await build();
      await server.listen({ host: '127.0.0.1', port });
    },
    dataDir: dir,
    now,
    totpFor(username) {
      // The server refuses a TOTP step it already accepted for this account (replay): use a later one.
      const last = lastStep.get(username) ?? -1;
      const step = totpStep(now());
      if (step <= last) offset += (last - step + 1) * 30_000;
      lastStep.set(username, totpStep(now()));
      return totp(demoStaff(username).totpSecret, now());
    },
    async close() {
      await server.close();
      cleanup();
    },
  };
}

/** An enrolled device's id and secret (the console keeps the secret in its encrypted store). */
export interface DeviceCred {
  deviceId: string;
  deviceSecret: string;
}

/** The `x-clinic-device` header of a device. */
export const deviceHeader = (d: DeviceCred): Record<string, string> => ({
  [DEVICE_CREDENTIAL_HEADER]: `${d.deviceId}:${d.deviceSecret}`,
});

/** The device each access token issued through this harness belongs to (serverSnapshot sends its credential). */
const deviceOfToken = new Map<string, DeviceCred>();

async function postJson(
  url: string,
  body: unknown,
  token?: string,
  device?: DeviceCred,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(device ? deviceHeader(device) : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
}

/**
 * Enrol a device the real way: the demo admin's password and a TOTP code (`adminCode`; by default the code of
 * the current real-time step, for servers on the real clock).
 */
export async function enrolDevice(serverUrl: string, name: string, adminCode?: string): Promise<DeviceCred> {
  const admin = demoStaff('admin1');
  const enrol = await postJson(serverUrl + SYNC_ROUTES.registerDevice, {
    name,
    username: 'admin1',
    password: admin.password,
    totp: adminCode ?? totp(admin.totpSecret, Date.now()),
  });
  if (enrol.status !== 201)
    throw new Error(`device enrolment failed: ${enrol.status} ${JSON.stringify(enrol.json)}`);
  return RegisterDeviceResponse.parse(enrol.json);
}

/**
 * SyncCredentials backed by the real server: sign-in with password + TOTP, refresh-token rotation after
 * invalidateToken(). Counts refreshes so tests can prove the 401 path ran.
 */
export class TestCredentials implements SyncCredentials {
  refreshes = 0;
  private access: string | null = null;
  private refreshToken: string | null = null;
  private stale = false;
  staffId = '';

  constructor(
    /** Where auth requests go (the real server, not a fault proxy). */
    public authUrl: string,
    readonly device: DeviceCred,
  ) {}

  static async signIn(
    server: TestServer,
    username: string,
    deviceName = `desk of ${username}`,
  ): Promise<TestCredentials> {
    const device = await enrolDevice(server.url, deviceName, server.totpFor('admin1'));
    const creds = new TestCredentials(server.url, device);
    await creds.signIn(username, server.totpFor(username));
    return creds;
  }

  /** Credentials from tokens obtained elsewhere (a child process gets them through its environment). */
  static fromTokens(
    authUrl: string,
    device: DeviceCred,
    staffId: string,
    access: string,
    refresh: string,
  ): TestCredentials {
    const creds = new TestCredentials(authUrl, device);
    creds.staffId = staffId;
    creds.access = access;
    creds.refreshToken = refresh;
    return creds;
  }

  async signIn(username: string, code: string): Promise<void> {
    const res = await postJson(
      this.authUrl + SYNC_ROUTES.signIn,
      {
        username,
        password: demoStaff(username).password,
        totp: code,
        deviceId: this.device.deviceId,
      },
      undefined,
      this.device,
    );
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.json)}`);
    const tokens = TokenResponse.parse(res.json);
    deviceOfToken.set(tokens.accessToken, this.device);
    this.access = tokens.accessToken;
    this.refreshToken = tokens.refreshToken;
    this.staffId = tokens.staff.id;
  }

  get tokens(): { access: string; refresh: string } {
    return { access: this.access ?? '', refresh: this.refreshToken ?? '' };
  }

  deviceId(): string | null {
    return this.device.deviceId;
  }

  deviceSecret(): string | null {
    return this.device.deviceSecret;
  }

  async accessToken(): Promise<string | null> {
    if (this.stale && this.refreshToken) {
      this.stale = false;
      const res = await postJson(
        this.authUrl + SYNC_ROUTES.refresh,
        { refreshToken: this.refreshToken },
        undefined,
        this.device,
      );
      if (res.status !== 200) return null;
      const tokens = TokenResponse.parse(res.json);
      deviceOfToken.set(tokens.accessToken, this.device);
      this.access = tokens.accessToken;
      this.refreshToken = tokens.refreshToken;
      this.refreshes++;
    }
    return this.access;
  }

  invalidateToken(): void {
    this.stale = true;
  }

  /** Test hook: make the current access token wrong, as if it had expired on the server. */
  corruptAccessToken(): void {
    this.access = 'x'.repeat(43);
  }
}

/* ---------------- patient portal ---------------- */

export interface Patient {
  token: string;
  patientId: string;
}

export async function patientSignIn(serverUrl: string, n: number): Promise<Patient> {
  const res = await postJson(serverUrl + SYNC_ROUTES.portalSignIn, {
    mrn: demoMrn(n),
    password: DEMO_PORTAL_PASSWORD,
  });
  if (res.status !== 200) throw new Error(`portal sign-in failed: ${res.status}`);
  return res.json as Patient;
}

export async function patientNewThread(
  serverUrl: string,
  p: Patient,
  subject: string,
  body: string,
  /** issue 14a: the portal topic the patient picks (absent: a clinical question). */
  topic?: Topic,
): Promise<string> {
  const res = await postJson(
    serverUrl + SYNC_ROUTES.portalThreads,
    { subject, body, ...(topic ? { topic } : {}) },
    p.token,
  );
  if (res.status !== 201) throw new Error(`new thread failed: ${res.status}`);
  return (res.json as { thread: { id: string } }).thread.id;
}

export async function patientMessage(
  serverUrl: string,
  p: Patient,
  threadId: string,
  body: string,
): Promise<void> {
  const res = await postJson(
    serverUrl + SYNC_ROUTES.portalMessages.replace(':threadId', threadId),
    { body },
    p.token,
  );
  if (res.status !== 201) throw new Error(`portal message failed: ${res.status}`);
}

export async function patientRequestAppointment(
  serverUrl: string,
  p: Patient,
  slot: { providerId: string; start: string; end: string },
): Promise<{ status: number; id: string | null }> {
  const res = await postJson(
    serverUrl + SYNC_ROUTES.portalAppointments,
    { ...slot, reason: 'Portal request' },
    p.token,
  );
  return { status: res.status, id: (res.json as { appointment?: { id: string } }).appointment?.id ?? null };
}

/* ---------------- snapshots ---------------- */

export interface Snapshot {
  patients: Map<string, PatientRecord>;
  threads: Map<string, ThreadRecord>;
  messages: Map<string, MessageRecord>;
  appointments: Map<string, AppointmentRecord>;
}

/** The server's current state of everything, read the way a brand-new console would: pull from cursor 0. */
export async function serverSnapshot(
  serverUrl: string,
  token: string,
): Promise<Snapshot & { all: Map<string, Change> }> {
  const snap = {
    patients: new Map(),
    threads: new Map(),
    messages: new Map(),
    appointments: new Map(),
    all: new Map(),
  };
  let cursor = '0';
  for (;;) {
    const res = await fetch(`${serverUrl}${SYNC_ROUTES.pull}?after=${cursor}&limit=5000`, {
      headers: {
        authorization: `Bearer ${token}`,
        ...(deviceOfToken.has(token) ? deviceHeader(deviceOfToken.get(token)!) : {}),
      },
    });
    if (res.status !== 200) throw new Error(`pull failed: ${res.status}`);
    const batch = PullResponse.parse(await res.json());
    for (const c of batch.changes) {
      snap.all.set(`${c.entity}:${c.id}`, c);
      const table = (
        {
          patient: 'patients',
          thread: 'threads',
          message: 'messages',
          appointment: 'appointments',
        } as Partial<Record<EntityName, keyof Snapshot>>
      )[c.entity];
      if (!table) continue;
      if (c.data) snap[table].set(c.id, c.data);
      else snap[table].delete(c.id);
    }
    cursor = batch.cursor;
    if (!batch.hasMore) return snap;
  }
}

/** Everything a console holds, as domain records (read-only SQL in a test helper, never in the engine). */
export function localSnapshot(store: Store): Snapshot {
  const all = <T>(sql: string) => store.db.prepare(sql).all() as T[];
  return {
    patients: new Map(all<PatientRecordRow>('SELECT * FROM patients').map((r) => [r.id, patientFromRow(r)])),
    threads: new Map(all<ThreadRow>('SELECT * FROM threads').map((r) => [r.id, threadRecordOf(r)])),
    messages: new Map(all<MessageRecordRow>('SELECT * FROM messages').map((r) => [r.id, messageFromRow(r)])),
    appointments: new Map(
      all<AppointmentRow>('SELECT * FROM appointments').map((r) => [r.id, appointmentRecordOf(r)]),
    ),
  };
}

/** Records as sorted plain arrays, so a failed comparison shows a readable diff. */
export function sorted<T extends { id: string }>(m: Map<string, T>): T[] {
  return [...m.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/* ---------------- waiting ---------------- */

/**
 * Wait until `check` is true: re-checked whenever one of the engines reports status or changes, and at a short
 * interval for conditions no engine reports (server-side state); fails after `timeoutMs` naming `what`.
 */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; engines?: SyncEngine[]; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let wake: (() => void) | null = null;
  const poke = () => wake?.();
  const offs = (options.engines ?? []).flatMap((e) => [e.onStatus(poke), e.onChanged(poke)]);
  try {
    for (;;) {
      if (await check()) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for: ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(options.intervalMs ?? 25, left));
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
      });
    }
  } finally {
    for (const off of offs) off();
  }
}

/** Run syncNow until it succeeds with an empty outbox (bounded), for consoles behind faults that clear. */
export async function syncUntilClean(engine: SyncEngine, store: Store, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    'a clean sync',
    async () => {
      try {
        await engine.syncNow();
        return store.outbox.count() === 0;
      } catch {
        return false;
      }
    },
    { timeoutMs, engines: [engine] },
  );
}

/**
 * Booked visits under way now (started a minute ago), one per id and provider, written straight into the
 * backend's store (issue 13a: a check-in is accepted only on the visit's day, a no-show only once it started;
 * the seeded schedule is anchored on DEMO_TODAY while these servers run on real time).
 */
export async function insertVisitsUnderWay(
  server: TestServer,
  visits: readonly { id: string; providerId: string; patientId: string }[],
): Promise<void> {
  const start = new Date(Math.floor((server.now() - 60_000) / 60_000) * 60_000).toISOString();
  const end = new Date(Date.parse(start) + 15 * 60_000).toISOString();
  for (const v of visits) {
    await server.server.store.insertAppointment(
      bookedAppointment({ ...v, start, end, reason: 'Walk-in' }),
      'console',
    );
  }
}

/** A bookable slot of a provider on a day far past the seeded schedule, so it starts out free. */
export function freeSlot(
  provider: { id: string; slotMinutes: number; dayStartMinute: number },
  dayOffset: number,
  slotIndex: number,
): { providerId: string; start: string; end: string } {
  const day = Date.parse(`${DEMO_TODAY}T00:00:00.000Z`) + (120 + dayOffset) * 86_400_000;
  const start = day + (provider.dayStartMinute + slotIndex * provider.slotMinutes) * 60_000;
  return {
    providerId: provider.id,
    start: new Date(start).toISOString(),
    end: new Date(start + provider.slotMinutes * 60_000).toISOString(),
  };
}

/* ---------------- a console's fetch, intercepted ---------------- */

/**
 * What a test does with a console's push: `forward` it to the real server, or answer it without the server
 * (a refusal the server cannot be made to give, e.g. a conflict without `current`). `before` runs as the push
 * leaves (e.g. a local change made while it is in flight).
 */
export interface PushHooks {
  /** Called with the push body before it is sent; a Response returned is the answer, the server never sees it. */
  answer?: (body: { deviceId: string; mutations: { id: string }[] }) => Response | undefined;
  /** Called while the push is in flight (after it left, before its answer is read). */
  inFlight?: (body: { deviceId: string; mutations: { id: string }[] }) => void | Promise<void>;
}

/** A fetch for a console's SyncEngine that applies `hooks` to POST /sync/push and passes everything else. */
export function pushInterceptor(hooks: () => PushHooks): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.includes(SYNC_ROUTES.push) || init?.method !== 'POST' || typeof init.body !== 'string') {
      return fetch(input, init);
    }
    const body = JSON.parse(init.body) as { deviceId: string; mutations: { id: string }[] };
    const h = hooks();
    const canned = h.answer?.(body);
    if (canned) return canned;
    const pending = fetch(input, init);
    await h.inFlight?.(body);
    return pending;
  };
}

/** A JSON Response as a server would send it. */
export const jsonResponse = (status: number, json: unknown): Response =>
  new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } });

/** A console in a sync test: its own encrypted store, the credentials it signed in with, its sync engine. */
export interface SyncedConsole {
  name: string;
  t: TestStore;
  creds: TestCredentials;
  engine: SyncEngine;
}

/**
 * A local change as the console makes one: written with its outbox row (base version = the record's local
 * version; none for a booking), attributed to the console's signed-in person, then a push kicked off.
 * Returns the mutation id.
 */
export function writeLocalChange(
  c: SyncedConsole,
  clock: Clock,
  entity: MutationEntity,
  entityId: string,
  mutation: MutationOp,
): string {
  const base =
    entity === 'appointment'
      ? c.t.store.appointments.byId(entityId)?.version
      : c.t.store.threads.byId(entityId)?.version;
  const id = recordLocalMutation(c.t.store, clock, {
    entity,
    entityId,
    baseVersion: mutation.op === 'appointment.book' ? null : (base ?? null),
    staffId: c.creds.staffId,
    mutation,
  });
  c.engine.kick();
  return id;
}
