/**
 * Issue 16 §2 (session 8, s8sync): the pull answer is validated with zod's compiled fast path (`z.compile` of
 * PullResponse, pull-decode.ts). It must accept exactly what the regular PullResponse parser accepts, give the
 * same value for it (instants normalised, keys in the schema's order), and refuse what it refuses with the same
 * SyncProtocolError text (paths and issue codes, never values). Each case below is written by hand with the
 * verdict the schemas in src-shared give it (valid or not), so a path that accepted garbage would fail here even if
 * both paths agreed. The worker thread (the real decode path of a long pull) is checked on the same cases.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PullResponse } from '../../src-shared/sync';
import { SyncProtocolError, validateAnswer } from './apply-changes';
import { PullResponseCompiled, decodePullAnswer } from './pull-decode';
import { PullDecoder } from './pull-decoder';

const T = '2026-03-01T10:00:00.000Z';
const THREAD = {
  id: 'thr-1',
  patientId: 'pat-1',
  subject: 'About my prescription',
  status: 'new',
  priority: 'routine',
  assigneeId: null,
  providerId: 'prv-001',
  createdAt: T,
  updatedAt: T,
  lastMessageAt: T,
  dueAt: '2026-03-02T10:00:00.000Z',
  version: 1,
  topic: 'prescription-refill',
  poolId: 'pool-rx',
};
const MESSAGE = {
  id: 'msg-1',
  threadId: 'thr-1',
  authorKind: 'patient',
  authorId: 'pat-1',
  body: 'My blood pressure tablets ran out.',
  sentAt: T,
  version: 2,
};
const APPOINTMENT = {
  id: 'apt-1',
  patientId: 'pat-1',
  providerId: 'prv-001',
  start: '2026-03-05T09:00:00.000Z',
  end: '2026-03-05T09:30:00.000Z',
  status: 'booked',
  reason: 'Follow-up',
  cancelReason: null,
  virtualLink: null,
  version: 1,
  cancelCode: null,
  overlapReason: null,
};
/** As a lean pull serves it (no chain hashes: PULL_LEAN_HEADER). */
const AUDIT = {
  id: 'aud-1',
  at: T,
  staffId: 'stf-1',
  role: 'clinician',
  deviceId: 'server',
  action: 'read',
  entityType: 'thread',
  entityId: 'thr-1',
  outcome: 'success',
  fields: [],
  actorKind: 'staff',
  version: 1,
};
const PATIENT = {
  id: 'pat-1',
  mrn: '0000001',
  givenName: 'Ana',
  familyName: 'Silva',
  birthDate: '1980-02-29',
  phone: null,
  version: 3,
};
const ATTACHMENT = {
  id: 'att-1',
  messageId: 'msg-1',
  fileName: 'scan.pdf',
  mimeType: 'application/pdf',
  size: 4,
  contentBase64: 'AAECAw==',
  version: 1,
};
const STAFF = {
  id: 'stf-1',
  username: 'clinician1',
  displayName: 'Dr One',
  role: 'clinician',
  providerId: 'prv-001',
  version: 1,
};

type Entity = 'thread' | 'message' | 'appointment' | 'audit' | 'patient' | 'attachment' | 'staff';
const page = (changes: unknown[], extra: Record<string, unknown> = {}) => ({
  changes,
  cursor: '42',
  hasMore: true,
  remaining: 7,
  ...extra,
});
const one = (entity: Entity, data: unknown) =>
  page([{ entity, id: (data as { id?: string } | null)?.id ?? 'x-1', data }]);
const without = (record: Record<string, unknown>, key: string) =>
  Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));

/** [name, the answer (an object, or raw JSON text), whether the schemas accept it]. */
const CASES: [string, unknown, boolean][] = [
  // Valid answers.
  ['a thread', one('thread', THREAD), true],
  [
    'a thread from a server before issue 14 (no topic, no poolId)',
    one('thread', without(without(THREAD, 'topic'), 'poolId')),
    true,
  ],
  ['a thread with poolId null and dueAt null', one('thread', { ...THREAD, poolId: null, dueAt: null }), true],
  [
    'a thread with its keys in another order',
    one('thread', Object.fromEntries(Object.entries(THREAD).reverse())),
    true,
  ],
  [
    'instants with an offset and without milliseconds (normalised)',
    one('thread', {
      ...THREAD,
      createdAt: '2026-03-01T12:00:00+02:00',
      updatedAt: '2026-03-01T10:00:00Z',
      lastMessageAt: '2026-02-28T23:30:00.5-01:00',
    }),
    true,
  ],
  ['a leap day', one('thread', { ...THREAD, createdAt: '2028-02-29T10:00:00.000Z' }), true],
  ['a message', one('message', MESSAGE), true],
  ['a message body of 20,000 characters', one('message', { ...MESSAGE, body: 'a'.repeat(20_000) }), true],
  ['an appointment', one('appointment', APPOINTMENT), true],
  [
    'a cancelled virtual appointment of a series',
    one('appointment', {
      ...APPOINTMENT,
      status: 'cancelled',
      cancelCode: 'patient-unwell',
      cancelReason: 'flu',
      virtualLink: 'https://meet.example.org/r/abc?x=1',
      seriesId: 'ser-1',
    }),
    true,
  ],
  ['an appointment with seriesId null', one('appointment', { ...APPOINTMENT, seriesId: null }), true],
  ['a lean audit event', one('audit', AUDIT), true],
  [
    'an audit event with its chain hashes and break-glass',
    one('audit', {
      ...AUDIT,
      prevHash: 'a'.repeat(64),
      hash: 'b'.repeat(64),
      purposeOfEvent: 'BTG',
      fields: ['subject', 'status'],
    }),
    true,
  ],
  [
    'a portal audit event (no staff, no role)',
    one('audit', { ...AUDIT, staffId: null, role: null, actorKind: 'patient', entityId: null }),
    true,
  ],
  ['a patient', one('patient', PATIENT), true],
  ['an attachment', one('attachment', ATTACHMENT), true],
  ['a deactivated staff member', one('staff', { ...STAFF, active: false }), true],
  ['a deletion', page([{ entity: 'thread', id: 'thr-9', data: null }]), true],
  [
    'a mixed page with withheld threads',
    page(
      [
        { entity: 'thread', id: 'thr-1', data: THREAD },
        { entity: 'message', id: 'msg-1', data: MESSAGE },
        { entity: 'audit', id: 'aud-1', data: AUDIT },
      ],
      { withheld: ['thr-2'] },
    ),
    true,
  ],
  ['an empty last page', { changes: [], cursor: '0', hasMore: false, remaining: 0 }, true],
  // Wrong types.
  ['a version as text', one('thread', { ...THREAD, version: '1' }), false],
  ['a fractional version', one('message', { ...MESSAGE, version: 1.5 }), false],
  ['a negative version', one('appointment', { ...APPOINTMENT, version: -1 }), false],
  ['a version past the safe integers', one('audit', { ...AUDIT, version: 1e20 }), false],
  ['a body that is a number', one('message', { ...MESSAGE, body: 7 }), false],
  ['a poolId that is a number', one('thread', { ...THREAD, poolId: 5 }), false],
  ['fields that is not an array', one('audit', { ...AUDIT, fields: 'subject' }), false],
  ['data that is text', one('thread', 'thr-1'), false],
  ['data that is an array', one('message', [MESSAGE]), false],
  ['hasMore as text', page([], { hasMore: 'yes' }), false],
  ['changes that is an object', { changes: {}, cursor: '1', hasMore: false, remaining: 0 }, false],
  ['an answer that is an array', [], false],
  ['an answer that is null', null, false],
  // Missing fields.
  ['a thread without updatedAt', one('thread', without(THREAD, 'updatedAt')), false],
  [
    'a thread without assigneeId (nullable, not optional)',
    one('thread', without(THREAD, 'assigneeId')),
    false,
  ],
  ['an appointment without end', one('appointment', without(APPOINTMENT, 'end')), false],
  ['an appointment without cancelCode', one('appointment', without(APPOINTMENT, 'cancelCode')), false],
  ['an audit event without fields', one('audit', without(AUDIT, 'fields')), false],
  ['a message without sentAt', one('message', without(MESSAGE, 'sentAt')), false],
  ['a change without id', page([{ entity: 'thread', data: THREAD }]), false],
  ['an answer without cursor', without(page([]), 'cursor'), false],
  // Extra fields (strict objects refuse them at every level).
  ['a thread with an extra field', one('thread', { ...THREAD, secret: 'x' }), false],
  ['an audit event with an extra field', one('audit', { ...AUDIT, note: 'x' }), false],
  [
    'a change with an extra field',
    page([{ entity: 'message', id: 'msg-1', data: MESSAGE, extra: 1 }]),
    false,
  ],
  ['an answer with an extra field', page([], { next: '43' }), false],
  [
    'a record with a "__proto__" member',
    `{"changes":[{"entity":"message","id":"msg-1","data":${JSON.stringify(MESSAGE).slice(0, -1)},"__proto__":{"x":1}}}],"cursor":"1","hasMore":false,"remaining":0}`,
    false,
  ],
  // Bad enums and values.
  ['an unknown entity', page([{ entity: 'invoice', id: 'i-1', data: null }]), false],
  ['an unknown thread status', one('thread', { ...THREAD, status: 'open' }), false],
  ['an unknown priority', one('thread', { ...THREAD, priority: 'low' }), false],
  ['an unknown topic', one('thread', { ...THREAD, topic: 'gossip' }), false],
  ['an unknown author kind', one('message', { ...MESSAGE, authorKind: 'bot' }), false],
  ['an unknown appointment status', one('appointment', { ...APPOINTMENT, status: 'done' }), false],
  ['an unknown cancel code', one('appointment', { ...APPOINTMENT, cancelCode: 'whim' }), false],
  ['an unknown audit action', one('audit', { ...AUDIT, action: 'peek' }), false],
  ['an unknown role', one('audit', { ...AUDIT, role: 'janitor' }), false],
  ['an unknown purpose of event', one('audit', { ...AUDIT, purposeOfEvent: 'ETREAT' }), false],
  ['a virtual link that is not a URL', one('appointment', { ...APPOINTMENT, virtualLink: 'meet me' }), false],
  ['an empty subject', one('thread', { ...THREAD, subject: '' }), false],
  ['a subject of 301 characters', one('thread', { ...THREAD, subject: 's'.repeat(301) }), false],
  ['an empty id', one('message', { ...MESSAGE, id: '' }), false],
  ['an id of 65 characters', one('message', { ...MESSAGE, threadId: 't'.repeat(65) }), false],
  ['an audit field name of 65 characters', one('audit', { ...AUDIT, fields: ['f'.repeat(65)] }), false],
  [
    '65 audit field names',
    one('audit', { ...AUDIT, fields: Array.from({ length: 65 }, (_, i) => `f${i}`) }),
    false,
  ],
  ['a chain hash of 65 characters', one('audit', { ...AUDIT, hash: 'h'.repeat(65) }), false],
  ['a birth date without padding', one('patient', { ...PATIENT, birthDate: '1980-2-29' }), false],
  ['an attachment over 10 MiB', one('attachment', { ...ATTACHMENT, size: 10 * 1024 * 1024 + 1 }), false],
  ['a cursor that is not decimal', page([], { cursor: 'abc' }), false],
  ['a negative remaining', page([], { remaining: -1 }), false],
  ['an empty withheld id', page([], { withheld: [''] }), false],
  // Bad dates.
  ['a day that does not exist', one('thread', { ...THREAD, createdAt: '2026-02-30T10:00:00.000Z' }), false],
  [
    'a 29 February outside a leap year',
    one('message', { ...MESSAGE, sentAt: '2027-02-29T10:00:00.000Z' }),
    false,
  ],
  ['month 13', one('appointment', { ...APPOINTMENT, start: '2026-13-01T09:00:00.000Z' }), false],
  ['hour 24', one('audit', { ...AUDIT, at: '2026-03-01T24:00:00.000Z' }), false],
  ['an instant without an offset', one('thread', { ...THREAD, dueAt: '2026-03-02T10:00:00' }), false],
  ['a date without a time', one('thread', { ...THREAD, lastMessageAt: '2026-03-02' }), false],
  ['a space instead of T', one('message', { ...MESSAGE, sentAt: '2026-03-01 10:00:00Z' }), false],
  ['an instant as a number', one('audit', { ...AUDIT, at: 1772359200000 }), false],
  ['words for a date', one('thread', { ...THREAD, updatedAt: 'yesterday' }), false],
];

type Verdict = { ok: true; value: unknown; text: string } | { ok: false; error: string };
const textOf = (answer: unknown): string => (typeof answer === 'string' ? answer : JSON.stringify(answer));
function verdictOf(run: () => unknown): Verdict {
  try {
    const value = run();
    return { ok: true, value, text: JSON.stringify(value) };
  } catch (error) {
    expect(error).toBeInstanceOf(SyncProtocolError);
    return { ok: false, error: (error as Error).message };
  }
}
/** Today's path: the regular zod parser. */
const regular = (answer: unknown): Verdict =>
  verdictOf(() => validateAnswer(PullResponse, JSON.parse(textOf(answer)), 'pull answer'));
const bytesOf = (answer: unknown): Uint8Array => new TextEncoder().encode(textOf(answer));

describe('pull answers: the compiled schema gives the regular parser verdict (issue 16 §2)', () => {
  it('is compiled whole (a schema change that zod cannot compile fails here, not silently slower)', () => {
    expect(PullResponseCompiled).not.toBe(PullResponse);
    expect(() => z.compile(PullResponse, { strict: true })).not.toThrow();
  });

  it.each(CASES)('%s', (_name, answer, valid) => {
    const expected = regular(answer);
    expect(expected.ok).toBe(valid); // the hand-written verdict: the schemas themselves
    const fast = verdictOf(() => decodePullAnswer(bytesOf(answer)));
    expect(fast).toEqual(expected); // same value (same key order: `text`), or the same error text
    if (!fast.ok) expect(fast.error).toMatch(/^The server sent an invalid pull answer \(.+: [a-z_]+/);
  });

  it('normalises instants as the schema does', () => {
    const batch = decodePullAnswer(bytesOf(CASES.find(([n]) => n.startsWith('instants'))![1]));
    const thread = batch.changes[0]!.data as typeof THREAD;
    expect([thread.createdAt, thread.updatedAt, thread.lastMessageAt]).toEqual([
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T00:30:00.500Z',
    ]);
  });

  it('refuses a garbage record among thousands with the regular parser error, naming no value', () => {
    const secret = 'Secret Patientname';
    const changes: unknown[] = [];
    for (let i = 0; i < 3000; i++)
      changes.push({ entity: 'message', id: `m${i}`, data: { ...MESSAGE, id: `m${i}` } });
    changes[2718] = {
      entity: 'patient',
      id: 'pat-1',
      data: { ...PATIENT, givenName: 7, familyName: secret },
    };
    const answer = page(changes);
    const expected = regular(answer);
    expect(expected).toEqual({
      ok: false,
      error: 'The server sent an invalid pull answer (changes.2718.data.givenName: invalid_type).',
    });
    expect(verdictOf(() => decodePullAnswer(bytesOf(answer)))).toEqual(expected);
  });

  describe('in the pull decoder worker thread', () => {
    const decoder = new PullDecoder();
    afterAll(() => decoder.close());

    it('gives the same verdict on every case', async () => {
      expect(await decoder.whenReady()).toBe(true);
      for (const [name, answer] of CASES) {
        const there = await decoder.decode(bytesOf(answer)).then(
          (value): Verdict => ({ ok: true, value, text: JSON.stringify(value) }),
          (error: unknown): Verdict => {
            expect(error, name).toBeInstanceOf(SyncProtocolError);
            return { ok: false, error: (error as Error).message };
          },
        );
        expect(there, name).toEqual(regular(answer));
      }
    });
  });
});
