import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { LocationRecord, VisitTypeRecord } from '../../../src-shared/domain';
import { ReferenceTableRepo } from './reference-table';

interface LocationRow {
  id: string;
  name: string;
  time_zone: string;
  walk_in_minutes: number;
  version: number;
}

/** The clinic profile's locations (issue 13a), as the server last sent them; listed by id. */
export class LocationsRepo extends ReferenceTableRepo<LocationRecord, LocationRow> {
  constructor(db: Database) {
    super(db, {
      table: 'locations',
      columns: ['id', 'name', 'time_zone', 'walk_in_minutes', 'version'],
      orderBy: 'id',
      toRow: (r) => ({
        id: r.id,
        name: r.name,
        time_zone: r.timeZone,
        walk_in_minutes: r.walkInMinutes,
        version: r.version,
      }),
      toRecord: (r) => ({
        id: r.id,
        name: r.name,
        timeZone: r.time_zone,
        walkInMinutes: r.walk_in_minutes,
        version: r.version,
      }),
    });
  }
}

interface VisitTypeRow {
  id: string;
  name: string;
  minutes: number;
  /** JSON array of provider ids. */
  provider_ids: string;
  version: number;
}

/** The clinic profile's visit types (issue 13a), as the server last sent them; longest first, then by name. */
export class VisitTypesRepo extends ReferenceTableRepo<VisitTypeRecord, VisitTypeRow> {
  constructor(db: Database) {
    super(db, {
      table: 'visit_types',
      columns: ['id', 'name', 'minutes', 'provider_ids', 'version'],
      orderBy: 'minutes DESC, name',
      toRow: (r) => ({
        id: r.id,
        name: r.name,
        minutes: r.minutes,
        provider_ids: JSON.stringify(r.providerIds),
        version: r.version,
      }),
      toRecord: (r) => ({
        id: r.id,
        name: r.name,
        minutes: r.minutes,
        providerIds: JSON.parse(r.provider_ids) as string[],
        version: r.version,
      }),
    });
  }
}
