/**
 * review 8, failed before the fix (U9 race): an online sign-in the backend answered just before an admin
 * deactivated the account, whose answer reaches the console after the PC pulled the deactivation.
 * AuthService.startSession then upserted the sign-in answer's (older) staff record over the pulled one: the PC
 * forgot the deactivation for good (the cursor is past it), kept a fresh offline verifier and ran an active
 * session of a deactivated account.
 * Real backend on loopback, a loopback HTTP relay that holds the sign-in answer (a server that answers late),
 * SQLCipher stores, keychain; expectations by hand.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { SYNC_ROUTES } from '../../src-shared/sync';
import type { SessionInfo } from '../../src-shared/views';
import { startConsole, type TestConsole } from '../helpers/console-harness';
import { setStaffActive } from '../helpers/staff-admin';
import { useSyncedConsoles } from '../helpers/synced-consoles';

const desk = useSyncedConsoles(['admin1'] as const, { console: { autoStart: false } });

/** A relay to the backend that holds the answer of the next sign-in until `release()`. */
function relay(target: string) {
  let hold = false;
  let held: (() => void) | null = null;
  let answered: () => void = () => undefined;
  const heldAnswer = new Promise<void>((resolve) => (answered = resolve));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const out = http.request(
        `${target}${req.url}`,
        { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
        (up) => {
          const body: Buffer[] = [];
          up.on('data', (c: Buffer) => body.push(c));
          up.on('end', () => {
            const send = () => {
              res.writeHead(up.statusCode ?? 502, up.headers);
              res.end(Buffer.concat(body));
            };
            if (hold && req.url === SYNC_ROUTES.signIn) {
              hold = false;
              held = send;
              answered();
            } else send();
          });
        },
      );
      out.end(Buffer.concat(chunks));
    });
  });
  return {
    server,
    holdNextSignIn: () => void (hold = true),
    heldAnswer,
    release: () => held?.(),
  };
}

let pc: TestConsole | undefined;
let proxy: ReturnType<typeof relay> | undefined;
afterAll(async () => {
  await pc?.close();
  proxy?.server.closeAllConnections();
  await new Promise((r) => proxy?.server.close(r));
});

describe('a deactivation pulled while an online sign-in is answered', () => {
  it('is not undone by the sign-in answer', async () => {
    const [admin] = desk.consoles;
    proxy = relay(desk.portal.url);
    await new Promise<void>((r) => proxy!.server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    pc = await startConsole({ ...desk.portal, url }, { autoStart: false });
    // The front desk PC: the receptionist signed in and synced, then locked (sync keeps running while locked).
    expect((await pc.signIn('reception1')).ok).toBe(true);
    await pc.ok('sync.now');
    await pc.ok('auth.lock');

    // "Switch user": the clinician signs in; the backend accepts (still active), its answer is held back.
    proxy.holdNextSignIn();
    const signingIn = pc.signIn('clinician1');
    await proxy.heldAnswer;
    // Meanwhile an admin deactivates the clinician and the PC pulls it (the receptionist's locked session).
    await setStaffActive(desk.portal, admin, 'stf-clinician1', false);
    await pc.core.sync().syncNow();
    expect(pc.core.store.staff.byId('stf-clinician1')?.active).toBe(false);
    proxy.release();
    await signingIn;

    // The PC still knows the account is deactivated, keeps no verifier of it, and runs no session of it.
    expect(pc.core.store.staff.byId('stf-clinician1')?.active).toBe(false);
    expect(pc.core.store.staff.credential('clinician1')?.verifier ?? null).toBeNull();
    const info = await pc.ok<SessionInfo>('session.status', {});
    expect(info.state === 'active' ? info.staff?.id : null).not.toBe('stf-clinician1');
  });
});
