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
import { useSyncedConsole } from '../helpers/synced-consoles';

const clinic = useSyncedConsole('admin1', { console: { autoStart: false }, timeoutMs: 180_000 });
let admin: TestConsole;

beforeAll(() => {
  admin = clinic.console;
});

/** The next matching request reaches the server (and is applied); its answer is lost on the way back. */
function loseNextAnswer(method: string, path: RegExp): { lost: () => boolean } {
  const transport = admin.core.auth.transport;
  const original = transport.fetch.bind(transport);
  let lost = false;
  transport.fetch = async (p, init = {}) => {
    const res = await original(p, init);
    if (!lost && (init.method ?? 'GET') === method && path.test(p)) {
      lost = true;
      transport.fetch = original;
      await res.body?.cancel();
      throw new TypeError('fetch failed');
    }
    return res;
  };
  return { lost: () => lost };
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
    const drop = loseNextAnswer('POST', /^\/admin\/availability\/exceptions$/);
    const first = await admin.call('availability.addException', holiday);
    expect(drop.lost()).toBe(true);
    expect(first).toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
    // "Try again": the person does.
    admin.idle.touch();
    await admin.ok('availability.addException', holiday);
    admin.idle.touch();
    await admin.ok('sync.now');
    const view = await admin.ok<AvailabilityAdminView>('availability.get', { providerId: 'prv-001' });
    expect(view.exceptions.filter((e) => e.label === 'Christmas Eve')).toHaveLength(1);
  });

  it('a pool template is created once', async () => {
    const template = { poolId: 'front-desk', title: 'Parking', body: 'Parking is free behind the clinic.' };
    const drop = loseNextAnswer('PUT', /^\/admin\/pool-templates\//);
    admin.idle.touch();
    const first = await admin.call('admin.savePoolTemplate', template);
    expect(drop.lost()).toBe(true);
    expect(first).toMatchObject({ ok: false, error: { code: 'OFFLINE' } });
    admin.idle.touch();
    await admin.ok('admin.savePoolTemplate', template);
    admin.idle.touch();
    await admin.ok('sync.now');
    const templates = await admin.ok<ReplyTemplate[]>('inbox.templates');
    expect(templates.filter((t) => t.scope === 'pool' && t.title === 'Parking')).toHaveLength(1);
  });
});
