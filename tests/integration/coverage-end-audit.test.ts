/**
 * Ending an absence (coverage.end) on the console, against the real portal backend, real store and router
 * (review findings, session 6; each failed before its fix):
 * - the change is audited on the absent clinician's record (entity 'staff', their id), as the server audits it
 *   (server/triage/coverage.ts endAbsence; DESIGN §7 per-record trail), not on the absence's id;
 * - ending an absence that has already ended, or whose last day is over, is refused with a typed CONFLICT, and
 *   no successful 'update' is recorded for a change that did not happen: the refused attempt is recorded as a
 *   failure on the clinician's record, as every refused call on a record is (src-main/ipc/router.ts).
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

  it('refuses to end an ended absence again: a typed conflict, recorded as a refused attempt only', async () => {
    const [ended] = (await doc.ok<AbsenceView[]>('coverage.list')).filter((a) => a.phase === 'ended');
    expect(ended).toBeDefined();
    const before = doc.core.store.audit.count();
    expect(await doc.call('coverage.end', { absenceId: ended!.id })).toEqual({
      ok: false,
      error: { code: 'CONFLICT', message: 'This absence has already ended.' },
    });
    expect(eventsSince(before)).toEqual([
      { action: 'update', entityType: 'staff', entityId: 'stf-clinician1', outcome: 'failure', fields: [] },
    ]);
  });

  it('refuses to end an absence whose last day is over although this PC has not synced since', async () => {
    const day = addLocalDays(TEST_TODAY, 3);
    const absence = await mark(day, day);
    expect(absence.phase).toBe('scheduled');
    // The morning after its only day: a new day, so the clinician signs in again (no sync runs: autoStart off).
    clinic.portal.clock.advance(4 * 86_400_000);
    expect((await doc.signIn('clinician1')).ok).toBe(true);
    expect(doc.core.store.coverage.absences().find((a) => a.id === absence.id)?.phase).toBe('scheduled');
    const before = doc.core.store.audit.count();
    expect(await doc.call('coverage.end', { absenceId: absence.id })).toEqual({
      ok: false,
      error: { code: 'CONFLICT', message: 'This absence has already ended.' },
    });
    const events = eventsSince(before);
    expect(events.filter((e) => e.outcome === 'success' && e.entityType === 'staff')).toEqual([]);
    expect(events.filter((e) => e.entityType === 'staff')).toEqual([
      { action: 'update', entityType: 'staff', entityId: 'stf-clinician1', outcome: 'failure', fields: [] },
    ]);
  });

  it('ends an absence once when the same end is sent twice at the same moment (a double click)', async () => {
    const day = addLocalDays(TEST_TODAY, 7);
    const absence = await mark(day, day);
    const before = doc.core.store.audit.count();
    const answers = await Promise.all([
      doc.call('coverage.end', { absenceId: absence.id }),
      doc.call('coverage.end', { absenceId: absence.id }),
    ]);
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    expect(answers.filter((a) => !a.ok)).toEqual([
      { ok: false, error: { code: 'CONFLICT', message: 'This absence has already ended.' } },
    ]);
    expect(
      eventsSince(before)
        .map((e) => `${e.entityType} ${e.entityId} ${e.action} ${e.outcome}`)
        .sort(),
    ).toEqual(['staff stf-clinician1 update failure', 'staff stf-clinician1 update success']);
  });
});
