/**
 * Review 7 U3 ("Assign to…" offered deactivated colleagues): the list the thread view offers, from a staff list
 * written by hand.
 */
import { describe, expect, it } from 'vitest';
import type { ColleagueView } from '../../../../src-shared/views';
import { assignableColleagues } from './assignable';

const person = (id: string, role: ColleagueView['role'], active = true): ColleagueView => ({
  id,
  username: id,
  displayName: id,
  role,
  active,
});
const staff = [
  person('admin-me', 'admin'),
  person('admin-other', 'admin'),
  person('clin-active', 'clinician'),
  person('clin-gone', 'clinician', false),
  person('recep-active', 'receptionist'),
  person('recep-gone', 'receptionist', false),
];

describe('"Assign to…"', () => {
  it('offers active colleagues whose role may work the pool, never a deactivated one', () => {
    expect(assignableColleagues(staff, 'admin-me', 'clinical').map((s) => s.id)).toEqual([
      'admin-me',
      'clin-active',
    ]);
    expect(assignableColleagues(staff, 'clin-active', 'administrative').map((s) => s.id)).toEqual([
      'clin-active',
      'recep-active',
    ]);
  });
});
