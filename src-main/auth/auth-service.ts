import type { BreakGlassGrant } from '../../src-shared/triage';
import { ApiError } from '../../src-shared/errors';
import type { ScryptCost } from '../../src-shared/password-rules';
import {
  DEVICE_REVOKED_MESSAGE,
  type AuditAlertRecord,
  type EnrolledDevice,
  type TokenResponse,
} from '../../src-shared/sync';
import type { AuditLog } from '../audit';
import type { Clock } from '../base/adapters';
import type { Settings } from '../settings/settings';
import type { Store } from '../store/store';
import { PortalTransport } from '../sync/transport';
import type { SyncCredentials } from '../sync/types';
import { PortalAuthClient, PortalError } from './portal-client';
import type { LockReason } from '../lock/lock-controller';
import type { ActiveSession, Actor } from './session';
import { LOCKOUT_AFTER, waitRemaining } from './throttle';
import { checkVerifier, makeVerifier, verifierNeedsUpgrade } from './verifier';

/** Encrypted-store keys (settings table) of the device credential (issue 10): never in a file in clear. */
const DEVICE_SECRET_KEY = 'device.secret';
const DEVICE_REVOKED_KEY = 'device.revoked';

/** Review 7 U9: the sign-in refusal of an account an admin deactivated on the backend (pulled). */
export const DEACTIVATED_MESSAGE = 'This account has been deactivated: ask the clinic admin.';

const NOT_ENROLLED_MESSAGE =
  'This PC is not enrolled with the clinic server yet: an admin must enrol it first (Enrol this PC).';

/** Refresh the access token this long before it expires, so a sync never starts with a token about to lapse. */
const REFRESH_MARGIN_MS = 30_000;

export interface AuthServiceOptions {
  store: Store;
  audit: AuditLog;
  clock: Clock;
  settings: Settings;
  deviceName: string;
  /** Called whenever the session changes (sign-in, lock, unlock, sign-out). */
  onChange: () => void;
  /** scrypt cost of the offline verifier (default OWASP N=2^17; tests pass a lower N). */
  passwordCost?: Partial<ScryptCost>;
}

/**
 * Staff sign-in (online with TOTP, or offline with the device's scrypt verifier inside the grace period),
 * lock/unlock, sign-out, and the access token for sync (DESIGN.md §6).
 */
export class AuthService implements SyncCredentials {
  private session: ActiveSession | null = null;
  private readonly client: PortalAuthClient;
  /** The console's one portal transport (device credential, no redirects, URL policy); sync uses it too. */
  readonly transport: PortalTransport;
  private refreshing: Promise<string | null> | null = null;
  /** The attempt queue per username (see oneAtATime). */
  private readonly attempts = new Map<string, Promise<unknown>>();

  /**
   * The signed-in person's staff record changed role, or was deactivated, in the store (a pull): re-read it
   * before the next use.
   */
  private roleStale = false;

  constructor(private readonly o: AuthServiceOptions) {
    this.transport = new PortalTransport({ serverUrl: () => o.settings.get().serverUrl, device: this });
    this.client = new PortalAuthClient(this.transport);
    o.store.staff.onRoleChange((staffId) => {
      if (this.session?.staff.id === staffId) this.roleStale = true;
    });
    o.store.staff.onDeactivation((staffId) => {
      if (this.session?.staff.id === staffId) this.roleStale = true;
    });
  }

  /**
   * The session, its role as the store holds it now: a role changed on the backend and pulled applies to the
   * next call, not only to the next sign-in (review 7 R6: a demoted clinician kept opening clinical threads). A
   * deactivation pulled ends the session here (review 7 U9).
   */
  current(): ActiveSession | null {
    if (this.roleStale) this.refreshRole();
    return this.session;
  }

  /** Take the store's role for the session (outside a transaction: a change rolled back is never taken). */
  private refreshRole(): void {
    const session = this.session;
    if (!session) {
      this.roleStale = false;
      return;
    }
    if (this.o.store.db.inTransaction) return;
    this.roleStale = false;
    const stored = this.o.store.staff.byId(session.staff.id);
    if (stored?.active === false) {
      // Deactivated on the backend: the session ends now, locked or not (audited; the renderer drops its PHI).
      this.endSession('deactivated');
      queueMicrotask(() => this.o.onChange());
      return;
    }
    if (!stored || stored.role === session.staff.role) return;
    session.staff = { ...session.staff, role: stored.role };
    // The renderer hears of the new role (its views and methods); after this call, not within it.
    queueMicrotask(() => this.o.onChange());
  }
  actor(): Actor {
    const session = this.current();
    return { staffId: session?.staff.id ?? null, role: session?.staff.role ?? null };
  }
  deviceId(): string | null {
    return this.o.store.devices.self()?.id ?? null;
  }

  /** The device secret, read from the encrypted store only when needed (never logged, never in a file). */
  deviceSecret(): string | null {
    const secret = this.o.store.settings.get(DEVICE_SECRET_KEY);
    return secret ? secret : null;
  }

  /** 'enrolled', 'not-enrolled' (first run), or 'revoked' (an admin removed this PC; local data is kept). */
  deviceState(): 'enrolled' | 'not-enrolled' | 'revoked' {
    if (this.deviceId() === null || this.deviceSecret() === null) return 'not-enrolled';
    return this.o.store.settings.get(DEVICE_REVOKED_KEY) === '1' ? 'revoked' : 'enrolled';
  }

  /**
   * The server said an admin revoked this PC: tokens end now; the store, the outbox and any local session are
   * kept (nothing lost, nothing deleted) until IT enrols the PC again.
   */
  deviceRevoked(): void {
    if (this.o.store.settings.get(DEVICE_REVOKED_KEY) === '1') return;
    this.o.store.settings.set(DEVICE_REVOKED_KEY, '1');
    if (this.session) this.session.tokens = null;
    this.o.onChange();
  }

  /**
   * First-run (or re-) enrolment of this PC by an admin's full sign-in (issue 10). The server issues the device
   * id and a 256-bit secret, which go straight into the encrypted store in one transaction.
   * @throws ApiError VALIDATION (already enrolled), UNAUTHENTICATED (wrong credentials, throttled, not an admin),
   *   OFFLINE (backend unreachable or address refused).
   */
  async enrol(username: string, password: string, totp: string, name = this.o.deviceName): Promise<void> {
    if (this.deviceState() === 'enrolled') throw new ApiError('VALIDATION', 'This PC is already enrolled.');
    let answer: { deviceId: string; deviceSecret: string };
    try {
      // The local chain head goes along: this PC's first pushed audit event continues from it (review fix).
      const chainHead = this.o.store.audit.lastHash() ?? undefined;
      answer = await this.client.enrolDevice({ name, username, password, totp, chainHead });
    } catch (error) {
      if (!(error instanceof PortalError)) throw error;
      if (error.kind === 'unauthorized' || error.kind === 'forbidden')
        throw new ApiError(
          'UNAUTHENTICATED',
          'Wrong admin username, password or code (an admin must enrol a PC).',
        );
      if (error.kind === 'throttled')
        throw new ApiError('UNAUTHENTICATED', error.message, error.retryAfterSeconds);
      throw new ApiError('OFFLINE', error.message);
    }
    const { store } = this.o;
    // A PC enrolled again starts without a session: the next person signs in online on the new device.
    if (this.session) this.signOut();
    store.transaction(() => {
      store.devices.setSelf(answer.deviceId, name);
      store.settings.set(DEVICE_SECRET_KEY, answer.deviceSecret);
      store.settings.set(DEVICE_REVOKED_KEY, '0');
      this.o.audit.record(
        { staffId: null, role: null },
        {
          action: 'create',
          entityType: 'settings',
          entityId: answer.deviceId,
          outcome: 'success',
          fields: ['device'],
        },
      );
    });
    this.o.onChange();
  }

  /** The signed-in admin's online access token, or a typed error (admin screens need the backend). */
  private async adminToken(): Promise<string> {
    const token = await this.accessToken();
    if (token === null)
      throw new ApiError(
        'OFFLINE',
        'Managing PCs needs an online sign-in: sign in again when the backend is reachable.',
      );
    return token;
  }

  private adminError(error: unknown): never {
    if (error instanceof PortalError) {
      if (error.kind === 'device-revoked') {
        this.deviceRevoked();
        throw new ApiError('FORBIDDEN', DEVICE_REVOKED_MESSAGE);
      }
      if (error.kind === 'forbidden' || error.kind === 'unauthorized')
        throw new ApiError('FORBIDDEN', error.message);
      throw new ApiError('OFFLINE', error.message);
    }
    throw error;
  }

  /** Admin: the clinic's enrolled PCs, from the server. */
  async adminDevices(): Promise<EnrolledDevice[]> {
    const token = await this.adminToken();
    return this.client.listDevices(token).catch((e: unknown) => this.adminError(e));
  }

  /** Admin: revoke a PC; its tokens end on the server at once. */
  async adminRevokeDevice(deviceId: string): Promise<void> {
    const token = await this.adminToken();
    await this.client.revokeDevice(token, deviceId).catch((e: unknown) => this.adminError(e));
  }

  /** Admin: audit-integrity alerts raised by the server's chain verification. */
  async adminAuditAlerts(): Promise<AuditAlertRecord[]> {
    const token = await this.adminToken();
    return this.client.auditAlerts(token).catch((e: unknown) => this.adminError(e));
  }

  /** Admin (issue 14a): the break-glass report from the server. */
  async adminBreakGlassReport(): Promise<BreakGlassGrant[]> {
    const token = await this.adminToken();
    return this.client.breakGlassReport(token).catch((e: unknown) => this.adminError(e));
  }

  /** Admin (issue 14a): acknowledge one emergency access after review. */
  async adminAcknowledgeBreakGlass(grantId: string): Promise<void> {
    const token = await this.adminToken();
    await this.client.acknowledgeBreakGlass(token, grantId).catch((e: unknown) => this.adminError(e));
  }

  private ensureDevice(): string {
    const state = this.deviceState();
    if (state === 'revoked') throw new ApiError('FORBIDDEN', DEVICE_REVOKED_MESSAGE);
    if (state === 'not-enrolled') throw new ApiError('FORBIDDEN', NOT_ENROLLED_MESSAGE);
    return this.deviceId()!;
  }

  /** Refuse early while this username is throttled or locked on this device. */
  private assertNotThrottled(username: string, allowLocked: boolean): void {
    const cred = this.o.store.staff.credential(username);
    if (!cred) return;
    if (cred.locked && !allowLocked) {
      throw new ApiError(
        'UNAUTHENTICATED',
        'This account is locked on this PC after repeated failures: sign in online (switch user) to unlock it.',
      );
    }
    const wait = waitRemaining(
      cred.failed_count,
      cred.last_failed_at ? Date.parse(cred.last_failed_at) : null,
      this.o.clock.now(),
    );
    if (wait > 0)
      throw new ApiError('UNAUTHENTICATED', `Too many failed attempts: try again in ${wait} s.`, wait);
  }

  /**
   * Run one sign-in or unlock attempt for `username` at a time (issue 11): parallel guesses queue behind each
   * other, so each one sees the failures counted by those before it and the throttle holds.
   */
  private oneAtATime<T>(username: string, attempt: () => Promise<T>): Promise<T> {
    const before = this.attempts.get(username) ?? Promise.resolve();
    const run = before.then(attempt, attempt);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.attempts.set(username, tail);
    void tail.then(() => {
      if (this.attempts.get(username) === tail) this.attempts.delete(username);
    });
    return run;
  }

  /** Count a failure for `username` now (before verifying); returns the count written. */
  private countFailure(username: string): number {
    const staff = this.o.store.staff.byUsername(username);
    const at = new Date(this.o.clock.now()).toISOString();
    const cred = this.o.store.staff.credential(username);
    return this.o.store.staff.countFailure(username, cred?.staff_id ?? staff?.id ?? '', at, LOCKOUT_AFTER);
  }

  /** The failed sign-in event (the count itself was written before the check). */
  private auditFailedSignIn(username: string): void {
    const staff = this.o.store.staff.byUsername(username);
    this.o.audit.record(
      { staffId: staff?.id ?? null, role: staff?.role ?? null },
      { action: 'failed-sign-in', entityType: 'session', entityId: null, outcome: 'failure' },
    );
  }

  private recordFailure(username: string): void {
    this.o.store.transaction(() => {
      this.countFailure(username);
      this.auditFailedSignIn(username);
    });
  }

  /**
   * Start the session of a person whose password was verified (online by the backend, or offline by the device
   * verifier). The sign-in answer's staff record is written only when it is not older than the stored one (its
   * `version`): an answer that arrives after the PC pulled a deactivation never undoes it (review 8 U9 race).
   * The stored record is read again here, in the same synchronous step that starts the session, so a
   * deactivation pulled while the password was checked refuses the session.
   * @throws ApiError UNAUTHENTICATED (account deactivated, audited as a failed sign-in; unknown on this PC)
   */
  private async startSession(tokens: TokenResponse, password: string, offline: false): Promise<void>;
  private async startSession(tokens: null, password: string, offline: true, staffId: string): Promise<void>;
  private async startSession(
    tokens: TokenResponse | null,
    password: string,
    offline: boolean,
    staffId?: string,
  ): Promise<void> {
    const { store, clock } = this.o;
    const verifier = tokens ? await makeVerifier(password, this.o.passwordCost) : null;
    const staff = store.transaction(() => {
      if (tokens) {
        const stored = store.staff.byId(tokens.staff.id);
        // Never write a record older than the stored one (a pull may have overtaken this answer).
        if (!stored || stored.version <= tokens.staff.version) store.staff.upsert(tokens.staff);
      }
      const current = store.staff.byId(tokens ? tokens.staff.id : staffId!);
      if (current?.active === false) {
        this.auditFailedSignIn(current.username);
        return 'deactivated' as const;
      }
      if (tokens && verifier !== null) {
        store.staff.saveCredential({
          username: tokens.staff.username,
          staff_id: tokens.staff.id,
          verifier,
          verified_at: new Date(clock.now()).toISOString(),
          failed_count: 0,
          locked: 0,
          last_failed_at: null,
        });
      }
      return current;
    });
    if (staff === 'deactivated') {
      // The backend's tokens of a deactivated account are handed back at once.
      if (tokens) void this.client.signOut(tokens.accessToken);
      // The password was right (backend or verifier), so the reason may be given (review 8: no status oracle).
      throw new ApiError('UNAUTHENTICATED', DEACTIVATED_MESSAGE);
    }
    if (!staff)
      throw new ApiError(
        'UNAUTHENTICATED',
        'This staff member is not known on this PC: sign in online first.',
      );
    // Switch user: the previous (locked) session ends only now, after the new person was verified (issue 11).
    if (this.session) this.endSession('sign-out');
    this.session = {
      state: 'active',
      staff,
      offline,
      tokens: tokens
        ? {
            accessToken: tokens.accessToken,
            refreshToken: tokens.refreshToken,
            expiresAt: clock.now() + tokens.expiresIn * 1000,
          }
        : null,
    };
    this.o.audit.record(this.actor(), {
      action: 'sign-in',
      entityType: 'session',
      entityId: null,
      outcome: 'success',
    });
    this.o.onChange();
  }

  /**
   * Full sign-in: online with TOTP; offline with the verifier when the backend cannot be reached. While a
   * session is locked this is "switch user": the locked session ends only once the new person is verified, so
   * a wrong password at the desk cannot end someone else's session (issue 11).
   * Errors: UNAUTHENTICATED (wrong credentials, throttled with retryAfterSeconds, locked on this PC), OFFLINE.
   */
  async signIn(username: string, password: string, totp: string): Promise<void> {
    this.assertNotThrottled(username, true);
    const deviceId = this.ensureDevice();
    try {
      const tokens = await this.client.signIn({ username, password, totp, deviceId });
      await this.startSession(tokens, password, false);
      return;
    } catch (error) {
      if (!(error instanceof PortalError)) throw error;
      if (error.kind === 'unauthorized') {
        this.recordFailure(username);
        // One answer for every refusal, as the backend's 401: a deactivated account is not named before its
        // password was proven right (review 8: no account-status oracle at an unattended desk).
        throw new ApiError('UNAUTHENTICATED', 'Wrong username, password or code.');
      }
      if (error.kind === 'throttled') {
        throw new ApiError('UNAUTHENTICATED', error.message, error.retryAfterSeconds);
      }
      if (error.kind === 'device-revoked') {
        this.deviceRevoked();
        throw new ApiError('FORBIDDEN', DEVICE_REVOKED_MESSAGE);
      }
      if (error.kind === 'not-enrolled') throw new ApiError('FORBIDDEN', error.message);
      if (error.kind !== 'offline') throw new ApiError('OFFLINE', error.message);
    }
    await this.offlineSignIn(username, password);
  }

  /**
   * Offline sign-in with the device verifier (DESIGN.md §6), one attempt at a time per person; the failure is
   * counted before the scrypt check and taken back only by a success (issue 11).
   */
  private async offlineSignIn(username: string, password: string): Promise<void> {
    await this.oneAtATime(username, async () => {
      this.assertNotThrottled(username, false);
      const cred = this.o.store.staff.credential(username);
      this.refuseUnverifiable(username, cred?.staff_id ?? null);
      if (!cred?.verifier || !cred.verified_at) {
        throw new ApiError(
          'OFFLINE',
          'The portal backend cannot be reached and this account has not signed in online on this PC yet.',
        );
      }
      const graceMs = this.o.settings.get().offlineGraceHours * 3600_000;
      if (this.o.clock.now() - Date.parse(cred.verified_at) > graceMs) {
        throw new ApiError(
          'OFFLINE',
          'The portal backend cannot be reached and the offline sign-in period has ended: sign in when the network is back.',
        );
      }
      const counted = this.countFailure(username);
      if (!(await checkVerifier(password, cred.verifier))) {
        this.auditFailedSignIn(username);
        throw new ApiError('UNAUTHENTICATED', 'Wrong username or password.');
      }
      this.o.store.staff.forgiveFailure(username, counted, cred.locked);
      // A verifier of older parameters is re-made now, while the password is at hand (issue 10); kept only if
      // the stored one is still the one checked (a deactivation pulled meanwhile dropped it: review 8 U9).
      if (verifierNeedsUpgrade(cred.verifier, this.o.passwordCost)) {
        const verifier = await makeVerifier(password, this.o.passwordCost);
        const current = this.o.store.staff.credential(username);
        if (current?.verifier === cred.verifier) this.o.store.staff.saveCredential({ ...current, verifier });
      }
      // startSession re-reads the stored record after the password check: a deactivation pulled during the
      // check refuses the session (review 8 U9).
      await this.startSession(null, password, true, cred.staff_id);
    });
  }

  /**
   * An offline sign-in of an account the backend deactivated (pulled: review 7 U9) cannot be checked: its verifier
   * is gone (StaffRepo.upsert). It is refused with the same words as a wrong password (review 8: the deactivation
   * is named only once the password was proven right) and recorded as a failed sign-in (DESIGN §7).
   * @throws ApiError UNAUTHENTICATED
   */
  private refuseUnverifiable(username: string, staffId: string | null): void {
    const staff = staffId ? this.o.store.staff.byId(staffId) : this.o.store.staff.byUsername(username);
    if (staff?.active !== false) return;
    this.o.store.transaction(() => this.auditFailedSignIn(username));
    throw new ApiError('UNAUTHENTICATED', 'Wrong username or password.');
  }

  lock(reason: LockReason): void {
    if (this.session?.state !== 'active') return;
    this.session.state = 'locked';
    this.o.audit.record(this.actor(), {
      action: 'lock',
      entityType: 'session',
      entityId: null,
      outcome: 'success',
      fields: [reason],
    });
    this.o.onChange();
  }

  /**
   * Unlock by the same person's password, checked against the device verifier (works offline too). One attempt
   * at a time per person; the failure is counted before the scrypt check, so parallel guesses meet the
   * throttle, and a success takes back only its own count (issue 11). Errors: UNAUTHENTICATED.
   */
  async unlock(password: string): Promise<void> {
    // current(): a deactivation pulled while locked ends the session before any password is checked.
    const session = this.current();
    if (!session) throw new ApiError('UNAUTHENTICATED', 'Nobody is signed in.');
    if (session.state === 'active') return;
    const username = session.staff.username;
    await this.oneAtATime(username, async () => {
      if (this.session !== session) throw new ApiError('UNAUTHENTICATED', 'This session has ended.');
      if (session.state === 'active') return;
      this.assertNotThrottled(username, false);
      const cred = this.o.store.staff.credential(username);
      const counted = this.countFailure(username);
      const right = cred?.verifier ? await checkVerifier(password, cred.verifier) : false;
      if (right && this.o.store.staff.byId(session.staff.id)?.active === false) {
        // Deactivated (pulled) while the password was checked: the stored record decides, not the one read
        // before the check (review 8 U9). The session ends; the password was right, so the reason is given.
        this.o.store.staff.forgiveFailure(username, counted, cred?.locked ?? 0);
        this.o.store.transaction(() => this.auditFailedSignIn(username));
        if (this.session === session) {
          this.endSession('deactivated');
          queueMicrotask(() => this.o.onChange());
        }
        throw new ApiError('UNAUTHENTICATED', DEACTIVATED_MESSAGE);
      }
      if (right && this.session !== session) {
        // Signed out while the password was checked: nothing to unlock, and no failure either.
        this.o.store.staff.forgiveFailure(username, counted, cred?.locked ?? 0);
        throw new ApiError('UNAUTHENTICATED', 'This session has ended.');
      }
      if (!right) {
        this.o.store.transaction(() => {
          this.auditFailedSignIn(username);
          this.o.audit.record(
            { staffId: session.staff.id, role: session.staff.role },
            { action: 'unlock', entityType: 'session', entityId: null, outcome: 'failure' },
          );
        });
        throw new ApiError('UNAUTHENTICATED', 'Wrong password.');
      }
      this.o.store.staff.forgiveFailure(username, counted, cred?.locked ?? 0);
      session.state = 'active';
      this.o.audit.record(this.actor(), {
        action: 'unlock',
        entityType: 'session',
        entityId: null,
        outcome: 'success',
      });
      this.o.onChange();
    });
  }

  private endSession(why: 'sign-out' | 'deactivated'): void {
    const session = this.session;
    if (!session) return;
    this.o.audit.record(
      { staffId: session.staff.id, role: session.staff.role },
      {
        action: 'sign-out',
        entityType: 'session',
        entityId: null,
        outcome: 'success',
        ...(why === 'deactivated' ? { fields: ['deactivated'] } : {}),
      },
    );
    if (session.tokens) void this.client.signOut(session.tokens.accessToken);
    this.session = null;
  }

  signOut(): void {
    if (!this.session) return;
    this.endSession('sign-out');
    this.o.onChange();
  }

  /* ---- SyncCredentials: sync keeps running while locked, with the tokens in memory ---- */

  async accessToken(): Promise<string | null> {
    const tokens = this.session?.tokens;
    if (!tokens) return null;
    if (this.o.clock.now() < tokens.expiresAt - REFRESH_MARGIN_MS) return tokens.accessToken;
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  invalidateToken(): void {
    if (this.session?.tokens) this.session.tokens.expiresAt = 0;
  }

  private async refresh(): Promise<string | null> {
    const session = this.session;
    if (!session?.tokens) return null;
    try {
      const next = await this.client.refresh(session.tokens.refreshToken);
      if (this.session !== session) return null;
      session.tokens = {
        accessToken: next.accessToken,
        refreshToken: next.refreshToken,
        expiresAt: this.o.clock.now() + next.expiresIn * 1000,
      };
      return next.accessToken;
    } catch (error) {
      // Refused refresh: the session stays usable locally; sync goes on with the device credential alone.
      if (error instanceof PortalError && error.kind === 'device-revoked') this.deviceRevoked();
      if (error instanceof PortalError && ['unauthorized', 'not-enrolled', 'forbidden'].includes(error.kind))
        session.tokens = null;
      return null;
    }
  }
}
