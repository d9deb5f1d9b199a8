/**
 * Session 4, 14c: the console's side of coverage (issue 14 §3), the clinic-set break-glass time (§4) and pool
 * templates (§5). Marking an absence, changing clinic settings and editing pool templates are made on the server
 * (it is the authority and repeats every check); this PC applies the server's answer at once and sees the
 * hand-overs and hand-backs as ordinary thread changes by sync. The same rules run here first
 * (src-shared/coverage.ts), so a person reads the reason without a round trip.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  ABSENCE_ALREADY_ENDED,
  absenceProblem,
  AbsenceResponse,
  type AbsenceRecord,
  type AbsenceRequest,
  type AbsenceView,
} from '../../src-shared/coverage';
import { localDateOf } from '../../src-shared/clinic-time';
import type { StaffRecord } from '../../src-shared/domain';
import { ApiError } from '../../src-shared/errors';
import { SYNC_ROUTES } from '../../src-shared/sync';
import {
  ClinicSettingsResponse,
  PoolTemplateResponse,
  type ClinicSettingsRecord,
} from '../../src-shared/triage';
import type { ReplyTemplate } from '../../src-shared/views';
import type { Clock } from '../base/adapters';
import { serverCaller, type ServerCall } from '../auth/server-call';
import type { Store } from '../store/store';
import type { PortalTransport } from '../sync/transport';

const PoolTemplateDeleted = z.strictObject({ ok: z.literal(true) });

export interface CoverageDeps {
  store: Store;
  clock: Clock;
  transport: PortalTransport;
  /** The signed-in person's online access token, or null (signed in offline / no backend). */
  accessToken: () => Promise<string | null>;
  /** After the server's answer was stored: tell the renderer and let sync catch up. */
  afterWrite: () => void;
}

export class CoverageService {
  /** A call to the server on behalf of the signed-in person; the server's own refusal text is passed on. */
  private readonly send: ServerCall;

  constructor(private readonly d: CoverageDeps) {
    this.send = serverCaller({
      transport: () => d.transport,
      accessToken: d.accessToken,
      needsOnlineMessage: 'This needs a connection to the clinic server: sign in online and try again.',
    });
  }

  /** Stores the server's answer (unless a newer version is held) and returns what the store now holds. */
  private keep(absence: AbsenceRecord): AbsenceRecord {
    this.d.store.coverage.upsertAbsence(absence);
    this.d.afterWrite();
    return this.d.store.coverage.absences().find((a) => a.id === absence.id) ?? absence;
  }

  private view(a: AbsenceRecord): AbsenceView {
    const name = (id: string) => this.d.store.staff.byId(id)?.displayName ?? id;
    return { ...a, staffName: name(a.staffId), coverName: name(a.coverId) };
  }

  /** Absences not ended yet (and those ended within the last 7 days), soonest end first. */
  list(): AbsenceView[] {
    const recent = new Date(this.d.clock.now() - 7 * 86_400_000).toISOString();
    return this.d.store.coverage
      .absences()
      .filter((a) => a.phase !== 'ended' || a.endsAt >= recent)
      .map((a) => this.view(a));
  }

  /**
   * Marks an absence on the server. The rules of src-shared/coverage.ts are checked here first (the server
   * checks again): a clinician for themselves only, an admin for any clinician; the cover an active clinician.
   * @throws ApiError FORBIDDEN / VALIDATION with the rule's sentence; OFFLINE without the server.
   */
  async set(actor: StaffRecord, request: AbsenceRequest): Promise<AbsenceView> {
    const party = (id: string) => {
      const s = this.d.store.staff.byId(id);
      // Active as the last pulled record says (review 7 U3); the server checks again.
      return s ? { id: s.id, role: s.role, active: s.active !== false } : null;
    };
    const problem = absenceProblem(
      request,
      {
        actor: { id: actor.id, role: actor.role },
        absent: party(request.staffId),
        cover: party(request.coverId),
      },
      // The earliest "today" anywhere (UTC-14): the server decides by the clinic's zone.
      localDateOf(this.d.clock.now() - 14 * 3600_000, 'UTC'),
    );
    if (problem)
      throw new ApiError(problem.startsWith('Only an admin') ? 'FORBIDDEN' : 'VALIDATION', problem);
    const route = SYNC_ROUTES.absence.replace(':absenceId', randomUUID());
    const { absence } = await this.send('PUT', route, request, AbsenceResponse);
    return this.view(this.keep(absence));
  }

  /**
   * Ends an absence now on the server (threads come back at once).
   * @throws ApiError CONFLICT ABSENCE_ALREADY_ENDED when it has ended (as this PC holds it: no round trip) or its
   *   last day is over (the server's answer; sync then brings the ended record), besides serverCaller's errors.
   */
  async end(absenceId: string): Promise<AbsenceView> {
    const held = this.d.store.coverage.absences().find((a) => a.id === absenceId);
    if (held?.phase === 'ended') throw new ApiError('CONFLICT', ABSENCE_ALREADY_ENDED);
    const route = SYNC_ROUTES.endAbsence.replace(':absenceId', encodeURIComponent(absenceId));
    try {
      const { absence } = await this.send('POST', route, {}, AbsenceResponse);
      return this.view(this.keep(absence));
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CONFLICT') this.d.afterWrite();
      throw error;
    }
  }

  /** The clinic's settings as this PC last synced them (defaults before the first sync). */
  clinicSettings(): ClinicSettingsRecord {
    return this.d.store.coverage.clinicSettings();
  }

  /** Admin: change the clinic settings on the server. */
  async setClinicSettings(update: { breakGlassMinutes: number }): Promise<ClinicSettingsRecord> {
    const { settings } = await this.send(
      'PUT',
      SYNC_ROUTES.adminClinicSettings,
      update,
      ClinicSettingsResponse,
    );
    this.d.store.coverage.setClinicSettings(settings);
    this.d.afterWrite();
    // A newer record pulled while the answer travelled is kept (the store refuses an older one).
    return this.d.store.coverage.clinicSettings();
  }

  /** The pools' templates in the shape of the reply box's saved replies (group "This pool"). */
  poolTemplates(): ReplyTemplate[] {
    return this.d.store.coverage
      .poolTemplates()
      .map((t) => ({ id: t.id, title: t.title, body: t.body, scope: 'pool' as const, pool: t.poolId }));
  }

  /** Admin: create (no id) or replace a pool template on the server. */
  async savePoolTemplate(input: {
    id?: string;
    poolId: string;
    title: string;
    body: string;
  }): Promise<ReplyTemplate> {
    const id = input.id ?? `pool-${randomUUID()}`;
    const route = SYNC_ROUTES.adminPoolTemplate.replace(':templateId', encodeURIComponent(id));
    const { template } = await this.send(
      'PUT',
      route,
      { poolId: input.poolId, title: input.title, body: input.body },
      PoolTemplateResponse,
    );
    this.d.store.coverage.upsertPoolTemplate(template);
    this.d.afterWrite();
    return {
      id: template.id,
      title: template.title,
      body: template.body,
      scope: 'pool',
      pool: template.poolId,
    };
  }

  /** Admin: delete a pool template on the server. */
  async deletePoolTemplate(id: string): Promise<void> {
    const route = SYNC_ROUTES.adminPoolTemplate.replace(':templateId', encodeURIComponent(id));
    await this.send('DELETE', route, undefined, PoolTemplateDeleted);
    this.d.store.coverage.deletePoolTemplate(id);
    this.d.afterWrite();
  }
}
