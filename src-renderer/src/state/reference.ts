/** Reference lists that hold no patient data (providers, staff, reply templates): loaded once per person. */
import { create } from 'zustand';
import type { ProviderView, ReplyTemplate, StaffView } from '../../../src-shared/views';
import { call } from '../api';

interface ReferenceState {
  providers: ProviderView[];
  staff: StaffView[];
  templates: ReplyTemplate[];
  /** The clinic phone of this PC's settings: the {{clinic_phone}} field of reply templates ('' if not set). */
  clinicPhone: string;
  loaded: boolean;
}

const empty: ReferenceState = { providers: [], staff: [], templates: [], clinicPhone: '', loaded: false };

export const useReference = create<ReferenceState>()(() => empty);

export function resetReference(): void {
  useReference.setState(empty, true);
}

let loading: Promise<void> | null = null;

export function loadReference(canUseInbox: boolean): Promise<void> {
  if (useReference.getState().loaded) return Promise.resolve();
  loading ??= (async () => {
    try {
      const [providers, staff, templates, settings] = await Promise.all([
        call('providers.list', {}),
        call('staff.list', {}),
        canUseInbox ? call('inbox.templates', {}) : Promise.resolve([]),
        call('settings.get', {}),
      ]);
      useReference.setState({
        providers,
        staff,
        templates,
        clinicPhone: settings.clinicPhone,
        loaded: true,
      });
    } finally {
      loading = null;
    }
  })();
  return loading;
}

/** Providers and staff change rarely, but a pull may bring new ones (the first sync brings them all). */
export async function refreshReference(): Promise<void> {
  const [providers, staff] = await Promise.all([call('providers.list', {}), call('staff.list', {})]);
  useReference.setState({ providers, staff });
}
