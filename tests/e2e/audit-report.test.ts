/**
 * The privacy officer's audit report (issue 11), in Chromium through the browser host: an admin filters the
 * report to one patient and one day, sees exactly that patient's events of that day, sorts it, and exports
 * both formats; the CSV has one line per event and the FHIR bundle passes a maintained FHIR R4 validator.
 */
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateFhirR4 } from '../helpers/fhir-validator';
import { TEST_TODAY, useSignedInDesk } from './harness';

let patientId = '';
const NEXT_DAY = new Date(Date.parse(`${TEST_TODAY}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

const e2e = useSignedInDesk({ user: 'admin1', deviceName: 'Privacy desk' });
beforeAll(async () => {
  patientId = e2e.desk.core.store.patients.search('a', 1)[0]!.id;
  const caller = { origin: e2e.desk.host.origin, isMainFrame: true };
  // The patient is viewed today, and again on the next day (the one the report is filtered to).
  expect((await e2e.desk.core.router.call('patient.get', { patientId }, caller)).ok).toBe(true);
  e2e.portal.clock.advance(86_400_000);
  for (let i = 0; i < 3; i++) {
    e2e.portal.clock.advance(60_000);
    expect((await e2e.desk.core.router.call('patient.get', { patientId }, caller)).ok).toBe(true);
  }
});

/** The events of that patient on that day, counted from the store (this PC's log and the server's copies). */
function expectedIds(): string[] {
  const db = e2e.desk.core.store.db;
  const rows = db
    .prepare(
      `SELECT id FROM audit_events WHERE entity_type = 'patient' AND entity_id = ? AND at >= ? AND at <= ?
       UNION SELECT id FROM audit_remote WHERE entity_type = 'patient' AND entity_id = ? AND at >= ? AND at <= ?`,
    )
    .all(
      patientId,
      `${NEXT_DAY}T00:00:00.000Z`,
      `${NEXT_DAY}T23:59:59.999Z`,
      patientId,
      `${NEXT_DAY}T00:00:00.000Z`,
      `${NEXT_DAY}T23:59:59.999Z`,
    ) as { id: string }[];
  return rows.map((r) => r.id).sort();
}

describe('audit report', () => {
  it('filters to one patient and one day, sorts, and exports CSV and FHIR', async () => {
    const page = e2e.page;
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: 'Audit report' })
      .click();
    const filters = page.getByRole('form', { name: 'Report filters' });
    await filters.getByLabel('From day').fill(NEXT_DAY);
    await filters.getByLabel('To day').fill(NEXT_DAY);
    await filters.getByLabel('Record type').selectOption('patient');
    await filters.getByLabel('Record ID').fill(patientId);
    await filters.getByRole('button', { name: 'Apply filters' }).click();

    const expected = expectedIds();
    expect(expected.length).toBe(3);
    await page
      .getByRole('status')
      .filter({ hasText: /^3 events$/ })
      .waitFor();
    const table = page.getByRole('table', { name: 'Audit events' });
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(3);
    for (const text of await rows.allTextContents()) {
      expect(text).toContain(patientId);
      expect(text).toContain(NEXT_DAY);
    }

    // Sort by time: newest first by default, oldest first after one click.
    const times = async () =>
      table.locator('tbody time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime')!));
    const newestFirst = await times();
    expect([...newestFirst].sort().reverse()).toEqual(newestFirst);
    await table.getByRole('button', { name: 'Time (UTC)' }).click();
    await expect.poll(times).toEqual([...newestFirst].reverse());
    expect(await table.getByRole('columnheader', { name: 'Time (UTC)' }).getAttribute('aria-sort')).toBe(
      'ascending',
    );

    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      filters.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(csvDownload.suggestedFilename()).toMatch(/\.csv$/);
    const csv = fs.readFileSync((await csvDownload.path())!, 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^time_utc,staff,role,/);
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',').at(-1))
        .sort(),
    ).toEqual(expected);
    for (const line of lines.slice(1)) expect(line).toContain(`,patient,${patientId},`);

    const [fhirDownload] = await Promise.all([
      page.waitForEvent('download'),
      filters.getByRole('button', { name: 'Export FHIR' }).click(),
    ]);
    expect(fhirDownload.suggestedFilename()).toMatch(/\.fhir\.json$/);
    const bundle = JSON.parse(fs.readFileSync((await fhirDownload.path())!, 'utf8')) as {
      resourceType: string;
      entry: { resource: { resourceType: string; entity: { what: { reference: string } }[] } }[];
    };
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.entry).toHaveLength(3);
    for (const e of bundle.entry) expect(e.resource.entity[0]!.what.reference).toBe(`Patient/${patientId}`);
    expect(validateFhirR4(bundle)).toEqual([]);
    expect(e2e.desk.pageErrors).toEqual([]);
  });
});
