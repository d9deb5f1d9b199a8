import { describe, expect, it } from 'vitest';
import { useTestStore } from '../../tests/helpers/sync-store';
import { ReplyTemplates } from './templates';

const testStore = useTestStore('clinic-templates-');

describe('personal reply templates saved before ill-formed text was refused at input', () => {
  it('are listed, and saved again, with U+FFFD for each lone surrogate (the router refuses the raw text)', () => {
    const { store } = testStore();
    // As the release before wrote it: JSON.stringify keeps a lone surrogate as the escape \ud83d.
    const old = {
      id: 'personal-1',
      title: 'Thanks \ud83d',
      body: 'See you soon \udc00!',
      scope: 'personal',
      pool: null,
    };
    store.settings.set('reply-templates/stf-1', JSON.stringify([old]));
    const templates = new ReplyTemplates(store.settings);
    const mine = templates.list('stf-1').filter((t) => t.scope === 'personal');
    expect(mine).toEqual([{ ...old, title: 'Thanks \ufffd', body: 'See you soon \ufffd!' }]);
    const saved = templates.save('stf-1', { id: 'personal-1', title: mine[0]!.title, body: mine[0]!.body });
    expect(saved.title.isWellFormed() && saved.body.isWellFormed()).toBe(true);
  });
});
