/**
 * "A server that answers late" (review 6 D11; failed before the fix): the answer of an admin creation is lost
 * after the server applied it (the request timed out on a slow link, a proxy dropped the answer). The console
 * tells the person the server could not be reached (OFFLINE: "try again"), the person tries again, and the clinic
 * still has the record once: the server answers an identical creation with the record it already made
 * (server/routes/availability.ts, coverage.ts). DESIGN §5: the server applies each change at most once.
 * Real backend, stores, keychain and routers; the only test device drops ONE answer after the server applied the
 * request. Expectations written by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AvailabilityAdminView } from '../../src-shared/availability';
import type { ReplyTemplate } from '../../src-shared/views';
import type { TestConsole } from '../helpers/console-harness';
import { loseNextAnswer } from '../helpers/late-answers';
import { useSyncedConsole } from '../helpers/synced-consoles';

const clinic = useSyncedConsole('admin1', { console: { autoStart: false }, timeoutMs: 180_000 });
let admin: TestConsole;

beforeAll(() => {
  admin = clinic.console;
});

/**
 * The admin calls `method`; the answer to the request matching `verb` and `route` is lost after the server applied
 * it, so the person is told OFFLINE; they try again (same input), and the PC syncs.
 */
async function retriedAfterLostAnswer(
  method: 'availability.addException' | 'admin.savePoolTemplate',
  input: unknown,
  verb: 'POST' | 'PUT',
  route: RegExp,
): Promise<void> {
  const drop = loseNextAnswer(admin, verb, route);
  admin.idle.touch();
  const first = await admin.call(method, input);
  expect(drop.lost()).toBe(true);
  expect(first).toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
  // "Try again": the person does.
  admin.idle.touch();
  await admin.ok(method, input);
  admin.idle.touch();
  await admin.ok('sync.now');
}

describe('an admin creation retried after its answer was lost', () => {
  it('a holiday is created once', async () => {
    const holiday = {
      kind: 'holiday',
      providerId: null,
      locationId: 'loc-main',
      fromDate: '2026-12-24',
      toDate: '2026-12-24',
      startMinute: null,
      endMinute: null,
      label: 'Christmas Eve',
    };
    await retriedAfterLostAnswer(
      'availability.addException',
      holiday,
      'POST',
      /^\/admin\/availability\/exceptions$/,
    );
    const view = await admin.ok<AvailabilityAdminView>('availability.get', { providerId: 'prv-001' });
    expect(view.exceptions.filter((e) => e.label === 'Christmas Eve')).toHaveLength(1);
  });

  it('a pool template is created once', async () => {
    const template = { poolId: 'front-desk', title: 'Parking', body: 'Parking is free behind the clinic.' };
    await retriedAfterLostAnswer('admin.savePoolTemplate', template, 'PUT', /^\/admin\/pool-templates\//);
    const templates = await admin.ok<ReplyTemplate[]>('inbox.templates');
    expect(templates.filter((t) => t.scope === 'pool' && t.title === 'Parking')).toHaveLength(1);
  });
});
