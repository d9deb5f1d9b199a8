/**
 * Session 9, s9sec (adversarial, next to review 9 suspicion 5): the patient panel must not outlive a change that
 * may take the patient out of reach. It was kept on screen until its re-read answered, and kept for good when that
 * re-read failed (a patient evicted from this PC or deleted on the backend: NOT_FOUND), demographics and thread
 * subjects of a patient the PC no longer held. The console API is a scripted stand-in for `window.clinic` (the
 * stores run in Node without a browser, and answers are held back here); expectations by hand.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { OUT_OF_REACH } from '../../../src-shared/data-changes';
import type { PatientPanel } from '../../../src-shared/views';
import { dataChanged } from './data';
import { loadPatient, resetPatient, usePatient } from './patient';

const calls: { input: unknown; answer: (v: unknown) => void; fail: (e: unknown) => void }[] = [];
(globalThis as unknown as { window: unknown }).window = {
  clinic: new Proxy(
    {},
    {
      get: () => (input: unknown) => new Promise((answer, fail) => calls.push({ input, answer, fail })),
    },
  ),
};
const settle = () => new Promise((r) => setTimeout(r, 0));
const panel = (familyName: string): PatientPanel =>
  ({
    patient: {
      id: 'p1',
      mrn: 'MRN-1',
      givenName: 'Ottoline',
      familyName,
      birthDate: '1961-04-12',
      phone: '1',
    },
    upcoming: [],
    openThreads: [],
  }) as unknown as PatientPanel;

describe('the patient panel after a change that may take the patient out of reach', () => {
  beforeEach(() => {
    calls.length = 0;
    resetPatient();
  });

  it('goes at once, and an answer asked before is not shown', async () => {
    void loadPatient('p1');
    calls.shift()!.answer(panel('Quillfeather'));
    await settle();
    expect(usePatient.getState().panel?.patient.familyName).toBe('Quillfeather');
    void loadPatient('p1');
    dataChanged(['patient', OUT_OF_REACH]);
    expect(usePatient.getState().panel).toBeNull();
    calls.shift()!.answer(panel('Quillfeather (asked before)'));
    await settle();
    expect(usePatient.getState().panel).toBeNull();
    // Its re-read shows it again.
    void loadPatient('p1');
    calls.shift()!.answer(panel('Quillfeather (asked after)'));
    await settle();
    expect(usePatient.getState().panel?.patient.familyName).toBe('Quillfeather (asked after)');
  });

  it('goes when its re-read fails (no longer on this PC)', async () => {
    void loadPatient('p1');
    calls.shift()!.answer(panel('Quillfeather'));
    await settle();
    void loadPatient('p1');
    calls.shift()!.fail(Object.assign(new Error('No such patient'), { code: 'NOT_FOUND' }));
    await settle();
    expect(usePatient.getState().panel).toBeNull();
    expect(usePatient.getState().error).not.toBeNull();
  });
});
