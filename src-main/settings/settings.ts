import { Settings as SettingsSchema, type Settings as SettingsValue } from '../../src-shared/views';
import { ApiError } from '../../src-shared/errors';
import type { KeyValueRepo } from '../store/repos/kv';
import { assertServerUrl } from '../sync/url-policy';

export const DEFAULT_SETTINGS: SettingsValue = {
  idleTimeoutMinutes: 5,
  serverUrl: 'http://127.0.0.1:4317',
  offlineGraceHours: 72,
  closedThreadDays: 90,
  scheduleBackDays: 30,
  scheduleAheadDays: 180,
  clinicPhone: '',
};

/** Admin settings, kept in the encrypted store (DESIGN.md §1: enrol, idle timeout, server address). */
export class Settings {
  private cached: SettingsValue;
  constructor(private readonly kv: KeyValueRepo) {
    this.cached = this.load();
  }

  private load(): SettingsValue {
    const raw = this.kv.get('console');
    const parsed = raw
      ? SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...(JSON.parse(raw) as object) })
      : null;
    return parsed?.success ? parsed.data : { ...DEFAULT_SETTINGS };
  }

  get(): SettingsValue {
    return { ...this.cached };
  }

  update(patch: Partial<SettingsValue>): SettingsValue {
    const next = SettingsSchema.parse({ ...this.cached, ...patch });
    try {
      assertServerUrl(next.serverUrl);
    } catch (error) {
      throw new ApiError('VALIDATION', error instanceof Error ? error.message : 'Invalid server address');
    }
    this.kv.set('console', JSON.stringify(next));
    this.cached = next;
    return this.get();
  }
}
