import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { KeyStore } from '../keys/key-store';
import { loadOrCreateStoreKey } from '../keys/store-key';
import { repullableTransaction } from './durability';
import { openDatabase } from './open';
import { AppointmentsRepo } from './repos/appointments';
import { AvailabilityRepo } from './repos/availability';
import { AuditRepo } from './repos/audit';
import { AuditPushRepo } from './repos/audit-push';
import { CoverageRepo } from './repos/coverage';
import { TableChanges } from './table-changes';
import { DevicesRepo } from './repos/devices';
import { KeyValueRepo } from './repos/kv';
import { LocationsRepo, VisitTypesRepo } from './repos/locations';
import { SeriesRepo, WaitlistRepo } from './repos/series-waitlist';
import { MessagesRepo } from './repos/messages';
import { OutboxRepo } from './repos/outbox';
import { PatientsRepo } from './repos/patients';
import { PoolsRepo } from './repos/pools';
import { ProvidersRepo } from './repos/providers';
import { StaffRepo } from './repos/staff';
import { SyncProblemsRepo } from './repos/sync-problems';
import { SyncShadowsRepo } from './repos/sync-shadows';
import { ThreadsRepo } from './repos/threads';

/** The encrypted local store: one connection, typed repositories, and transactions across them. */
export class Store {
  readonly settings: KeyValueRepo;
  readonly syncState: KeyValueRepo;
  readonly devices: DevicesRepo;
  readonly staff: StaffRepo;
  readonly providers: ProvidersRepo;
  readonly patients: PatientsRepo;
  readonly threads: ThreadsRepo;
  readonly messages: MessagesRepo;
  readonly appointments: AppointmentsRepo;
  readonly outbox: OutboxRepo;
  readonly syncProblems: SyncProblemsRepo;
  /** Server images of records with queued changes, and records to fetch again (issue 12). */
  readonly syncShadows: SyncShadowsRepo;
  readonly audit: AuditRepo;
  /** issue 14a: triage pools. */
  readonly pools: PoolsRepo;
  /** issue 13a: the clinic profile's locations and their IANA zones. */
  readonly locations: LocationsRepo;
  readonly visitTypes: VisitTypesRepo;
  /** issue 13 §4/§5: recurring series and the waitlist. */
  readonly series: SeriesRepo;
  readonly waitlist: WaitlistRepo;
  /** session 4, 13c: weekly availability templates and exceptions (issue 13 §3). */
  readonly availability: AvailabilityRepo;
  /** This device's audit events waiting to be pushed, read from the log by seq (issue 16). */
  readonly auditPush: AuditPushRepo;
  /** Write counters per table, for read caches (issue 16). */
  readonly changes: TableChanges;
  /** Session 4, 14c: absences (coverage), clinic settings, pool templates as the server synced them. */
  readonly coverage: CoverageRepo;

  constructor(
    readonly db: Database,
    readonly file: string,
  ) {
    this.settings = new KeyValueRepo(db, 'settings');
    this.syncState = new KeyValueRepo(db, 'sync_state');
    this.devices = new DevicesRepo(db);
    this.staff = new StaffRepo(db);
    this.providers = new ProvidersRepo(db);
    this.patients = new PatientsRepo(db);
    this.threads = new ThreadsRepo(db);
    this.messages = new MessagesRepo(db);
    this.appointments = new AppointmentsRepo(db);
    this.outbox = new OutboxRepo(db);
    this.syncProblems = new SyncProblemsRepo(db);
    this.syncShadows = new SyncShadowsRepo(db);
    this.audit = new AuditRepo(db);
    this.pools = new PoolsRepo(db);
    this.locations = new LocationsRepo(db);
    this.visitTypes = new VisitTypesRepo(db);
    this.series = new SeriesRepo(db);
    this.waitlist = new WaitlistRepo(db);
    this.availability = new AvailabilityRepo(db);
    this.auditPush = new AuditPushRepo(db);
    this.changes = TableChanges.of(db);
    this.coverage = new CoverageRepo(db);
    // A thread's facts are kept in memory for one thread while nothing is written on this connection (its
    // writes bump the table counters, a rolled-back one too), never when read after a write of the transaction
    // now open or while the counters are paused (TableChanges.keptVersion, the rule StoreCache follows too), and
    // for one turn of the event loop at most (ThreadsRepo.facts).
    const changes = this.changes;
    this.threads.writeVersion = () => changes.keptVersion();
  }

  /**
   * Run fn in one transaction (nested calls become savepoints). Its commit is durable: the WAL is fsynced before
   * it returns (src-main/store/durability.ts: the audit trail is durable before data is returned).
   */
  transaction<T>(fn: () => T): T {
    // The writes of a transaction that has ended no longer stop a read from being kept (TableChanges.keptVersion).
    this.changes.settle();
    return this.db.transaction(fn)();
  }

  /**
   * Run fn in one transaction committed without an fsync: ONLY for applying pulled server data together with
   * the cursor that moves past it, which a power cut can lose safely (durability.ts says why).
   */
  repullableTransaction<T>(fn: () => T): T {
    return repullableTransaction(this.db, fn);
  }

  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Open `<dataDir>/clinic.db` with its key from the keychain (created on first run). */
export async function openStore(dataDir: string, keyStore: KeyStore): Promise<Store> {
  const key = await loadOrCreateStoreKey(keyStore, dataDir);
  const { db, file } = openDatabase(dataDir, key);
  return new Store(db, file);
}
