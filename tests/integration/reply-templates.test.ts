/**
 * Issue 14, deliverable 5: saved replies through the router of a real core — the clinic's templates and each
 * person's own, kept apart per person; bad input refused with a typed error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplyTemplate } from '../../src-shared/views';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';

let portal: TestPortal;
let desk: TestConsole;

beforeAll(async () => {
  portal = await startPortal();
  desk = await startConsole(portal, { autoStart: false });
});
afterAll(async () => {
  await desk?.close();
  await portal?.close();
});

const list = () => desk.ok<ReplyTemplate[]>('inbox.templates');

describe('reply templates', () => {
  it("lists the clinic's templates and only the signed-in person's own", async () => {
    expect((await desk.signIn('clinician1')).ok).toBe(true);
    const clinic = await list();
    expect(clinic.length).toBeGreaterThan(0);
    expect(clinic.every((t) => t.scope === 'clinic' && t.pool === null)).toBe(true);

    const mine = await desk.ok<ReplyTemplate>('templates.savePersonal', {
      title: 'Lab closed',
      body: 'Dear {{first_name}}, the lab is closed today; {{provider}} will call you.',
    });
    expect(mine).toMatchObject({ scope: 'personal', pool: null, title: 'Lab closed' });
    expect((await list()).filter((t) => t.scope === 'personal')).toEqual([mine]);
    const edited = await desk.ok<ReplyTemplate>('templates.savePersonal', {
      ...pick(mine),
      title: 'Lab shut',
    });
    expect((await list()).filter((t) => t.scope === 'personal')).toEqual([edited]);

    await desk.ok('auth.signOut');
    expect((await desk.signIn('clinician2')).ok).toBe(true);
    expect((await list()).filter((t) => t.scope === 'personal')).toEqual([]);
    // Someone else's template id is not theirs to change or delete.
    const foreign = await desk.call('templates.savePersonal', { ...pick(mine), title: 'Mine now' });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await desk.call('templates.deletePersonal', { id: mine.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });

    await desk.ok('auth.signOut');
    expect((await desk.signIn('clinician1')).ok).toBe(true);
    await desk.ok('templates.deletePersonal', { id: mine.id });
    expect((await list()).filter((t) => t.scope === 'personal')).toEqual([]);
  });

  it('refuses empty or oversized templates with VALIDATION and stores nothing', async () => {
    for (const input of [
      { title: '  ', body: 'x' },
      { title: 'x', body: '' },
      { title: 'x'.repeat(81), body: 'x' },
      { title: 'x', body: 'x'.repeat(5_001) },
      { title: 'x', body: 'x', scope: 'clinic' },
    ]) {
      expect(await desk.call('templates.savePersonal', input)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
    }
    expect((await list()).filter((t) => t.scope === 'personal')).toEqual([]);
  });
});

const pick = (t: ReplyTemplate) => ({ id: t.id, title: t.title, body: t.body });
