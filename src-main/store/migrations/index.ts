import type { Database } from 'better-sqlite3-multiple-ciphers';
import { initial } from './001-initial';
import { triageAndTrails } from './002-triage-and-trails';
import { inboxSpeed } from './003-inbox-speed';
import { serverImages } from './004-server-images';
import { clinicTime } from './005-clinic-time';
import { searchScripts } from './006-search-scripts';
import { auditPushFromLog } from './007-audit-push-from-log';
import { patientLookup } from './008-patient-lookup';
import { triagePools } from './009-triage-pools';
import { seriesWaitlist } from './010-series-waitlist';
import { withheldThreads } from './011-withheld-threads';
import { availability } from './012-availability';
import { coverage } from './013-coverage';
import { assigneeTriageOrder } from './014-assignee-triage-order';
import { searchCap } from './015-search-cap';
import { overdueCounts } from './016-overdue-counts';
import { searchOverdueTag } from './017-search-overdue-tag';
import { overdueUnreadCount } from './018-overdue-unread-count';
import { staffActive } from './019-staff-active';
import { auditEntityIndex } from './020-audit-entity-index';
import { auditIdIndex } from './021-audit-id-index';
import { seenMarksDerived } from './022-seen-marks-derived';
import type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [
  initial,
  triageAndTrails,
  inboxSpeed,
  serverImages,
  clinicTime,
  searchScripts,
  auditPushFromLog,
  patientLookup,
  triagePools,
  seriesWaitlist,
  withheldThreads,
  availability,
  coverage,
  assigneeTriageOrder, // session 5, 16r (014)
  searchCap, // session 5, 14s (015)
  overdueCounts, // session 5, 16r (016)
  searchOverdueTag, // session 6, review7 (017)
  overdueUnreadCount, // session 6, s6read (018)
  staffActive, // session 7, sec7 (019)
  auditEntityIndex, // session 7, s7read (020)
  auditIdIndex, // session 8, s8read (021)
  seenMarksDerived, // session 9, s9read (022)
];
/** The newest version (the last migration's; equal to the count once every branch's migration is merged). */
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Apply every migration above the file's version, each in its own transaction with its version bump. */
export function migrate(db: Database, upTo: number = LATEST_VERSION): number {
  let current = schemaVersion(db);
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > upTo) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
    current = migration.version;
  }
  return current;
}
