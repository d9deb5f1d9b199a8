/**
 * The store window (DESIGN.md §4, issue 12): after the window moves past a closed thread and old appointments,
 * they are deleted with secure_delete on, search-index rows included. A raw-byte scan of the data folder — the
 * encrypted files, and every page of the database decrypted (free pages included) — finds none of the evicted
 * thread's text, while the same scan found it before eviction. The audit chain still verifies, and the evicted
 * thread opens again from the server on demand. Real backend on loopback, real SQLCipher store.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src-main/audit/audit-log';
import { uuidv7 } from '../../src-main/base/ids';
import { recordLocalMutation } from '../../src-main/sync/local-mutations';
import { SyncEngine } from '../../src-main/sync/engine';
import { type StoreWindow, evictOutsideWindow } from '../../src-main/sync/store-window';
import { verifyAuditIncrementally } from '../../src-main/audit/checkpoint';
import {
  TestCredentials,
  type TestServer,
  patientMessage,
  patientNewThread,
  patientSignIn,
  startTestServer,
} from '../helpers/sync-harness';
import { type TestStore, makeTestStore } from '../helpers/sync-store';

const DAY = 86_400_000;

/**
 * The pages of a SQLCipher 4 file in clear: AES-256-CBC with the raw key, the IV in each page's reserved tail
 * (80 bytes: IV + HMAC), page 1 after its 16-byte salt. Every page is decrypted, free pages included, so text
 * left in freed space is found where a query never would.
 */
function decryptedPages(file: string, keyHex: string): Buffer {
  const data = fs.readFileSync(file);
  const pageSize = 4096;
  const reserve = 80;
  const key = Buffer.from(keyHex, 'hex');
  const out: Buffer[] = [];
  for (let off = 0; off + pageSize <= data.length; off += pageSize) {
    const page = data.subarray(off, off + pageSize);
    const iv = page.subarray(pageSize - reserve, pageSize - reserve + 16);
    const d = crypto.createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
    out.push(d.update(page.subarray(off === 0 ? 16 : 0, pageSize - reserve)), d.final());
  }
  return Buffer.concat(out);
}

/** Every byte of the data folder's files, and every page of the database decrypted. */
function scanDataFolder(t: TestStore, needles: string[]): string[] {
  t.store.db.pragma('wal_checkpoint(TRUNCATE)');
  expect(fs.statSync(path.join(t.dir, 'clinic.db-wal')).size).toBe(0);
  const found = new Set<string>();
  const scan = (buf: Buffer) => {
    for (const n of needles) if (buf.includes(Buffer.from(n, 'utf8'))) found.add(n);
  };
  for (const f of fs.readdirSync(t.dir)) scan(fs.readFileSync(path.join(t.dir, f)));
  const clear = decryptedPages(path.join(t.dir, 'clinic.db'), t.key);
  // The decryption is right: the schema is readable in clear.
  expect(clear.includes(Buffer.from('CREATE TABLE threads'))).toBe(true);
  scan(clear);
  return [...found];
}

describe('store window', () => {
  let server: TestServer;
  let t: TestStore;
  let creds: TestCredentials;
  let engine: SyncEngine;
  let now = Date.now();
  let window: StoreWindow | null = null as StoreWindow | null;

  beforeAll(async () => {
    server = await startTestServer({ scale: 0.05 });
    t = makeTestStore('clinic-window-');
    creds = await TestCredentials.signIn(server, 'reception1');
    engine = new SyncEngine({
      store: t.store,
      serverUrl: server.url,
      credentials: creds,
      live: false,
      clock: { now: () => now },
      storeWindow: () => window,
    });
  });
  afterAll(async () => {
    await engine.stop();
    t.dispose();
    await server.close();
  });

  it('evicts what falls out, leaves no byte of it, keeps the chain, and fetches it again on demand', async () => {
    // A patient's thread with text found nowhere else, answered and closed at the desk.
    // One token, so the full-text index holds it whole (lower-cased): its bytes are searched for too.
    const marker = `Zyxquartz${uuidv7().slice(-12)}`;
    const token = marker.toLowerCase();
    const subject = `Wobblefrost ${uuidv7().slice(-12)}`;
    const patient = await patientSignIn(server.url, 2);
    // An administrative topic: the desk's receptionist is served its bodies and may close it (issue 14a).
    const threadId = await patientNewThread(
      server.url,
      patient,
      subject,
      `${marker} since the hike.`,
      'billing-admin',
    );
    await patientMessage(server.url, patient, threadId, `Still ${marker}.`);
    await engine.syncNow();
    const thread = t.store.threads.byId(threadId)!;
    recordLocalMutation(
      t.store,
      { now: () => now },
      {
        entity: 'thread',
        entityId: threadId,
        baseVersion: thread.version,
        staffId: creds.staffId,
        mutation: { op: 'thread.setStatus', status: 'done' },
      },
    );
    await engine.syncNow();
    await engine.syncNow();
    expect(t.store.threads.byId(threadId)!.status).toBe('done');
    // Some audit events on this PC, to check the chain afterwards.
    t.store.devices.upsert(creds.deviceId()!, 'window desk', true);
    const audit = new AuditLog(t.store, { now: () => now }, () => creds.deviceId()!);
    audit.record(
      { staffId: creds.staffId, role: 'receptionist' },
      { action: 'read', entityType: 'thread', entityId: threadId, outcome: 'success' },
    );
    // A later event (the newest one always stays: the next links to it).
    audit.record(
      { staffId: creds.staffId, role: 'receptionist' },
      { action: 'read', entityType: 'patient', entityId: 'pat-000002', outcome: 'success' },
    );
    const appointmentsBefore = (
      t.store.db.prepare('SELECT count(*) AS n FROM appointments').get() as {
        n: number;
      }
    ).n;

    // The scanner sees the text while it is in the store (so it can fail).
    expect(scanDataFolder(t, [marker, subject, token]).sort()).toEqual([marker, subject, token].sort());

    // The window moves: 91 days later, default window. Eviction runs before this PC's audit event of the
    // thread is synced: the event stays.
    window = { closedThreadDays: 90, scheduleBackDays: 30, scheduleAheadDays: 180 };
    now += 91 * DAY;
    const eventsOf = (id: string) =>
      (
        t.store.db.prepare('SELECT count(*) AS n FROM audit_events WHERE entity_id = ?').get(id) as {
          n: number;
        }
      ).n;
    const first = evictOutsideWindow(t.store, now, window);
    expect(first.threads).toBeGreaterThan(0);
    expect(first.auditPruned).toBe(0);
    expect(eventsOf(threadId)).toBe(1);
    // The next sync pushes it; then it is pruned behind the checkpoint, leaving a link-only tombstone.
    await engine.syncNow();
    expect(t.store.outbox.count()).toBe(0);
    expect(eventsOf(threadId)).toBe(0);
    expect(
      (t.store.db.prepare('SELECT count(*) AS n FROM audit_pruned').get() as { n: number }).n,
    ).toBeGreaterThan(0);
    expect(verifyAuditIncrementally(t.store, audit)).toMatchObject({
      result: { ok: true },
      mode: 'checkpoint',
    });
    expect(t.store.threads.byId(threadId)).toBeNull();
    expect(t.store.messages.forThread(threadId)).toEqual([]);
    const appointmentsAfter = (
      t.store.db.prepare('SELECT count(*) AS n FROM appointments').get() as {
        n: number;
      }
    ).n;
    expect(appointmentsAfter).toBeLessThan(appointmentsBefore);
    const from = new Date(now - 30 * DAY).toISOString();
    expect(
      (
        t.store.db.prepare('SELECT count(*) AS n FROM appointments WHERE start < ?').get(from) as {
          n: number;
        }
      ).n,
    ).toBe(0);
    expect(
      t.store.db.prepare(`SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?`).all(token),
    ).toEqual([]);
    expect(scanDataFolder(t, [marker, subject, token])).toEqual([]);
    expect(audit.verify()).toMatchObject({ ok: true });
    expect(t.store.integrityCheck()).toBe('ok');

    // Opened again from the patient panel: fetched from the server on demand.
    expect(await engine.fetchRecord('thread', threadId)).toBe(true);
    expect(t.store.threads.byId(threadId)).toMatchObject({ id: threadId, subject, status: 'done' });
    expect(t.store.messages.forThread(threadId).map((m) => m.body)).toContain(`Still ${marker}.`);
  });
});
