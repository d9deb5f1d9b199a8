/**
 * The sync bar's state (issue 12): the error of a "Sync now" click stays while the console is offline or in
 * error, and is gone as soon as a status says online again, so old red text never sits beside "All changes
 * synced".
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../../src-shared/views';
import { resetSync, setSyncError, setSyncStatus, useSync } from './sync';

const status = (connection: SyncStatus['connection'], pending = 0): SyncStatus => ({
  connection,
  pending,
  lastSyncedAt: null,
  progress: null,
  problems: 0,
});

describe('sync bar state', () => {
  beforeEach(() => resetSync());

  it('keeps a failed sync error while offline and clears it when online again', () => {
    setSyncStatus(status('offline', 2), false);
    setSyncError('The portal backend cannot be reached.');
    setSyncStatus(status('syncing', 2), false);
    setSyncStatus(status('offline', 3), false);
    expect(useSync.getState().error).toBe('The portal backend cannot be reached.');
    setSyncStatus(status('online', 0), false);
    expect(useSync.getState().error).toBeNull();
    expect(useSync.getState().status).toEqual(status('online', 0));
  });

  it('an error status keeps the error text', () => {
    setSyncError('Sync error: the server refused this session.');
    setSyncStatus(status('error'), false);
    expect(useSync.getState().error).toMatch(/refused this session/);
  });
});
