/** Schedule data (PHI: patient names on appointments). Dropped whole on lock. */
import { create } from 'zustand';
import type { ScheduleView } from '../../../src-shared/views';
import { call, errorMessage } from '../api';
import { ifCurrent, phiEpoch } from './epoch';

export interface ScheduleParams {
  from: string;
  days: number;
  providerId?: string;
}

interface ScheduleState {
  key: string;
  view: ScheduleView | null;
  error: string | null;
  loading: boolean;
}

const empty: ScheduleState = { key: '', view: null, error: null, loading: false };

export const useSchedule = create<ScheduleState>()(() => empty);

export function resetSchedule(): void {
  useSchedule.setState(empty, true);
}

export const scheduleKey = (p: ScheduleParams): string => `${p.from}/${p.days}/${p.providerId ?? '*'}`;

export async function loadSchedule(p: ScheduleParams): Promise<void> {
  const key = scheduleKey(p);
  const started = phiEpoch();
  useSchedule.setState((s) =>
    s.key === key ? { loading: true } : { key, view: null, error: null, loading: true },
  );
  try {
    const view = await call('schedule.range', p.providerId ? p : { from: p.from, days: p.days });
    ifCurrent(started, () => {
      if (useSchedule.getState().key === key) useSchedule.setState({ view, error: null, loading: false });
    });
  } catch (error) {
    ifCurrent(started, () => {
      if (useSchedule.getState().key === key)
        useSchedule.setState({ error: errorMessage(error), loading: false });
    });
  }
}
