/**
 * Property-based fuzzing of every router method with malformed input: always a typed error, never a crash,
 * never a write. Real core (SQLCipher store, keychain) signed in against the real portal backend.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, METHOD_NAMES } from '../../src-shared/contract';
import { ERROR_CODES } from '../../src-shared/errors';
import { startConsole, startPortal, type TestConsole, type TestPortal } from '../helpers/console-harness';

let portal: TestPortal;
let clinic: TestConsole;

beforeAll(async () => {
  portal = await startPortal();
  clinic = await startConsole(portal);
  await clinic.signIn('admin1');
});
afterAll(async () => {
  await clinic?.close();
  await portal?.close();
});

const totalChanges = (): number =>
  (clinic.core.store.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;

/** Values of every JSON-ish shape, plus the hostile ones a compromised renderer might send. */
const hostile = fc.oneof(
  fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true }),
  fc.constantFrom(
    { __proto__: { admin: true } },
    { constructor: { prototype: {} } },
    { threadId: "1' OR '1'='1" },
    { threadId: 'x'.repeat(100_000) },
    { appointmentId: '../../etc/passwd' },
    { queue: 'all', offset: -1, limit: 50 },
    { queue: 'all', offset: 0, limit: 1e9 },
    { patientId: { $ne: null } },
    [1, 2, 3],
    'string',
    null,
  ),
);

describe('router fuzzing', () => {
  it.each(METHOD_NAMES)('%s: malformed input is a VALIDATION error and writes nothing', async (method) => {
    const spec = contract[method];
    await fc.assert(
      fc.asyncProperty(hostile, async (input) => {
        fc.pre(!spec.input.safeParse(input === undefined ? {} : input).success);
        const before = totalChanges();
        const result = await clinic.call(method, input);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(ERROR_CODES).toContain(result.error.code);
        expect(result.error.code).toBe('VALIDATION');
        // No value echoed back: a message lists field names at most.
        expect(result.error.message.length).toBeLessThan(300);
        expect(totalChanges()).toBe(before);
      }),
      { numRuns: 60 },
    );
  });

  it('unknown and prototype method names are refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty')),
        async (name) => {
          fc.pre(!METHOD_NAMES.includes(name as never));
          const before = totalChanges();
          const result = await clinic.call(name, {});
          expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
          expect(totalChanges()).toBe(before);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('calls from another origin or a subframe are refused before anything runs', async () => {
    const before = totalChanges();
    const foreign = await clinic.core.router.call(
      'inbox.list',
      { queue: 'all', offset: 0, limit: 5 },
      {
        origin: 'https://evil.example',
        isMainFrame: true,
      },
    );
    const subframe = await clinic.core.router.call(
      'inbox.list',
      { queue: 'all', offset: 0, limit: 5 },
      {
        origin: clinic.origin,
        isMainFrame: false,
      },
    );
    expect(foreign).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(subframe).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(totalChanges()).toBe(before);
  });
});
