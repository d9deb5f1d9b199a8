/**
 * Which console method each pushed mutation comes from, so the portal backend repeats the contract's role
 * checks (DESIGN.md §6 "the server repeats the checks", issue 10) without a second list of roles.
 */
import { contract, type MethodName } from './contract';
import type { Role } from './domain';
import type { MutationOpName } from './sync';

/** The contract method whose roles govern each mutation op (claim/release/assign all push thread.assign). */
export const MUTATION_METHOD: Record<Exclude<MutationOpName, 'audit.append'>, MethodName> = {
  'appointment.book': 'appointment.book',
  'appointment.reschedule': 'appointment.reschedule',
  'appointment.cancel': 'appointment.cancel',
  'appointment.checkIn': 'appointment.checkIn',
  'appointment.noShow': 'appointment.noShow',
  'appointment.room': 'appointment.room',
  'appointment.complete': 'appointment.complete',
  'appointment.undoStatus': 'appointment.undo',
  'appointment.setVirtual': 'appointment.setVirtual',
  'thread.assign': 'thread.assign',
  'thread.setPriority': 'thread.setPriority',
  'thread.setStatus': 'thread.setStatus',
  'thread.route': 'thread.route',
  'breakGlass.open': 'breakGlass.open',
  'message.send': 'thread.reply',
  'series.create': 'series.book',
  'series.setRule': 'series.cancel',
  'waitlist.add': 'waitlist.add',
  'waitlist.remove': 'waitlist.remove',
};

/** True when `role` may push `op` (the roles of the contract method behind it). audit.append: any staff. */
export function roleMayPush(role: Role, op: MutationOpName): boolean {
  if (op === 'audit.append') return true;
  const roles = contract[MUTATION_METHOD[op]].roles;
  return roles === 'any' || roles.includes(role);
}
