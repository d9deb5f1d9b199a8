import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { ProviderRecord } from '../../../src-shared/domain';
import { ReferenceTableRepo } from './reference-table';

interface ProviderRow {
  id: string;
  name: string;
  specialty: string;
  location_id: string;
  slot_minutes: number;
  day_start_minute: number;
  day_end_minute: number;
  version: number;
}

/** The clinic's providers, as the server last sent them; listed by name. */
export class ProvidersRepo extends ReferenceTableRepo<ProviderRecord, ProviderRow> {
  constructor(db: Database) {
    super(db, {
      table: 'providers',
      columns: [
        'id',
        'name',
        'specialty',
        'location_id',
        'slot_minutes',
        'day_start_minute',
        'day_end_minute',
        'version',
      ],
      orderBy: 'name',
      toRow: (r) => ({
        id: r.id,
        name: r.name,
        specialty: r.specialty,
        location_id: r.locationId,
        slot_minutes: r.slotMinutes,
        day_start_minute: r.dayStartMinute,
        day_end_minute: r.dayEndMinute,
        version: r.version,
      }),
      toRecord: (r) => ({
        id: r.id,
        name: r.name,
        specialty: r.specialty,
        locationId: r.location_id,
        slotMinutes: r.slot_minutes,
        dayStartMinute: r.day_start_minute,
        dayEndMinute: r.day_end_minute,
        version: r.version,
      }),
    });
  }
}
