/**
 * Session 12: readsEveryPool, the one rule "every pool readable and a clinical one among them" (DESIGN §6; session 11
 * review) behind mayAskForBody and the drafts kept after a reach change (state/inbox.ts). Expected values by hand.
 */
import { describe, expect, it } from 'vitest';
import { readsEveryPool } from './triage';

const adminReadable = { kind: 'administrative', readable: true } as const;
const clinicalReadable = { kind: 'clinical', readable: true } as const;
const clinicalWithheld = { kind: 'clinical', readable: false } as const;

describe('readsEveryPool', () => {
  it('is false for a receptionist whose pools are all administrative and all readable', () => {
    expect(readsEveryPool([adminReadable, adminReadable])).toBe(false);
  });

  it('is true for a clinician: every pool readable, a clinical one among them', () => {
    expect(readsEveryPool([adminReadable, clinicalReadable])).toBe(true);
    expect(readsEveryPool([clinicalReadable])).toBe(true);
  });

  it('is false when one pool is not readable', () => {
    expect(readsEveryPool([adminReadable, clinicalReadable, clinicalWithheld])).toBe(false);
    expect(readsEveryPool([adminReadable, clinicalWithheld])).toBe(false);
  });

  it('is false for an empty list: the pools are not known yet, nothing is assumed', () => {
    expect(readsEveryPool([])).toBe(false);
  });
});
