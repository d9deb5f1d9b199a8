/**
 * Issue 14a, emergency access ("break-glass", HIPAA 164.312(a)(2)(ii)): a receptionist states a reason and reads
 * a clinical thread for the clinic-set time (60 minutes); every read is flagged purposeOfEvent 'BTG' in the
 * hash-chained audit trail (verified on the PC and by the server); the access ends with the injected clock, not a
 * sleep; the server raises it to the admins' break-glass report, where an admin acknowledges it.
 * Real portal backend, real store and keychain, real router.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BreakGlassGrant } from '../../src-shared/triage';
import type { AuditAlertRecord } from '../../src-shared/sync';
import type { VerifyResult } from '../../src-shared/views';
import { type TestConsole, type TestPortal } from '../helpers/console-harness';
import { useSyncedConsoles } from '../helpers/synced-consoles';

// A receptionist's own PC: only what the server serves a receptionist is on it.
const clinic = useSyncedConsoles(['reception1'], { console: { autoStart: false }, timeoutMs: 120_000 });
let portal: TestPortal;
let desk: TestConsole;
let threadId: string;
let patientId: string;
const REASON = 'Patient fainted at the front desk; the paramedic asks for her recent readings';

beforeAll(async () => {
  portal = clinic.portal;
  [desk] = clinic.consoles;
  const row = desk.core.store.db
    .prepare(
      `SELECT t.id, t.patient_id FROM threads t JOIN pools p ON p.id = t.pool_id
       WHERE t.subject = 'Blood sugar readings' AND p.kind = 'clinical' ORDER BY t.id LIMIT 1`,
    )
    .get() as { id: string; patient_id: string };
  threadId = row.id;
  patientId = row.patient_id;
});

const eventsSince = (before: number) =>
  [...desk.core.store.audit.iterate()]
    .slice(before)
    .map((e) => [e.action, e.entity_type, e.entity_id, e.outcome, e.purpose_of_event ?? null]);

describe('emergency access on a receptionist’s PC', () => {
  it('is refused without a reason, and the thread stays closed to the role', async () => {
    expect(await desk.call('thread.get', { threadId })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await desk.call('breakGlass.open', { threadId, reason: '' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(await desk.call('breakGlass.open', { threadId, reason: '   urgent   ' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
  });

  it('opens the thread for 60 minutes with a reason; every read is flagged BTG in the verified chain', async () => {
    const before = desk.core.store.audit.count();
    const opened = await desk.ok<{ expiresAt: string }>('breakGlass.open', { threadId, reason: REASON });
    expect(Date.parse(opened.expiresAt) - portal.clock.now()).toBe(60 * 60_000);
    // The body was withheld from this PC's pulls: it is fetched now, under the grant the server holds.
    const detail = await desk.ok<{ messages: { body: string }[] }>('thread.get', { threadId });
    expect(detail.messages.some((m) => m.body.includes('blood sugar'))).toBe(true);
    expect(eventsSince(before)).toEqual([
      ['create', 'thread', threadId, 'success', 'BTG'],
      ['read', 'thread', threadId, 'success', 'BTG'],
      ['read', 'patient', patientId, 'success', 'BTG'],
    ]);
    expect(await desk.ok<VerifyResult>('audit.verify')).toMatchObject({ ok: true });
    // the trail shows the flag too
    const trail = await desk.ok<{ purposeOfEvent?: string; action: string }[]>('audit.trail', {
      entityType: 'thread',
      entityId: threadId,
    });
    expect(trail.filter((e) => e.purposeOfEvent === 'BTG').length).toBeGreaterThanOrEqual(2);
    await desk.ok('sync.now');
  });

  it('ends when the clinic-set time is up (injected clock), and reads are refused again', async () => {
    portal.clock.advance(59 * 60_000);
    desk.idle.touch(); // the person kept working: no idle lock
    expect(await desk.call('thread.get', { threadId })).toMatchObject({ ok: true });
    portal.clock.advance(60_000);
    desk.idle.touch();
    expect(await desk.call('thread.get', { threadId })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    await desk.ok('sync.now');
    await desk.ok('auth.signOut');
  });
});

describe('the admins’ break-glass report', () => {
  it('lists the access with its reason and flagged reads; the server’s chain check found nothing wrong', async () => {
    expect((await desk.signIn('admin1')).ok).toBe(true);
    const grants = await desk.ok<BreakGlassGrant[]>('admin.breakGlassReport');
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({
      staffId: 'stf-reception1',
      role: 'receptionist',
      entityType: 'thread',
      entityId: threadId,
      reason: REASON,
      acknowledgedBy: null,
    });
    // two reads within the hour (each on the thread, flagged BTG, verified and stored by the server)
    expect(grants[0]!.reads).toBe(2);
    expect(await desk.ok<AuditAlertRecord[]>('admin.auditAlerts')).toEqual([]);
  });

  it('is acknowledged by an admin, once, and a receptionist cannot see it', async () => {
    const [grant] = await desk.ok<BreakGlassGrant[]>('admin.breakGlassReport');
    await desk.ok('admin.acknowledgeBreakGlass', { grantId: grant!.id });
    const [after] = await desk.ok<BreakGlassGrant[]>('admin.breakGlassReport');
    expect(after).toMatchObject({ acknowledgedBy: 'stf-admin1' });
    expect(after!.acknowledgedAt).not.toBeNull();
    expect(await desk.call('admin.acknowledgeBreakGlass', { grantId: 'no-such-grant' })).toMatchObject({
      ok: false,
    });
    await desk.ok('auth.signOut');
    expect((await desk.signIn('reception1')).ok).toBe(true);
    expect(await desk.call('admin.breakGlassReport', {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });
});
