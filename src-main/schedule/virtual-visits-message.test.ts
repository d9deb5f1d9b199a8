/**
 * Adversarial review (session 4) of issue 13b's virtual-visit link sent to the patient (sendVirtualLink). Each
 * test failed on main d4f825f (review 4, session 4) and guards its fix.
 * Real encrypted store; a clinic location in America/New_York (issue 13 §1: every time in the location's zone).
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
const desk: StaffRecord = {
  id: 'staff-desk',
  username: 'desk',
  displayName: 'Desk',
  role: 'receptionist',
  providerId: null,
  version: 1,
};

beforeEach(() => {
  const tmp = tempDir();
  cleanup = tmp.cleanup;
  const { db, file } = openDatabase(tmp.dir, crypto.randomBytes(32).toString('hex'));
  store = new Store(db, file);
  inbox = new InboxService(store, { now: () => Date.parse('2026-11-21T12:00:00.000Z') }, () => {});
  store.transaction(() => {
    for (const p of DEFAULT_POOLS) store.pools.upsert({ ...p, version: 1 });
    store.locations.upsert({
      id: 'loc-ny',
      name: 'Main street',
      timeZone: 'America/New_York',
      walkInMinutes: 30,
      version: 1,
    });
    store.providers.upsert({
      id: 'prov-1',
      name: 'Dr. Amara Okafor',
      specialty: 'Family medicine',
      locationId: 'loc-ny',
      slotMinutes: 30,
      dayStartMinute: 8 * 60,
      dayEndMinute: 17 * 60,
      version: 1,
    });
    store.patients.upsert(patientFixture());
    // 09:00 in New York on Tuesday 24 November 2026 (14:00 UTC).
    store.appointments.upsert(
      appointmentFixture({
        start: '2026-11-24T14:00:00.000Z',
        end: '2026-11-24T14:30:00.000Z',
        virtualLink: 'https://visit.clinic.example/v/apt-1',
      }),
    );
    store.threads.upsert(threadFixture({ id: 't-admin', poolId: 'front-desk' }));
  });
});
afterEach(() => {
  store.close();
  cleanup();
});

const sentBody = (threadId: string, messageId: string): string =>
  store.messages.forThread(threadId).find((m) => m.id === messageId)!.body;

describe('the virtual-visit link sent to the patient (review of issue 13b)', () => {
  it('tells a New York patient the clinic’s local time (09:00), not UTC', () => {
    const { threadId, messageId } = sendVirtualLink(store, inbox, desk, 'apt-1');
    const body = sentBody(threadId, messageId);
    expect(body).toContain('09:00');
    expect(body).not.toContain('UTC');
  });

  it('does not send the link of a cancelled visit', () => {
    store.appointments.upsert(
      appointmentFixture({
        start: '2026-11-24T14:00:00.000Z',
        end: '2026-11-24T14:30:00.000Z',
        virtualLink: 'https://visit.clinic.example/v/apt-1',
        status: 'cancelled',
        cancelReason: 'Patient called',
        cancelCode: 'patient-request',
        version: 2,
      }),
    );
    expect(() => sendVirtualLink(store, inbox, desk, 'apt-1')).toThrow(
      expect.objectContaining({ code: 'CONFLICT' }),
    );
  });
});
