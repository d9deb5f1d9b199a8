/**
 * The audit report's newest page (issue 16, session 8): an encrypted store with LOCAL events in this device's log
 * (indexed in batches, as after use) and REMOTE server events (a tenth of them copies of this device's own events
 * sent back), then the median and p95 of `AuditReport.page({}, newest first, 0, 100)` and of its two parts, the
 * page's rows and the total count. With OLD=path/to/report.ts the same for that implementation, interleaved.
 *
 *   bash scripts/with-keyring.sh node --import tsx bench/profile-report.ts [local=100000] [remote=200000] [runs=30]
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { AuditLog } from '../src-main/audit';
import { AuditReport } from '../src-main/audit/report';
import { systemClock } from '../src-main/base/adapters';
import { openDatabase } from '../src-main/store/open';
import { Store } from '../src-main/store/store';
import { cleanupAll, tempDir } from './env';
import { msSince, summarize } from './stats';

const [localArg = '100000', remoteArg = '200000', runsArg = '30'] = process.argv.slice(2);
const dir = tempDir('report');
const { db, file } = openDatabase(dir, crypto.randomBytes(32).toString('hex'));
const store = new Store(db, file);
try {
  const audit = new AuditLog(store, systemClock, () => 'dev-bench');
  const reader = { staffId: 'stf-clinician1', role: 'clinician' as const };
  const nLocal = Number(localArg);
  for (let have = 0; have < nLocal; have += 1000) {
    store.transaction(() =>
      audit.recordMany(
        reader,
        Array.from({ length: Math.min(1000, nLocal - have) }, (_, i) => ({
          action: 'read' as const,
          entityType: 'thread' as const,
          entityId: `thr-${(have + i) % 80_000}`,
          outcome: 'success' as const,
        })),
      ),
    );
  }
  audit.flushEntityIndex();
  const nRemote = Number(remoteArg);
  const ownIds = db
    .prepare('SELECT id, at FROM audit_events ORDER BY random() LIMIT ?')
    .all(Math.floor(nRemote / 10)) as { id: string; at: string }[];
  const base = Date.now() - nRemote * 1000;
  store.transaction(() => {
    for (let i = 0; i < nRemote; i++) {
      const own = i % 10 === 0 ? ownIds[i / 10] : undefined;
      store.audit.upsertRemote({
        id: own?.id ?? `srv-${crypto.randomUUID()}`,
        at: own?.at ?? new Date(base + i * 1000).toISOString(),
        staff_id: 'stf-2',
        role: 'receptionist',
        device_id: own ? 'dev-bench' : 'server',
        action: 'read',
        entity_type: 'thread',
        entity_id: `thr-${i % 80_000}`,
        outcome: 'success',
        fields: '[]',
        actor_kind: 'staff',
        purpose_of_event: null,
      });
    }
  });
  const variants: Record<string, AuditReport> = {
    new: new AuditReport(store, audit, () => Date.now()),
  };
  if (process.env.OLD) {
    const { AuditReport: Old } = (await import(path.resolve(process.env.OLD))) as {
      AuditReport: typeof AuditReport;
    };
    variants.old = new Old(store, audit, () => Date.now());
  }
  const times: Record<string, number[]> = {};
  let total = 0;
  const runs = Number(runsArg);
  for (let r = 0; r < runs + 2; r++) {
    for (const [name, report] of Object.entries(variants)) {
      const t = process.hrtime.bigint();
      const page = report.page({}, undefined, 0, 100);
      const ms = msSince(t);
      total = page.total;
      if (r >= 2) (times[name] ??= []).push(ms);
    }
  }
  process.stdout.write(`${nLocal} local, ${nRemote} remote, total ${total}\n`);
  // The two parts of the new page: its rows (the merge) and its total (the count of the whole union).
  const parts = variants.new! as unknown as {
    select(q: object, s: object, limit: number, offset: number): unknown[];
  };
  const rowsOnly: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = process.hrtime.bigint();
    parts.select({}, { by: 'at', dir: 'desc' }, 100, 0);
    rowsOnly.push(msSince(t));
  }
  const rs = summarize(rowsOnly);
  process.stdout.write(
    `new, the page's rows only: median ${rs.median.toFixed(2)} p95 ${rs.p95.toFixed(2)} ms\n`,
  );
  for (const [name, ts] of Object.entries(times)) {
    const s = summarize(ts);
    process.stdout.write(`${name}: newest 100, median ${s.median.toFixed(1)} p95 ${s.p95.toFixed(1)} ms\n`);
  }
} finally {
  store.close();
  await cleanupAll();
}
