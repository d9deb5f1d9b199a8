/**
 * Ending an absence (coverage.end) on the console, against the real portal backend, real store and router
 * (review findings, session 6; each failed before its fix):
 * - the change is audited on the absent clinician's record (entity 'staff', their id), as the server audits it
 *   (server/triage/coverage.ts endAbsence; DESIGN §7 per-record trail), not on the absence's id;
 * Expectations written by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { addLocalDays } from '../../src-shared/clinic-time';
import type { AbsenceView } from '../../src-shared/coverage';
import { TEST_TODAY, type TestConsole } from '../helpers/console-harness';
import { useSyncedConsole } from '../helpers/synced-consoles';

const clinic = useSyncedConsole('clinician1', { console: { autoStart: false } });
let doc: TestConsole;

beforeAll(() => {
  doc = clinic.console;
});

/** The console's own audit events written since `from` (sequence order): what its trails and sync carry. */
function eventsSince(from: number) {
  return [...doc.core.store.audit.iterate()].slice(from).map((e) => ({
    action: e.action,
    entityType: e.entity_type,
    entityId: e.entity_id,
    outcome: e.outcome,
    fields: JSON.parse(e.fields) as string[],
  }));
}

const mark = (startDate: string, endDate: string) =>
  doc.ok<AbsenceView>('coverage.set', {
    staffId: 'stf-clinician1',
    coverId: 'stf-clinician2',
    startDate,
    endDate,
  });

describe('coverage.end on the console', () => {
  it('is audited on the absent clinician’s record, as the server audits it', async () => {
    const absence = await mark(TEST_TODAY, addLocalDays(TEST_TODAY, 1));
    expect(absence.phase).toBe('active');
    const before = doc.core.store.audit.count();
    const ended = await doc.ok<AbsenceView>('coverage.end', { absenceId: absence.id });
    expect(ended).toMatchObject({ id: absence.id, phase: 'ended', endDate: TEST_TODAY });
    expect(eventsSince(before)).toEqual([
      {
        action: 'update',
        entityType: 'staff',
        entityId: 'stf-clinician1',
        outcome: 'success',
        fields: ['absence', 'endDate'],
      },
    ]);
  });
});
