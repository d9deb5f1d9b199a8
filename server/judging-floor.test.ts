/**
 * Review 5 of the review-4 fix "judging time floored at the device's latest pushed change" (server/schedule/
 * bookable.ts judgedInstant, devices.last_change_at). An honest console's outbox is pushed in order, but not
 * always applied in order: a change the server failed on unexpectedly ('The server could not
 * apply this change.': a thrown error, rolled back, e.g. a busy database or a serialization failure) is kept back
 * at the head of the queue and retried (src-main/sync/engine.ts resolve(): `deferred++; continue`), while the
 * rest of that batch is applied. The later changes then raise the floor, and the retried change is judged at
 * their time, not at its own. Here the server's own database fails the check-in once (a trigger on its SQLite
 * file, dropped before the retry), in one push with the next morning's booking. SQLite store only: the trigger is
 * SQLite's. Clock: Monday 2 March 2026 09:00 UTC; clinic in UTC; prv-001 15-minute slots.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { bookOp, outcomeOf, useServerDesk } from './test/desk';

const desk = useServerDesk();

describe.skipIf(process.env.CLINIC_TEST_STORE === 'postgres')(
  'judging-time floor and a retried change (review 5)',
  () => {
    it("an offline check-in on the visit's day, retried after the next morning's change was applied, still counts", async () => {
      const visit = randomUUID();
      const booked = await desk.pushOne(
        visit,
        bookOp('pat-000001', 'prv-001', {
          start: '2026-03-02T16:00:00.000Z',
          end: '2026-03-02T16:15:00.000Z',
        }),
      );
      expect(outcomeOf(booked)).toBe('applied');
      // The network goes down. 16:05 Monday: the patient is checked in on this PC (queued).
      const checkIn = desk.mutation(
        visit,
        { op: 'appointment.checkIn' },
        { baseVersion: 1, createdAt: '2026-03-02T16:05:00.000Z' },
      );
      // 08:30 Tuesday, still offline: the next morning's first booking (queued behind it).
      const tuesday = desk.mutation(
        randomUUID(),
        bookOp('pat-000002', 'prv-001', {
          start: '2026-03-04T10:00:00.000Z',
          end: '2026-03-04T10:15:00.000Z',
        }),
        { createdAt: '2026-03-03T08:30:00.000Z' },
      );
      // 08:35 Tuesday the network is back; the outbox is pushed as [checkIn, tuesday]. The server fails on the
      // check-in (its database refuses once; nothing stored) and applies the booking; the console keeps the
      // check-in back and sends it again in its next cycle.
      desk.run.clock.ms = Date.parse('2026-03-03T08:35:00.000Z');
      await desk.signInAgain();
      const db = new Database(path.join(desk.run.dataDir, 'portal.sqlite'));
      try {
        db.exec(`CREATE TRIGGER fail_check_in BEFORE UPDATE OF status ON appointments
               WHEN new.status = 'checked-in' BEGIN SELECT RAISE(ABORT, 'transient'); END`);
        const first = await desk.push([checkIn, tuesday]);
        expect(first.map((r) => r.status)).toEqual(['rejected', 'applied']);
        expect(first[0]!.status === 'rejected' && first[0]!.reason).toBe(
          'The server could not apply this change.',
        );
        db.exec('DROP TRIGGER fail_check_in');
      } finally {
        db.close();
      }
      // Judged at Monday 16:05, its own time, not at the floor the booking behind it would have raised.
      expect(outcomeOf((await desk.push([checkIn]))[0]!)).toBe('applied');
    });
  },
);
