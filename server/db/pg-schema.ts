/**
 * Numbered migrations of the portal backend on PostgreSQL: the same tables and column names as the SQLite
 * schema (schema.ts), so `rows.ts` maps both. Each runs once, in a transaction, recorded in
 * `schema_migrations`; an advisory lock makes instances starting together migrate one at a time.
 * Text columns use the "C" collation: byte order, as SQLite compares (ids, and UTC ISO times in time order).
 * A migration added to schema.ts needs its PostgreSQL twin appended here.
 */
export const PG_MIGRATIONS: readonly string[] = [
  /* 1: initial schema */ `
  CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE providers (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    specialty TEXT COLLATE "C" NOT NULL,
    slot_minutes INTEGER NOT NULL,
    day_start_minute INTEGER NOT NULL,
    day_end_minute INTEGER NOT NULL,
    version INTEGER NOT NULL
  );

  CREATE TABLE staff (
    id TEXT COLLATE "C" PRIMARY KEY,
    username TEXT COLLATE "C" NOT NULL,
    display_name TEXT COLLATE "C" NOT NULL,
    role TEXT COLLATE "C" NOT NULL CHECK (role IN ('receptionist', 'clinician', 'admin')),
    provider_id TEXT COLLATE "C" REFERENCES providers(id),
    password_hash TEXT COLLATE "C" NOT NULL,
    totp_secret TEXT COLLATE "C" NOT NULL,
    totp_last_step BIGINT NOT NULL DEFAULT -1,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL
  );
  -- usernames are unique regardless of case (SQLite: COLLATE NOCASE)
  CREATE UNIQUE INDEX staff_username ON staff (lower(username));

  CREATE TABLE devices (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    revoked_at TEXT COLLATE "C"
  );

  CREATE TABLE device_staff (
    device_id TEXT COLLATE "C" NOT NULL REFERENCES devices(id),
    staff_id TEXT COLLATE "C" NOT NULL REFERENCES staff(id),
    first_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (device_id, staff_id)
  );

  CREATE TABLE access_tokens (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    staff_id TEXT COLLATE "C" NOT NULL REFERENCES staff(id),
    device_id TEXT COLLATE "C" NOT NULL REFERENCES devices(id),
    family TEXT COLLATE "C" NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX access_tokens_family ON access_tokens(family);

  CREATE TABLE refresh_tokens (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    family TEXT COLLATE "C" NOT NULL,
    staff_id TEXT COLLATE "C" NOT NULL REFERENCES staff(id),
    device_id TEXT COLLATE "C" NOT NULL REFERENCES devices(id),
    expires_at BIGINT NOT NULL,
    used_at BIGINT
  );
  CREATE INDEX refresh_tokens_family ON refresh_tokens(family);

  CREATE TABLE patients (
    id TEXT COLLATE "C" PRIMARY KEY,
    mrn TEXT COLLATE "C" NOT NULL UNIQUE,
    given_name TEXT COLLATE "C" NOT NULL,
    family_name TEXT COLLATE "C" NOT NULL,
    birth_date TEXT COLLATE "C" NOT NULL,
    phone TEXT COLLATE "C",
    portal_password_hash TEXT COLLATE "C",
    version INTEGER NOT NULL
  );

  CREATE TABLE portal_tokens (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    patient_id TEXT COLLATE "C" NOT NULL REFERENCES patients(id),
    expires_at BIGINT NOT NULL
  );

  CREATE TABLE auth_failures (key TEXT COLLATE "C" NOT NULL, at BIGINT NOT NULL);
  CREATE INDEX auth_failures_key ON auth_failures(key, at);

  CREATE TABLE threads (
    id TEXT COLLATE "C" PRIMARY KEY,
    patient_id TEXT COLLATE "C" NOT NULL REFERENCES patients(id),
    subject TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    priority TEXT COLLATE "C" NOT NULL,
    assignee_id TEXT COLLATE "C" REFERENCES staff(id),
    provider_id TEXT COLLATE "C" REFERENCES providers(id),
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    last_message_at TEXT COLLATE "C" NOT NULL,
    due_at TEXT COLLATE "C",
    version INTEGER NOT NULL
  );
  CREATE INDEX threads_patient ON threads(patient_id, last_message_at);

  CREATE TABLE messages (
    id TEXT COLLATE "C" PRIMARY KEY,
    thread_id TEXT COLLATE "C" NOT NULL REFERENCES threads(id),
    author_kind TEXT COLLATE "C" NOT NULL CHECK (author_kind IN ('patient', 'staff')),
    author_id TEXT COLLATE "C" NOT NULL,
    body TEXT COLLATE "C" NOT NULL,
    sent_at TEXT COLLATE "C" NOT NULL,
    version INTEGER NOT NULL
  );
  CREATE INDEX messages_thread ON messages(thread_id, sent_at);

  CREATE TABLE attachments (
    id TEXT COLLATE "C" PRIMARY KEY,
    message_id TEXT COLLATE "C" NOT NULL REFERENCES messages(id),
    file_name TEXT COLLATE "C" NOT NULL,
    mime_type TEXT COLLATE "C" NOT NULL,
    size INTEGER NOT NULL,
    content BYTEA NOT NULL,
    version INTEGER NOT NULL
  );
  CREATE INDEX attachments_message ON attachments(message_id);

  CREATE TABLE appointments (
    id TEXT COLLATE "C" PRIMARY KEY,
    patient_id TEXT COLLATE "C" NOT NULL REFERENCES patients(id),
    provider_id TEXT COLLATE "C" NOT NULL REFERENCES providers(id),
    start TEXT COLLATE "C" NOT NULL,
    "end" TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    reason TEXT COLLATE "C" NOT NULL,
    cancel_reason TEXT COLLATE "C",
    virtual_link TEXT COLLATE "C",
    created_via TEXT COLLATE "C" NOT NULL,
    version INTEGER NOT NULL
  );
  CREATE INDEX appointments_provider ON appointments(provider_id, start);
  CREATE INDEX appointments_patient ON appointments(patient_id, start);

  CREATE TABLE audit_events (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT COLLATE "C" NOT NULL UNIQUE,
    at TEXT COLLATE "C" NOT NULL,
    staff_id TEXT COLLATE "C",
    role TEXT COLLATE "C",
    device_id TEXT COLLATE "C" NOT NULL,
    action TEXT COLLATE "C" NOT NULL,
    entity_type TEXT COLLATE "C" NOT NULL,
    entity_id TEXT COLLATE "C",
    outcome TEXT COLLATE "C" NOT NULL,
    fields_json TEXT COLLATE "C" NOT NULL,
    actor_kind TEXT COLLATE "C" NOT NULL,
    prev_hash TEXT COLLATE "C" NOT NULL,
    hash TEXT COLLATE "C" NOT NULL,
    version INTEGER NOT NULL,
    origin TEXT COLLATE "C" NOT NULL CHECK (origin IN ('server', 'console'))
  );
  CREATE INDEX audit_events_entity ON audit_events(entity_type, entity_id, at);
  CREATE INDEX audit_events_origin ON audit_events(origin, seq);
  -- the server's own chain cannot fork, whichever instance writes: one successor per event
  CREATE UNIQUE INDEX audit_events_server_chain ON audit_events(prev_hash) WHERE origin = 'server';
  CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$;
  CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

  -- one row per entity at the seq of its latest change (an upsert moves it): pulls coalesce
  CREATE TABLE changes (
    seq BIGINT PRIMARY KEY,
    entity TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    UNIQUE (entity, id)
  );
  CREATE SEQUENCE changes_seq;

  -- a mutation is applied at most once per device, whichever instance receives it (DESIGN.md §5)
  CREATE TABLE applied_mutations (
    device_id TEXT COLLATE "C" NOT NULL,
    mutation_id TEXT COLLATE "C" NOT NULL,
    result_json TEXT COLLATE "C" NOT NULL,
    applied_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (device_id, mutation_id)
  );
  `,
  // issue 10 (PostgreSQL twin of schema.ts migration 2): device credentials, attribution, per-device audit chains
  /* 2 */ `
  ALTER TABLE devices ADD COLUMN secret_hash TEXT COLLATE "C";
  ALTER TABLE devices ADD COLUMN enrolled_by TEXT COLLATE "C" REFERENCES staff(id);
  ALTER TABLE device_staff ADD COLUMN last_online_at TEXT COLLATE "C";
  UPDATE device_staff SET last_online_at = first_at;
  ALTER TABLE audit_events ADD COLUMN received_at TEXT COLLATE "C";
  ALTER TABLE audit_events ADD COLUMN skew_flag INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX audit_events_device_chain ON audit_events(device_id, origin, seq);

  CREATE TABLE audit_alerts (
    seq BIGSERIAL PRIMARY KEY,
    at TEXT COLLATE "C" NOT NULL,
    device_id TEXT COLLATE "C" NOT NULL,
    event_id TEXT COLLATE "C",
    kind TEXT COLLATE "C" NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE INDEX audit_alerts_device ON audit_alerts(device_id, seq);
  `,
  // issue 10 (PostgreSQL twin of schema.ts migration 3): patient MFA, recovery codes, login history
  /* 3 */ `
  CREATE TABLE patient_mfa (
    patient_id TEXT COLLATE "C" PRIMARY KEY REFERENCES patients(id),
    secret TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 0,
    last_step BIGINT NOT NULL DEFAULT -1
  );
  CREATE TABLE patient_recovery_codes (
    patient_id TEXT COLLATE "C" NOT NULL REFERENCES patients(id),
    code_hash TEXT COLLATE "C" NOT NULL,
    used_at TEXT COLLATE "C",
    PRIMARY KEY (patient_id, code_hash)
  );
  CREATE TABLE patient_logins (
    seq BIGSERIAL PRIMARY KEY,
    patient_id TEXT COLLATE "C" NOT NULL REFERENCES patients(id),
    at TEXT COLLATE "C" NOT NULL,
    client TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    method TEXT NOT NULL
  );
  CREATE INDEX patient_logins_patient ON patient_logins(patient_id, seq);
  `,
  // issue 10 (PostgreSQL twin of schema.ts migration 4): sign-out per staff member and device, chain anchor
  /* 4 */ `
  ALTER TABLE device_staff ADD COLUMN signed_out_at TEXT COLLATE "C";
  ALTER TABLE devices ADD COLUMN chain_anchor TEXT COLLATE "C";
  `,
  // issue 13a (PostgreSQL twin of schema.ts migration 5): clinic locations, providers.location_id
  /* 5 */ `
  CREATE TABLE locations (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    time_zone TEXT COLLATE "C" NOT NULL,
    walk_in_minutes INTEGER NOT NULL DEFAULT 30,
    version INTEGER NOT NULL
  );
  INSERT INTO locations (id, name, time_zone, version) VALUES ('loc-main', 'Main clinic', 'UTC', 1);
  -- coded cancellation reason; why a patient with an overlapping visit was booked anyway (issue 13 §6)
  ALTER TABLE appointments ADD COLUMN cancel_code TEXT;
  ALTER TABLE appointments ADD COLUMN overlap_reason TEXT;
  -- visit types (issue 13 §3): length in minutes and the providers offering them (JSON array of ids)
  CREATE TABLE visit_types (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    provider_ids TEXT NOT NULL,
    version INTEGER NOT NULL
  );
  ALTER TABLE providers ADD COLUMN location_id TEXT COLLATE "C" NOT NULL DEFAULT 'loc-main' REFERENCES locations(id);
  INSERT INTO changes (seq, entity, id) VALUES (nextval('changes_seq'), 'location', 'loc-main')
    ON CONFLICT (entity, id) DO UPDATE SET seq = EXCLUDED.seq;
  INSERT INTO changes (seq, entity, id) SELECT nextval('changes_seq'), 'provider', id FROM providers
    ON CONFLICT (entity, id) DO UPDATE SET seq = EXCLUDED.seq;
  `,
  // issue 14a (PostgreSQL twin of schema.ts migration 6): triage pools, thread topic and pool
  /* 6 */ `
  CREATE TABLE pools (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('clinical', 'administrative')),
    topics TEXT NOT NULL,
    sla TEXT NOT NULL,
    version INTEGER NOT NULL
  );
  INSERT INTO pools (id, name, kind, topics, sla, version) VALUES ('clinical', 'Clinical', 'clinical', '["clinical-question"]', '{"routine":2880,"urgent":240,"asap":60,"stat":15}', 1);
  INSERT INTO pools (id, name, kind, topics, sla, version) VALUES ('refills', 'Refills', 'clinical', '["prescription-refill"]', '{"routine":2880,"urgent":240,"asap":60,"stat":15}', 1);
  INSERT INTO pools (id, name, kind, topics, sla, version) VALUES ('results', 'Results', 'clinical', '["test-results"]', '{"routine":2880,"urgent":240,"asap":60,"stat":15}', 1);
  INSERT INTO pools (id, name, kind, topics, sla, version) VALUES ('front-desk', 'Front desk', 'administrative', '["scheduling","billing-admin"]', '{"routine":2880,"urgent":240,"asap":60,"stat":15}', 1);
  INSERT INTO changes (seq, entity, id) SELECT nextval('changes_seq'), 'pool', id FROM pools ORDER BY id;
  -- FHIR AuditEvent.purposeOfEvent: 'BTG' for an access under emergency access (part of the chain hash)
  ALTER TABLE audit_events ADD COLUMN purpose_of_event TEXT COLLATE "C";
  -- emergency access grants (break-glass): the admins' report until acknowledged
  CREATE TABLE break_glass (
    id TEXT COLLATE "C" PRIMARY KEY,
    staff_id TEXT COLLATE "C" NOT NULL REFERENCES staff(id),
    device_id TEXT COLLATE "C" NOT NULL,
    entity_type TEXT COLLATE "C" NOT NULL,
    entity_id TEXT COLLATE "C" NOT NULL,
    reason TEXT NOT NULL,
    opened_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL,
    acknowledged_by TEXT COLLATE "C" REFERENCES staff(id),
    acknowledged_at TEXT COLLATE "C"
  );
  CREATE INDEX break_glass_staff ON break_glass(staff_id, entity_id, expires_at);
  ALTER TABLE threads ADD COLUMN topic TEXT COLLATE "C";
  ALTER TABLE threads ADD COLUMN pool_id TEXT COLLATE "C" REFERENCES pools(id);
  `,
  // session 4 review (PostgreSQL twin of schema.ts migration 7): judging-time floor per device
  /* 7 */ `
  ALTER TABLE devices ADD COLUMN last_change_at TEXT COLLATE "C";
  `,
  // session 4, 13d (PostgreSQL twin of schema.ts): recurring series and the waitlist
  /* 8 */ `
  CREATE TABLE appointment_series (
    id TEXT COLLATE "C" PRIMARY KEY,
    data TEXT NOT NULL,
    version INTEGER NOT NULL
  );
  CREATE TABLE waitlist_entries (
    id TEXT COLLATE "C" PRIMARY KEY,
    data TEXT NOT NULL,
    version INTEGER NOT NULL
  );
  ALTER TABLE appointments ADD COLUMN series_id TEXT COLLATE "C" REFERENCES appointment_series(id);
  `,
  // session 4, 13c: availability (issue 13 §3): weekly templates per provider and location (blocks: JSON array
  // of {weekday, startMinute, endMinute, kind}), and exceptions (holidays, leave, one-off sessions). A provider
  // without a template keeps working day_start_minute..day_end_minute every day.
  /* 9: availability templates and exceptions */ `
  CREATE TABLE availability_templates (
    id TEXT COLLATE "C" PRIMARY KEY,
    provider_id TEXT COLLATE "C" NOT NULL REFERENCES providers(id),
    location_id TEXT COLLATE "C" NOT NULL REFERENCES locations(id),
    blocks TEXT NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (provider_id, location_id)
  );
  CREATE TABLE availability_exceptions (
    id TEXT COLLATE "C" PRIMARY KEY,
    kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('holiday', 'leave', 'session')),
    location_id TEXT COLLATE "C" NOT NULL REFERENCES locations(id),
    provider_id TEXT COLLATE "C" REFERENCES providers(id),
    -- local dates at the location, inclusive; wall-clock minutes (NULL: the whole day)
    from_date TEXT COLLATE "C" NOT NULL,
    to_date TEXT COLLATE "C" NOT NULL,
    start_minute INTEGER,
    end_minute INTEGER,
    label TEXT NOT NULL,
    version INTEGER NOT NULL
  );
  CREATE INDEX availability_exceptions_location ON availability_exceptions(location_id, to_date);
  `,
  // session 4, 14c: coverage (absences with a covering colleague, the hand-over/hand-back log), the clinic-set
  // break-glass time, pool reply templates (issue 14 §3-§5). 10 on main, after 13c's 9.
  /* 10: absences, coverage moves, clinic settings, pool templates */ `
  CREATE TABLE absences (
    id TEXT COLLATE "C" PRIMARY KEY,
    staff_id TEXT COLLATE "C" NOT NULL REFERENCES staff(id),
    cover_id TEXT COLLATE "C" NOT NULL REFERENCES staff(id),
    -- clinic-local days (inclusive) in time_zone (IANA), and the UTC instants they run between
    start_date TEXT COLLATE "C" NOT NULL,
    end_date TEXT COLLATE "C" NOT NULL,
    time_zone TEXT COLLATE "C" NOT NULL,
    starts_at TEXT COLLATE "C" NOT NULL,
    ends_at TEXT COLLATE "C" NOT NULL,
    -- scheduled | active (handed over) | ended (handed back)
    phase TEXT COLLATE "C" NOT NULL CHECK (phase IN ('scheduled', 'active', 'ended')),
    created_by TEXT COLLATE "C" NOT NULL REFERENCES staff(id),
    version INTEGER NOT NULL
  );
  CREATE INDEX absences_open ON absences(starts_at) WHERE phase <> 'ended';
  CREATE INDEX absences_staff ON absences(staff_id, starts_at);
  -- every thread the server moved for an absence: hand-back decides from it
  CREATE TABLE coverage_moves (
    absence_id TEXT COLLATE "C" NOT NULL REFERENCES absences(id),
    thread_id TEXT COLLATE "C" NOT NULL REFERENCES threads(id),
    from_staff TEXT COLLATE "C" NOT NULL,
    to_staff TEXT COLLATE "C" NOT NULL,
    moved_at TEXT COLLATE "C" NOT NULL,
    returned_at TEXT COLLATE "C",
    -- returned | kept-closed | kept-reassigned | kept-inactive | gone
    outcome TEXT COLLATE "C",
    PRIMARY KEY (absence_id, thread_id)
  );
  -- open threads by assignee: the coverage sweep's lookup
  CREATE INDEX threads_assignee_open ON threads(assignee_id) WHERE status <> 'done';
  CREATE TABLE clinic_settings (
    id TEXT COLLATE "C" PRIMARY KEY,
    break_glass_minutes INTEGER NOT NULL,
    version INTEGER NOT NULL
  );
  INSERT INTO clinic_settings (id, break_glass_minutes, version) VALUES ('clinic', 60, 1);
  INSERT INTO changes (seq, entity, id) VALUES (nextval('changes_seq'), 'clinicSettings', 'clinic');
  CREATE TABLE pool_templates (
    id TEXT COLLATE "C" PRIMARY KEY,
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools(id),
    title TEXT COLLATE "C" NOT NULL,
    body TEXT COLLATE "C" NOT NULL,
    version INTEGER NOT NULL
  );
  `,
  // session 7, s7srv: schema 11 keeps pre-serialized pull records in SQLite's change log (schema.ts); PostgreSQL
  // encodes each pull page's records in its one statement instead (server/db/wire-json.ts), so nothing changes
  // here: the number is kept so both stores count their migrations alike.
  /* 11: (SQLite only: pre-serialized pull records) */ `
  SELECT 1;
  `,
];
