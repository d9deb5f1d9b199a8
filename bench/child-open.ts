/**
 * A console starting up, in its own process: load the code, get the store key from the real keychain, open the
 * store (key proof, schema check), verify the local audit chain from its checkpoint (createCore does this at every
 * start) and list the first inbox page with its audit events, as the router's `inbox.list` records a list read
 * (session 9, s9dup: the read of the queue, then each thread and its patient, in the page's one durable commit).
 * Prints one JSON line of milestones in ms since this process started. Then, untimed, the per-record index takes
 * the new events (as the console does in a later task), so the next start finds the log as a console leaves it.
 *
 *   node --import tsx bench/child-open.ts DATA_DIR
 */
import { AuditLog } from '../src-main/audit';
import { verifyAuditIncrementally } from '../src-main/audit/checkpoint';
import { listedRecords } from '../src-main/audit/read-records';
import { systemClock } from '../src-main/base/adapters';
import { InboxService } from '../src-main/inbox/inbox-service';
import { KeytarKeyStore } from '../src-main/keys/keytar-store';
import { loadOrCreateStoreKey } from '../src-main/keys/store-key';
import { openDatabase } from '../src-main/store/open';
import { Store } from '../src-main/store/store';

// performance.now() counts from this process's start (its time origin).
const loaded = performance.now();
const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: child-open.ts DATA_DIR');
const key = await loadOrCreateStoreKey(new KeytarKeyStore(), dataDir);
const keyed = performance.now();
const { db, file } = openDatabase(dataDir, key);
const store = new Store(db, file);
const opened = performance.now();
// As createCore does at every start: from the last verified checkpoint (src-main/audit/checkpoint.ts).
const audit = new AuditLog(store, systemClock, () => 'dev-bench');
const check = verifyAuditIncrementally(store, audit);
const verified = check.result;
const checked = performance.now();
const staff = store.staff.byUsername('clinician1');
if (!staff) throw new Error('clinician1 is not in the store');
const inbox = new InboxService(store, systemClock, () => undefined);
let paged = 0;
const page = store.transaction(() => {
  const read = inbox.list(staff, { queue: 'all', offset: 0, limit: 50 });
  paged = performance.now();
  audit.recordMany({ staffId: staff.id, role: staff.role }, [
    { action: 'read', entityType: 'queue', entityId: null, outcome: 'success', fields: [] },
    ...listedRecords('inbox.list', read).map((s) => ({
      action: 'read' as const,
      outcome: 'success' as const,
      ...s,
    })),
  ]);
  return read;
});
const listed = performance.now();
process.stdout.write(
  JSON.stringify({
    loaded,
    keyed,
    opened,
    checked,
    paged,
    listed,
    rows: page.threads.length,
    auditEvents: verified.count,
    auditChecked: check.checked,
  }) + '\n',
);
audit.flushEntityIndex();
store.close();
