/** Audit trail of the open record, the verify result and the person's account activity. Dropped on lock. */
import { create } from 'zustand';
import type { AuditEntryView, VerifyResult } from '../../../src-shared/views';
import { call, errorMessage } from '../api';
import { ifCurrent, phiEpoch } from './epoch';
import type { AuditEntity } from './ui';

interface AuditState {
  targetKey: string;
  trail: AuditEntryView[] | null;
  error: string | null;
  verify: VerifyResult | null;
  verifyError: string | null;
  activity: AuditEntryView[] | null;
  activityError: string | null;
}

const empty: AuditState = {
  targetKey: '',
  trail: null,
  error: null,
  verify: null,
  verifyError: null,
  activity: null,
  activityError: null,
};

export const useAudit = create<AuditState>()(() => empty);

export function resetAudit(): void {
  useAudit.setState(empty, true);
}

export async function loadTrail(entityType: AuditEntity, entityId: string): Promise<void> {
  const key = `${entityType}/${entityId}`;
  const started = phiEpoch();
  if (useAudit.getState().targetKey !== key)
    useAudit.setState({ targetKey: key, trail: null, error: null, verify: null });
  try {
    const trail = await call('audit.trail', { entityType, entityId });
    ifCurrent(started, () => {
      if (useAudit.getState().targetKey === key) useAudit.setState({ trail, error: null });
    });
  } catch (error) {
    ifCurrent(started, () => {
      if (useAudit.getState().targetKey === key) useAudit.setState({ error: errorMessage(error) });
    });
  }
}

export async function verifyLog(): Promise<void> {
  const started = phiEpoch();
  useAudit.setState({ verify: null, verifyError: null });
  try {
    const verify = await call('audit.verify', {});
    ifCurrent(started, () => useAudit.setState({ verify }));
  } catch (error) {
    ifCurrent(started, () => useAudit.setState({ verifyError: errorMessage(error) }));
  }
}

export async function loadActivity(): Promise<void> {
  const started = phiEpoch();
  try {
    const activity = await call('auth.accountActivity', {});
    ifCurrent(started, () => useAudit.setState({ activity, activityError: null }));
  } catch (error) {
    ifCurrent(started, () => useAudit.setState({ activityError: errorMessage(error) }));
  }
}
