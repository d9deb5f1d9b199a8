/**
 * The server's verdict on a change made at the desk, awaited while the dialog is still open (issue 13 §7:
 * "booking is confirmed while you wait"). The console pushes the change at once and waits at most
 * CONFIRM_WAIT_MS for the answer; offline, or without an answer in time, the change stays on this PC and the
 * appointment shows "not confirmed yet" until the server confirms it (DESIGN.md §5).
 */
import { z } from 'zod';

/** How long a dialog waits for the server's verdict before it closes with "not confirmed yet" (issue 13 §7). */
export const CONFIRM_WAIT_MS = 1000;

export const ChangeVerdict = z.discriminatedUnion('outcome', [
  /** The server applied every pending change to the record. */
  z.strictObject({ outcome: z.literal('confirmed') }),
  /**
   * The server refused the change (conflict: e.g. the slot was booked at another desk; rejected: a rule).
   * The local record shows the server's again; `message` says what happened and what to do (no PHI beyond
   * what the desk already sees).
   */
  z.strictObject({
    outcome: z.literal('refused'),
    kind: z.enum(['conflict', 'rejected']),
    message: z.string().max(2000),
  }),
  /** Offline, sync stopped, or no verdict within the wait: kept locally, "not confirmed yet". */
  z.strictObject({ outcome: z.literal('unconfirmed'), why: z.enum(['offline', 'timeout']) }),
]);
export type ChangeVerdict = z.infer<typeof ChangeVerdict>;
