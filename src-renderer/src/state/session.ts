/**
 * The session as the core reports it. Every change goes through `applySession`, which drops PHI first when the
 * console is no longer active, and only then publishes the new state (so the lock screen never renders over PHI).
 */
import { create } from 'zustand';
import type { SessionInfo } from '../../../src-shared/views';
import { call, onSessionProblem } from '../api';
import { resetActivityThrottle } from '../lib/activity';
import { clearPhi } from './phi';
import { resetReference } from './reference';
import { resetSync } from './sync';
import { resetTriage } from './triage';
import { resetUi } from './ui';

interface SessionState {
  info: SessionInfo | null;
  /** Set when the page cannot reach the console at all (e.g. opened without the host's URL). */
  fatal: string | null;
  /** The lock screen's "Switch user": show the full sign-in form over the lock. */
  switchingUser: boolean;
}

export const useSession = create<SessionState>()(() => ({ info: null, fatal: null, switchingUser: false }));

export function applySession(info: SessionInfo): void {
  const before = useSession.getState().info;
  const staffBefore = before?.staff?.id ?? null;
  const staffAfter = info.staff?.id ?? null;
  // Another person, even straight from one active session to the next (review 7 R9), or the same person with
  // another role (a role change pulled: review 7 R6), sees none of the PHI shown before.
  const roleChanged =
    staffBefore !== null && staffBefore === staffAfter && before?.staff?.role !== info.staff?.role;
  if (info.state !== 'active' || (staffBefore !== null && staffBefore !== staffAfter) || roleChanged) {
    clearPhi();
    resetActivityThrottle();
  }
  // What the previous person or role might read (pools, emergency access) is theirs: read again (s9sec).
  if (staffBefore !== staffAfter || info.state === 'signed-out' || roleChanged) resetTriage();
  if (staffBefore !== staffAfter || info.state === 'signed-out') {
    resetUi(info.staff?.role ?? null);
    resetReference();
    if (info.state === 'signed-out') resetSync();
  }
  useSession.setState({
    info,
    ...(info.state === 'active' || info.state === 'signed-out' ? { switchingUser: false } : {}),
  });
}

export function setSwitchingUser(switchingUser: boolean): void {
  useSession.setState({ switchingUser });
}

export function setFatal(message: string): void {
  useSession.setState({ fatal: message });
}

let checking: Promise<void> | null = null;

/** Ask the core for the session again (after a LOCKED or UNAUTHENTICATED answer). */
export function recheckSession(): Promise<void> {
  checking ??= call('session.status', {})
    .then(applySession)
    .catch(() => undefined)
    .finally(() => (checking = null));
  return checking;
}

onSessionProblem((code) => {
  // Drop PHI at once on LOCKED, before even asking for the new state.
  if (code === 'LOCKED') {
    const info = useSession.getState().info;
    if (info) applySession({ ...info, state: 'locked' });
  }
  void recheckSession();
});
