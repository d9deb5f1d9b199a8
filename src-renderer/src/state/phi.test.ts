/**
 * On lock the renderer's stores must hold no PHI: every store is filled with marked patient data, clearPhi() runs,
 * and no marker may remain anywhere in any store's state (the DOM side is covered by tests/e2e/idle-lock.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { threadSummaryFixture } from './test-fixtures';
import { useAudit } from './audit';
import { useData } from './data';
import { useInbox } from './inbox';
import { usePatient } from './patient';
import { clearPhi } from './phi';
import { useReference } from './reference';
import { useSchedule } from './schedule';
import { useSession } from './session';
import { useSync } from './sync';
import { useUi } from './ui';

const PHI = [
  'Ottoline Quillfeather',
  'MRN-424242',
  '1961-04-12',
  'swelling since the marathon',
  'Quillfeather',
];
const patient = {
  id: 'p1',
  mrn: PHI[1]!,
  givenName: 'Ottoline',
  familyName: 'Quillfeather',
  birthDate: PHI[2]!,
  phone: '555-0101',
};
const thread = threadSummaryFixture({ patientName: PHI[0]!, snippet: PHI[3]! });
const appointment = {
  id: 'a1',
  patientId: 'p1',
  patientName: PHI[0]!,
  providerId: 'prv',
  start: '2026-11-23T09:00:00.000Z',
  end: '2026-11-23T09:30:00.000Z',
  status: 'booked' as const,
  reason: PHI[3]!,
  cancelReason: null,
  virtualLink: null,
  cancelCode: null,
  overlapReason: null,
  pending: false,
  version: 1,
};

const allState = (): string =>
  JSON.stringify([
    useAudit.getState(),
    useData.getState(),
    useInbox.getState(),
    usePatient.getState(),
    useReference.getState(),
    useSchedule.getState(),
    useSession.getState(),
    useSync.getState(),
    useUi.getState(),
  ]);

describe('clearPhi', () => {
  it('leaves no patient data in any store', () => {
    useInbox.setState({
      pages: { 0: { rows: [thread], gen: 0 } },
      total: 1,
      searchText: PHI[4]!,
      search: PHI[4]!,
      detail: {
        thread,
        patient,
        messages: [
          {
            id: 'm1',
            authorKind: 'patient',
            authorName: PHI[0]!,
            body: PHI[3]!,
            sentAt: thread.lastMessageAt,
            attachments: [],
            pending: false,
          },
        ],
      },
      drafts: { t1: `Dear ${PHI[0]!}` },
    });
    useSchedule.setState({
      view: {
        from: appointment.start,
        to: appointment.end,
        location: { id: 'loc-main', name: 'Main clinic', timeZone: 'America/New_York', walkInMinutes: 30 },
        locations: [],
        today: '2026-11-23',
        now: 0,
        providers: [],
        appointments: [appointment],
      },
    });
    usePatient.setState({
      patientId: 'p1',
      panel: { patient, upcoming: [appointment], openThreads: [thread] },
    });
    useAudit.setState({ trail: [], error: PHI[0]! });
    const before = allState();
    for (const marker of PHI) expect(before).toContain(marker);

    clearPhi();

    const after = allState();
    for (const marker of PHI) expect(after).not.toContain(marker);
  });
});
