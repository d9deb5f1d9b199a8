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
import { DEVICE_REVOKED_MESSAGE, SYNC_ROUTES, ServerError } from '../../src-shared/sync';
import type { z } from 'zod';
import type { Store } from '../store/store';
import type { PortalTransport } from '../sync/transport';

const TIMEOUT_MS = 10_000;

export interface AvailabilityAdminDeps {
  store: Store;
  transport: () => PortalTransport;
  /** The signed-in admin's access token, or null when not signed in online. */
  accessToken: () => Promise<string | null>;
  /** Tell the renderer records changed (and kick sync). */
  afterWrite: () => void;
}

export class AvailabilityAdmin {
  constructor(private readonly d: AvailabilityAdminDeps) {}

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
      await this.request('DELETE', route, undefined, null);
    } catch (error) {
      // Already gone on the server: gone here too.
      if (!(error instanceof ApiError && error.code === 'NOT_FOUND')) throw error;
    }
    this.d.store.transaction(() => this.d.store.availability.deleteException(exceptionId));
    this.d.afterWrite();
  }

  /** One admin request; every refusal becomes a typed ApiError naming what to do (never a stack or raw body). */
  private async request<T extends z.ZodType>(
    method: 'PUT' | 'POST' | 'DELETE',
    route: string,
    body: unknown,
    schema: T | null,
  ): Promise<z.output<T>> {
    const token = await this.d.accessToken();
    if (token === null)
      throw new ApiError(
        'OFFLINE',
        'Changing availability needs an online sign-in: sign in again when the backend is reachable.',
      );
    let res: Response;
    try {
      res = await this.d.transport().fetch(route, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new ApiError('OFFLINE', 'The clinic server cannot be reached: try again when it is.');
    }
    const json: unknown = await res.json().catch(() => null);
    if (res.ok) {
      if (schema === null) return undefined as z.output<T>;
      const parsed = schema.safeParse(json);
      if (!parsed.success)
        throw new ApiError('INTERNAL', 'The clinic server sent an answer this console does not understand.');
      return parsed.data as z.output<T>;
    }
    const err = ServerError.safeParse(json);
    const message = err.success ? err.data.message.slice(0, 300) : 'The clinic server refused the change.';
    if (err.success && err.data.error === 'DEVICE_REVOKED')
      throw new ApiError('FORBIDDEN', DEVICE_REVOKED_MESSAGE);
    if (res.status === 401 || res.status === 403) throw new ApiError('FORBIDDEN', message);
    if (res.status === 404) throw new ApiError('NOT_FOUND', message);
    if (res.status === 400) throw new ApiError('VALIDATION', message);
    if (res.status === 409) throw new ApiError('CONFLICT', message);
    throw new ApiError('OFFLINE', 'The clinic server had a problem: try again.');
  }
}
