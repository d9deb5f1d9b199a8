/** Reference lists that hold no patient data (providers, staff, reply templates): loaded once per person. */
import { create } from 'zustand';
import type { ClinicProfile, ColleagueView, ProviderView, ReplyTemplate } from '../../../src-shared/views';
import { setClinicClock } from '../lib/time';
import { call } from '../api';
import { setUi } from './ui';

interface ReferenceState {
  /** issue 13a: the clinic's locations and zones; times are shown in the default location's zone. */
  profile: ClinicProfile | null;
  providers: ProviderView[];
  staff: ColleagueView[];
  templates: ReplyTemplate[];
  /** The clinic phone of this PC's settings: the {{clinic_phone}} field of reply templates ('' if not set). */
  clinicPhone: string;
  loaded: boolean;
}

const empty: ReferenceState = {
  profile: null,
  providers: [],
  staff: [],
  templates: [],
  clinicPhone: '',
  loaded: false,
};

/** Show times in the clinic location's zone and open the schedule on the clinic's today (issue 13a). */
function applyProfile(profile: ClinicProfile): void {
  const location = profile.locations.find((l) => l.id === profile.locationId) ?? profile.locations[0];
  setClinicClock(location?.timeZone ?? 'UTC', profile.now, location?.walkInMinutes ?? 30);
  setUi({ scheduleDate: profile.today });
}

export const useReference = create<ReferenceState>()(() => empty);

export function resetReference(): void {
  useReference.setState(empty, true);
}

let loading: Promise<void> | null = null;

export function loadReference(canUseInbox: boolean): Promise<void> {
  if (useReference.getState().loaded) return Promise.resolve();
  loading ??= (async () => {
    try {
      const [providers, staff, templates, profile, settings] = await Promise.all([
        call('providers.list', {}),
        call('staff.list', {}),
        canUseInbox ? call('inbox.templates', {}) : Promise.resolve([]),
        call('clinic.profile', {}),
        call('settings.get', {}),
      ]);
      applyProfile(profile);
      useReference.setState({
        providers,
        staff,
        templates,
        profile,
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

/** Session 4, 14c: the saved replies again (pool templates arrive by sync). */
export async function refreshTemplates(): Promise<void> {
  if (!useReference.getState().loaded) return;
  useReference.setState({ templates: await call('inbox.templates', {}) });
}
