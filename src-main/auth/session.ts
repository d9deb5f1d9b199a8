import type { Role, StaffRecord } from '../../src-shared/domain';
import type { SessionInfo, SessionState } from '../../src-shared/views';

/** Tokens live here, in main-process memory only: never in the store, a file or a log (DESIGN.md §6). */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms after which the access token must be refreshed. */
  expiresAt: number;
}

export interface ActiveSession {
  state: Exclude<SessionState, 'signed-out'>;
  staff: StaffRecord;
  offline: boolean;
  tokens: Tokens | null;
}

export interface Actor {
  staffId: string | null;
  role: Role | null;
}

export function sessionInfoOf(
  session: ActiveSession | null,
  deviceId: string | null,
  idleTimeoutMinutes: number,
  device: SessionInfo['device'],
): SessionInfo {
  return {
    state: session?.state ?? 'signed-out',
    staff: session
      ? {
          id: session.staff.id,
          username: session.staff.username,
          displayName: session.staff.displayName,
          role: session.staff.role,
        }
      : null,
    deviceId,
    idleTimeoutMinutes,
    offline: session?.offline ?? false,
    device,
  };
}
