import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { ProviderRecord } from '../../../src-shared/domain';
import { ReferenceTableRepo } from './reference-table';

/** The clinic's providers, as the server last sent them; listed by name. */
export class ProvidersRepo extends ReferenceTableRepo<ProviderRecord> {
  constructor(db: Database) {
    super(db, {
      table: 'providers',
      columns: {
        id: 'id',
        name: 'name',
        specialty: 'specialty',
        locationId: 'location_id',
        slotMinutes: 'slot_minutes',
        dayStartMinute: 'day_start_minute',
        dayEndMinute: 'day_end_minute',
        version: 'version',
      },
      orderBy: 'name',
    });
  }
}
