/**
 * The admin screen's side of availability (issue 13 §3): reads come from this PC's store (what the server synced);
 * changes go to the server's admin routes (server/routes/availability.ts), which repeat the admin-role check and
 * audit them, and the server's answer is written here at once so the screen shows it before the next pull (which
 * brings the same record to every console).
 */
import {
  ExceptionResponse,
  TemplateResponse,
  type AddExceptionInput,
  type AvailabilityAdminView,
  type AvailabilityBlock,
} from '../../src-shared/availability';
import { ApiError } from '../../src-shared/errors';
import { SYNC_ROUTES } from '../../src-shared/sync';
import { z } from 'zod';
import { serverCaller, type ServerCall } from '../auth/server-call';
import type { Store } from '../store/store';
import type { PortalTransport } from '../sync/transport';

export interface AvailabilityAdminDeps {
  store: Store;
  transport: () => PortalTransport;
  /** The signed-in admin's access token, or null when not signed in online. */
  accessToken: () => Promise<string | null>;
  /** Tell the renderer records changed (and kick sync). */
  afterWrite: () => void;
}

export class AvailabilityAdmin {
  /** Every refusal becomes a typed ApiError naming what to do (never a stack or raw body). */
  private readonly request: ServerCall;

  constructor(private readonly d: AvailabilityAdminDeps) {
    this.request = serverCaller({
      transport: d.transport,
      accessToken: d.accessToken,
      needsOnlineMessage:
        'Changing availability needs an online sign-in: sign in again when the backend is reachable.',
    });
  }

  /** The provider's template at their location and the exceptions touching them, today's and later ones first. */
  view(providerId: string, today: string): AvailabilityAdminView {
    const provider = this.d.store.providers.byId(providerId);
    if (!provider) throw new ApiError('NOT_FOUND', 'No such provider.');
    const template = this.d.store.availability.templateFor(provider.id, provider.locationId);
    return {
      providerId: provider.id,
      locationId: provider.locationId,
      blocks: template ? template.blocks : null,
      exceptions: this.d.store.availability
        .exceptions(provider.locationId, today, '9999-12-31')
        .filter((e) => e.providerId === null || e.providerId === provider.id),
    };
  }

  async setTemplate(providerId: string, blocks: AvailabilityBlock[]): Promise<void> {
    if (!this.d.store.providers.byId(providerId)) throw new ApiError('NOT_FOUND', 'No such provider.');
    const route = SYNC_ROUTES.adminAvailabilityTemplate.replace(
      ':providerId',
      encodeURIComponent(providerId),
    );
    const { template } = await this.request('PUT', route, { blocks }, TemplateResponse);
    this.d.store.transaction(() => this.d.store.availability.upsertTemplate(template));
    this.d.afterWrite();
  }

  async addException(input: AddExceptionInput): Promise<string> {
    const provider = input.providerId === null ? null : this.d.store.providers.byId(input.providerId);
    if (input.providerId !== null && !provider) throw new ApiError('NOT_FOUND', 'No such provider.');
    const locationId = input.locationId ?? provider!.locationId;
    const body = { ...input, locationId };
    const { exception } = await this.request(
      'POST',
      SYNC_ROUTES.adminAvailabilityExceptions,
      body,
      ExceptionResponse,
    );
    this.d.store.transaction(() => this.d.store.availability.upsertException(exception));
    this.d.afterWrite();
    return exception.id;
  }

  async removeException(exceptionId: string): Promise<void> {
    const route = SYNC_ROUTES.adminAvailabilityException.replace(
      ':exceptionId',
      encodeURIComponent(exceptionId),
    );
    try {
      await this.request('DELETE', route, undefined, z.unknown());
    } catch (error) {
      // Already gone on the server: gone here too.
      if (!(error instanceof ApiError && error.code === 'NOT_FOUND')) throw error;
    }
    this.d.store.transaction(() => this.d.store.availability.deleteException(exceptionId));
    this.d.afterWrite();
  }
}
