/**
 * Sending a virtual-visit link (issue 13 §9) meets triage pools (issue 14a): the link goes into an open
 * conversation the staff member's role may reply in. A receptionist's reply in a clinical pool is refused by the
 * server, so choosing the patient's most recent thread when it is clinical lost the link (integration e2e run).
 */
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StaffRecord } from '../../src-shared/domain';
import { DEFAULT_POOLS } from '../../src-shared/triage';
import { appointmentFixture, patientFixture, threadFixture } from '../../tests/helpers/fixtures';
import { tempDir } from '../../tests/helpers/tmp';
import { InboxService } from '../inbox/inbox-service';
import { openDatabase } from '../store/open';
import { Store } from '../store/store';
import { sendVirtualLink } from './virtual-visits';

let store: Store;
let cleanup: () => void;
let inbox: InboxService;

const staff = (role: StaffRecord['role']): StaffRecord => ({
  id: `staff-${role}`,
  username: role,
  displayName: role,
  role,
  providerId: null,
  version: 1,
});

beforeEach(() => {
  const tmp = tempDir();
  cleanup = tmp.cleanup;
  const { db, file } = openDatabase(tmp.dir, crypto.randomBytes(32).toString('hex'));
  store = new Store(db, file);
  inbox = new InboxService(store, { now: () => Date.parse('2026-11-21T12:00:00.000Z') }, () => {});
  store.transaction(() => {
    for (const p of DEFAULT_POOLS) store.pools.upsert({ ...p, version: 1 });
    store.patients.upsert(patientFixture());
    store.appointments.upsert(appointmentFixture({ virtualLink: 'https://visit.clinic.example/v/apt-1' }));
    // The administrative conversation is older than the clinical one.
    store.threads.upsert(
      threadFixture({ id: 't-admin', poolId: 'front-desk', lastMessageAt: '2026-11-20T10:00:00.000Z' }),
    );
    store.threads.upsert(
      threadFixture({ id: 't-clinical', poolId: 'clinical', lastMessageAt: '2026-11-21T10:00:00.000Z' }),
    );
  });
});
afterEach(() => {
  store.close();
  cleanup();
});

describe('sendVirtualLink', () => {
  it("a receptionist's link goes into the open administrative conversation, not the newer clinical one", () => {
    expect(sendVirtualLink(store, inbox, staff('receptionist'), 'apt-1').threadId).toBe('t-admin');
  });

  it('a clinician may send it in the most recent open conversation, clinical or not', () => {
    expect(sendVirtualLink(store, inbox, staff('clinician'), 'apt-1').threadId).toBe('t-clinical');
  });

  it('a receptionist whose patient has only clinical conversations is told to give the link by phone', () => {
    store.threads.upsert(threadFixture({ id: 't-admin', poolId: 'front-desk', status: 'done' }));
    expect(() => sendVirtualLink(store, inbox, staff('receptionist'), 'apt-1')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringMatching(/by phone/) }),
    );
  });
});
