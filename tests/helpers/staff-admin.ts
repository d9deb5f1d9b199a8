/**
 * Admin requests the console has no screen for yet, sent as an admin's console sends an admin request: the PC's
 * device credential and the signed-in admin's access token (session 7, review 7 U9).
 */
import { expect } from 'vitest';
import { DEVICE_CREDENTIAL_HEADER, SYNC_ROUTES } from '../../src-shared/sync';
import type { TestConsole, TestPortal } from './console-harness';

/**
 * `PUT /admin/staff/:staffId/active` `{ active }` from `admin` (a console signed in as an admin); fails the test
 * unless the backend answers 200. With `pulledBy`, that console then pulls the change (`sync.now` through its
 * router, which must succeed), as the person's PC sees a deactivation (session 8, s8rec: closing note 7, D8).
 */
export async function setStaffActive(
  portal: TestPortal,
  admin: TestConsole,
  staffId: string,
  active: boolean,
  options: { pulledBy?: TestConsole } = {},
): Promise<void> {
  const auth = admin.core.auth;
  const route = SYNC_ROUTES.adminStaffActive.replace(':staffId', encodeURIComponent(staffId));
  const res = await fetch(`${portal.url}${route}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${await auth.accessToken()}`,
      [DEVICE_CREDENTIAL_HEADER]: `${auth.deviceId()}:${auth.deviceSecret()}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ active }),
  });
  expect(res.status, `PUT ${route}`).toBe(200);
  if (options.pulledBy) await options.pulledBy.ok('sync.now');
}
