import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { LocationRecord, VisitTypeRecord } from '../../../src-shared/domain';
import { ReferenceTableRepo } from './reference-table';

/** The clinic profile's locations (issue 13a), as the server last sent them; listed by id. */
export class LocationsRepo extends ReferenceTableRepo<LocationRecord> {
  constructor(db: Database) {
    super(db, {
      table: 'locations',
      columns: {
        id: 'id',
        name: 'name',
        timeZone: 'time_zone',
        walkInMinutes: 'walk_in_minutes',
        version: 'version',
      },
      orderBy: 'id',
    });
  }
}

/** The clinic profile's visit types (issue 13a), as the server last sent them; longest first, then by name. */
export class VisitTypesRepo extends ReferenceTableRepo<VisitTypeRecord> {
  constructor(db: Database) {
    super(db, {
      table: 'visit_types',
      columns: {
        id: 'id',
        name: 'name',
        minutes: 'minutes',
        providerIds: 'provider_ids',
        version: 'version',
      },
      json: ['providerIds'],
      orderBy: 'minutes DESC, name',
    });
  }
}
