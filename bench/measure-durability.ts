/**
 * Issue 16 §3, session 6 (s6read): what the durable audit trail costs (src-main/store/durability.ts). Helpers for
 * bench/measure-router.ts to time a call with the connection at `synchronous = NORMAL` (the setting before, and
 * still a pull batch's) interleaved with the store's durable FULL, and the booking rows.
 */
import { demoStaff } from '../server/demo/credentials';
import { addLocalDays } from '../src-shared/clinic-time';
import { slotGrid } from '../src-shared/schedule-rules';
import type { ScheduleView } from '../src-shared/views';
import type { Core } from '../src-main/core/create-core';
import type { Backend } from './env';
import { msSince } from './stats';

const ORIGIN = 'bench://console';

/**
 * Run `fn` with the connection at `synchronous = NORMAL` (the setting before the durable audit trail, and still a
 * pull batch's: src-main/store/durability.ts), then back at the store's durable FULL. The switch is not timed.
 */
export async function withNormal<T>(core: Core, fn: () => Promise<T> | T): Promise<T> {
  core.store.db.pragma('synchronous = NORMAL');
  try {
    return await fn();
  } finally {
    core.store.db.pragma('synchronous = FULL');
  }
}

/** Time `fn` (ms); a synchronous `fn` is timed without an await in between. */
export async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = process.hrtime.bigint();
  const r = fn();
  if (r instanceof Promise) await r;
  return msSince(t);
}

/**
 * The cost of durability to an everyday front-desk write (issue 16 §3): a receptionist books a visit and cancels
 * it through the router, each commit durable (FULL) and, interleaved, with NORMAL. One free slot 30 days ahead
 * is found by booking (the first a provider's grid accepts) and reused: a cancelled visit frees it.
 */
export async function measureBooking(
  core: Core,
  backend: Backend,
  rounds: number,
  call: (core: Core, method: string, input: unknown) => Promise<unknown>,
): Promise<{ book: number[]; bookNormal: number[]; cancel: number[]; cancelNormal: number[] }> {
  await call(core, 'auth.signIn', {
    username: 'reception1',
    password: demoStaff('reception1').password,
    totp: backend.totpFor('reception1'),
  });
  const patientId = core.store.db.prepare('SELECT id FROM patients LIMIT 1').pluck().get() as string;
  const today = ((await call(core, 'schedule.range', { from: '2026-01-01', days: 1 })) as ScheduleView).today;
  let slot: { providerId: string; start: string; end: string } | null = null;
  for (let d = 30; d < 40 && !slot; d++) {
    const day = addLocalDays(today, d);
    const view = (await call(core, 'schedule.range', { from: day, days: 1 })) as ScheduleView;
    for (const provider of view.providers.slice(0, 5)) {
      for (const g of slotGrid(provider, view.location, day)) {
        const input = {
          patientId,
          providerId: provider.id,
          start: g.start,
          end: g.end,
          reason: 'Check-up',
          virtual: false,
        };
        const r = await core.router.call('appointment.book', input, { origin: ORIGIN, isMainFrame: true });
        if (!r.ok) continue;
        await call(core, 'appointment.cancel', {
          appointmentId: (r.value as { appointmentId: string }).appointmentId,
          reason: 'Bench',
        });
        slot = { providerId: provider.id, start: g.start, end: g.end };
        break;
      }
      if (slot) break;
    }
  }
  if (!slot) throw new Error('no bookable slot found');
  const input = { patientId, ...slot, reason: 'Check-up', virtual: false };
  const out = {
    book: [] as number[],
    bookNormal: [] as number[],
    cancel: [] as number[],
    cancelNormal: [] as number[],
  };
  const once = async (book: number[], cancel: number[]) => {
    let id = '';
    book.push(
      await timeIt(async () => {
        id = ((await call(core, 'appointment.book', input)) as { appointmentId: string }).appointmentId;
      }),
    );
    cancel.push(await timeIt(() => call(core, 'appointment.cancel', { appointmentId: id, reason: 'Bench' })));
  };
  for (let r = 0; r < rounds; r++) {
    await once(out.book, out.cancel);
    await withNormal(core, () => once(out.bookNormal, out.cancelNormal));
  }
  // The warm-up rounds are dropped.
  for (const list of Object.values(out)) list.splice(0, Math.min(20, Math.floor(rounds / 10)));
  return out;
}
