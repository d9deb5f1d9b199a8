/**
 * Issue 10 in Chromium: a new console shows "Enrol this PC"; the demo admin enrols it with password and code;
 * staff can then sign in, and the admin's settings list the PC among the clinic's enrolled PCs.
 */
import { describe, expect, it } from 'vitest';
import { totp } from '../../src-shared/totp';
import { demoStaff } from '../../server/demo/credentials';
import { openConsole, signInUi, useSignedInDesk } from './harness';

// The PC is not enrolled: the test enrols it through the UI.
const e2e = useSignedInDesk({ deviceName: 'New front desk', enrol: false });

describe('first-run enrolment', () => {
  it('an admin enrols the PC, then staff sign in and the admin sees it among the enrolled PCs', async () => {
    const page = e2e.page;
    await page.getByRole('heading', { name: 'Enrol this PC' }).waitFor();
    const admin = demoStaff('admin1');
    const form = page.getByRole('form', { name: 'Enrol this PC' });
    // A receptionist cannot enrol a PC.
    const rec = demoStaff('reception1');
    await form.getByLabel('Admin username').fill('reception1');
    await form.getByLabel('Admin password').fill(rec.password);
    await form.getByLabel('Admin 6-digit code').fill(totp(rec.totpSecret, e2e.portal.clock.now()));
    await form.getByRole('button', { name: 'Enrol this PC' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/an admin must enrol a PC/);
    expect(e2e.desk.core.auth.deviceState()).toBe('not-enrolled');

    await form.getByLabel('Admin username').fill('admin1');
    await form.getByLabel('Admin password').fill(admin.password);
    await form.getByLabel('Admin 6-digit code').fill(totp(admin.totpSecret, e2e.portal.clock.now()));
    await form.getByRole('button', { name: 'Enrol this PC' }).click();
    await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
    expect(e2e.desk.core.auth.deviceState()).toBe('enrolled');
    e2e.portal.clock.advance(31_000);

    await signInUi(page, e2e.portal, 'admin1');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
    const table = page.getByRole('table', { name: 'Enrolled PCs' });
    await table.getByRole('row', { name: /New front desk \(this PC\)/ }).waitFor();
    expect(await table.getByRole('row', { name: /New front desk \(this PC\)/ }).textContent()).toContain(
      'Active',
    );
  });

  it('the admin removes another PC from the settings screen; that PC says so and keeps its data', async () => {
    const other = await openConsole(e2e.portal, e2e.browser, { deviceName: 'Back office' });
    try {
      other.page.setDefaultTimeout(15_000);
      await signInUi(other.page, e2e.portal, 'reception1');

      const page = e2e.page;
      // Back to the settings screen, so the list is read again with the new PC in it.
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('button', { name: 'Schedule' }).click();
      await nav.getByRole('button', { name: 'Settings' }).click();
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Remove Back office' }).click();
      const table = page.getByRole('table', { name: 'Enrolled PCs' });
      await expect
        .poll(async () => table.getByRole('row', { name: /Back office/ }).textContent())
        .toContain('Removed');
      // Counted once the server has removed the PC: until then its own sync may push its sign-in's audit
      // events (issue 16 counts unpushed audit events as waiting), which is no loss.
      const outboxBefore = other.core.store.outbox.count();

      // The removed PC learns it at its next sync and says so; nothing of its data or outbox is deleted.
      await other.core
        .sync()
        .syncNow()
        .catch(() => undefined);
      await other.page
        .getByRole('alert')
        .filter({ hasText: 'This PC was removed from the clinic: ask IT to enrol it again.' })
        .waitFor();
      expect(other.core.store.outbox.count()).toBeGreaterThanOrEqual(outboxBefore);
    } finally {
      await other.close();
    }
  });
});
