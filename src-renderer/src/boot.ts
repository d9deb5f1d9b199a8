/** Start-up: subscribe to the core's events, then ask for the session. */
import { bridgeProblem, clinicApi } from './bridge';
import { errorMessage } from './api';
import { dataChanged } from './state/data';
import { accessEnded } from './state/inbox';
import { applySession, recheckSession, setFatal, useSession } from './state/session';
import { setSyncStatus } from './state/sync';

export function boot(): void {
  try {
    const api = clinicApi();
    api.subscribe('session.changed', (info) => applySession(info));
    api.subscribe('sync.status', (status) => {
      const state = useSession.getState().info?.state;
      if (state && state !== 'signed-out') setSyncStatus(status, state === 'active');
    });
    api.subscribe('data.changed', ({ entities }) => {
      if (useSession.getState().info?.state === 'active') dataChanged(entities);
    });
    api.subscribe('access.ended', ({ threadIds }) => accessEnded(threadIds));
  } catch (error) {
    setFatal(errorMessage(error));
    return;
  }
  void recheckSession().then(() => {
    if (!useSession.getState().info)
      setFatal(
        bridgeProblem() ??
          'The console service is not answering. Close this window and start the console again.',
      );
  });
}
