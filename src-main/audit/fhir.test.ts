/** FHIR R4 export of the audit log, checked by the structural validator, and the validator's own failures. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KNOWN_PLAINTEXT, patientFixture } from '../../tests/helpers/fixtures';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, type AuditRecord } from '../../src-shared/domain';
import { CHAIN_EXTENSION_URL, type FhirAuditEvent, type FhirBundle } from './fhir';
import { checkAuditEvent, checkBundle } from './fhir-check';
import { DEVICE_NAME, openTestStore, type TestStore } from './test-store';

const ADMIN = { staffId: 'stf-ada', role: 'admin' as const };

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
  t.store.staff.upsert({
    id: 'stf-ada',
    username: 'ada',
    displayName: 'Ada Admin',
    role: 'admin',
    providerId: null,
    version: 1,
  });
  // A patient with known names in the store: the export must never carry them.
  t.store.patients.upsert(patientFixture({ id: 'pat-1' }));
});
afterEach(() => t.cleanup());

const exportOf = (filter: Parameters<TestStore['audit']['exportFhir']>[0] = {}): FhirBundle =>
  JSON.parse(t.audit.exportFhir(filter)) as FhirBundle;
const resourceOf = (b: FhirBundle, id: string): FhirAuditEvent =>
  b.entry!.find((e) => e.resource.id === id)!.resource;

describe('exportFhir', () => {
  it('writes a Bundle of AuditEvents that passes the structural check, for every action and entity type', () => {
    const recorded: AuditRecord[] = [];
    for (const action of AUDIT_ACTIONS) {
      for (const entityType of AUDIT_ENTITY_TYPES) {
        for (const entityId of [null, `${entityType}-1`]) {
          t.clock.advance(1000);
          recorded.push(
            t.audit.record(action === 'failed-sign-in' ? { staffId: null, role: null } : ADMIN, {
              action,
              entityType,
              entityId,
              outcome: action === 'failed-sign-in' ? 'failure' : 'success',
              fields: action === 'update' ? ['status', 'cancelReason'] : [],
            }),
          );
        }
      }
    }
    t.audit.record(
      { staffId: null, role: null },
      {
        action: 'lock',
        entityType: 'session',
        entityId: null,
        outcome: 'success',
        actorKind: 'system',
      },
    );
    const portal: AuditRecord = {
      id: '01937a6e-0000-7000-8000-000000000001',
      at: '2026-11-23T08:00:00.000Z',
      staffId: null,
      role: null,
      deviceId: 'portal',
      action: 'read',
      entityType: 'thread',
      entityId: 'thr-1',
      outcome: 'success',
      fields: [],
      actorKind: 'patient',
      prevHash: '',
      hash: '',
      version: 1,
    };
    t.audit.applyRemote(portal);
    t.audit.applyRemote({ ...portal, id: 'server_evt:42', deviceId: 'server', actorKind: 'system' });
    t.audit.applyRemote({ ...recorded[0]!, version: 2 });

    const text = t.audit.exportFhir({});
    const bundle = JSON.parse(text) as FhirBundle;
    expect(checkBundle(bundle)).toEqual([]);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect(bundle.entry).toHaveLength(recorded.length + 1 + 2);
    const entries = bundle.entry!;
    // Oldest first; the duplicate of a local event appears once.
    expect(entries[0]!.resource.id).toBe(portal.id);
    expect(new Set(entries.map((e) => e.fullUrl)).size).toBe(entries.length);
    // No patient data: names and birth dates stay in the store.
    for (const s of [KNOWN_PLAINTEXT.familyName, KNOWN_PLAINTEXT.givenName, patientFixture().birthDate]) {
      expect(text).not.toContain(s);
    }
  });

  it('maps actions, records, agents and sources to the R4 codes', () => {
    t.clock.advance(1000);
    const read = t.audit.record(ADMIN, {
      action: 'read',
      entityType: 'appointment',
      entityId: 'apt-1',
      outcome: 'success',
    });
    const update = t.audit.record(ADMIN, {
      action: 'update',
      entityType: 'thread',
      entityId: 'thr-1',
      outcome: 'failure',
      fields: ['priority'],
    });
    const patient = t.audit.record(ADMIN, {
      action: 'read',
      entityType: 'patient',
      entityId: 'pat-1',
      outcome: 'success',
    });
    const search = t.audit.record(ADMIN, {
      action: 'read',
      entityType: 'queue',
      entityId: null,
      outcome: 'success',
    });
    const signIn = t.audit.record(ADMIN, {
      action: 'sign-in',
      entityType: 'session',
      entityId: null,
      outcome: 'success',
    });
    const exported = t.audit.record(ADMIN, {
      action: 'export',
      entityType: 'audit',
      entityId: 'apt-1',
      outcome: 'success',
    });
    const b = exportOf();

    const r = resourceOf(b, read.id);
    expect(r.type).toEqual({
      system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
      code: 'rest',
      display: 'Restful Operation',
    });
    expect(r.subtype).toContainEqual({
      system: 'http://hl7.org/fhir/restful-interaction',
      code: 'read',
      display: 'read',
    });
    expect(r).toMatchObject({ action: 'R', outcome: '0', recorded: read.at });
    expect(r.agent).toEqual([
      {
        type: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type',
              code: 'humanuser',
              display: 'human user',
            },
          ],
        },
        role: [{ coding: [{ system: 'urn:clinic-console:staff-role', code: 'admin' }], text: 'admin' }],
        who: { reference: 'Practitioner/stf-ada', display: 'Ada Admin' },
        requestor: true,
      },
    ]);
    expect(r.source.observer.display).toBe(DEVICE_NAME);
    expect(r.source.type).toEqual([
      {
        system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
        code: '1',
        display: 'User Device',
      },
    ]);
    expect(r.entity![0]!.what).toEqual({ reference: 'Appointment/apt-1' });
    expect(r.extension![0]!.url).toBe(CHAIN_EXTENSION_URL);
    expect(r.extension![0]!.extension).toEqual([
      { url: 'prevHash', valueString: read.prevHash },
      { url: 'hash', valueString: read.hash },
    ]);

    const u = resourceOf(b, update.id);
    expect(u).toMatchObject({ action: 'U', outcome: '4' });
    expect(u.entity![0]).toMatchObject({
      what: { reference: 'CommunicationRequest/thr-1' },
      detail: [{ type: 'fields', valueString: 'priority' }],
    });

    const p = resourceOf(b, patient.id);
    expect(p.type).toMatchObject({ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110' });
    expect(p.entity![0]).toMatchObject({
      what: { reference: 'Patient/pat-1' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' },
    });

    const s = resourceOf(b, search.id);
    expect(s.subtype).toContainEqual({
      system: 'http://hl7.org/fhir/restful-interaction',
      code: 'search-type',
      display: 'search-type',
    });
    expect(s.entity![0]).toMatchObject({ role: { code: '24' } });
    expect(s.entity![0]!.what).toBeUndefined();

    const si = resourceOf(b, signIn.id);
    expect(si).toMatchObject({ action: 'E', type: { code: '110114' } });
    expect(si.subtype).toContainEqual({
      system: 'http://dicom.nema.org/resources/ontology/DCM',
      code: '110122',
      display: 'Login',
    });
    expect(si.entity).toBeUndefined();

    expect(resourceOf(b, exported.id)).toMatchObject({
      action: 'R',
      type: { code: '110106', display: 'Export' },
    });
  });

  it('filters by record and by time', () => {
    t.clock.advance(1000);
    const first = t.audit.record(ADMIN, {
      action: 'read',
      entityType: 'appointment',
      entityId: 'apt-1',
      outcome: 'success',
    });
    t.clock.advance(3_600_000);
    const second = t.audit.record(ADMIN, {
      action: 'read',
      entityType: 'appointment',
      entityId: 'apt-1',
      outcome: 'success',
    });
    t.audit.record(ADMIN, {
      action: 'read',
      entityType: 'appointment',
      entityId: 'apt-2',
      outcome: 'success',
    });
    t.audit.record(ADMIN, { action: 'read', entityType: 'thread', entityId: 'apt-1', outcome: 'success' });

    const ids = (b: FhirBundle) => (b.entry ?? []).map((e) => e.resource.id);
    expect(ids(exportOf({ entityType: 'appointment', entityId: 'apt-1' }))).toEqual([first.id, second.id]);
    // Bounds are inclusive and accept any offset: 10:00:01+01:00 is 09:00:01Z, the first event's instant.
    expect(
      ids(exportOf({ entityType: 'appointment', entityId: 'apt-1', to: '2026-11-23T10:00:01+01:00' })),
    ).toEqual([first.id]);
    expect(ids(exportOf({ entityId: 'apt-1', from: second.at }))).toHaveLength(2);
    // No events: a Bundle without entries (FHIR JSON has no empty arrays), still valid.
    const empty = exportOf({ entityId: 'nothing-here' });
    expect(empty.entry).toBeUndefined();
    expect(checkBundle(empty)).toEqual([]);
    expect(checkBundle({ ...empty, entry: [] })).toContain('Bundle.entry: empty array');
  });
});

describe('checkAuditEvent', () => {
  const valid = (): FhirAuditEvent & Record<string, unknown> => {
    t.clock.advance(1000);
    const e = t.audit.record(ADMIN, {
      action: 'update',
      entityType: 'appointment',
      entityId: 'apt-1',
      outcome: 'success',
      fields: ['status'],
    });
    return resourceOf(exportOf(), e.id) as FhirAuditEvent & Record<string, unknown>;
  };

  it('accepts a valid resource', () => {
    expect(checkAuditEvent(valid())).toEqual([]);
  });

  it('rejects a missing recorded and a recorded that is not an instant', () => {
    const r = valid();
    delete (r as Partial<FhirAuditEvent>).recorded;
    expect(checkAuditEvent(r)).toContain('AuditEvent.recorded: required');
    expect(checkAuditEvent({ ...valid(), recorded: '2026-11-23' })).toContain(
      'AuditEvent.recorded: not a FHIR instant',
    );
    expect(checkAuditEvent({ ...valid(), recorded: '2026-11-23T09:00:00' })).toContain(
      'AuditEvent.recorded: not a FHIR instant',
    );
  });

  it('rejects action and outcome codes outside their required code sets', () => {
    expect(checkAuditEvent({ ...valid(), action: 'X' })).toContain(
      "AuditEvent.action: 'X' is not in the required code set",
    );
    expect(checkAuditEvent({ ...valid(), action: 'read' })).toHaveLength(1);
    expect(checkAuditEvent({ ...valid(), outcome: '1' })).toContain(
      "AuditEvent.outcome: '1' is not in the required code set",
    );
  });

  it('rejects an agent without requestor, a missing agent and a non-boolean requestor', () => {
    const r = valid();
    const { requestor: _r, ...agent } = r.agent[0]!;
    expect(checkAuditEvent({ ...r, agent: [agent] })).toContain('AuditEvent.agent[0].requestor: required');
    expect(checkAuditEvent({ ...r, agent: [{ ...agent, requestor: 'true' }] })).toContain(
      'AuditEvent.agent[0].requestor: must be a boolean',
    );
    const { agent: _a, ...noAgent } = r;
    expect(checkAuditEvent(noAgent)).toContain('AuditEvent.agent: required (at least 1)');
    expect(checkAuditEvent({ ...r, agent: [] })).toContain('AuditEvent.agent: needs at least 1');
  });

  it('rejects a missing or malformed type, source and observer', () => {
    const r = valid();
    const { type: _t, ...noType } = r;
    expect(checkAuditEvent(noType)).toContain('AuditEvent.type: required');
    expect(checkAuditEvent({ ...r, type: [r.type] })).toContain('AuditEvent.type: must be a single Coding');
    expect(checkAuditEvent({ ...r, type: { code: 'rest' } })).toContain('AuditEvent.type.system: required');
    expect(
      checkAuditEvent({
        ...r,
        type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110122' },
      }),
    ).toContain("AuditEvent.type.code: '110122' is not a DICOM code of the AuditEventID value set");
    expect(checkAuditEvent({ ...r, type: { ...r.type, code: 'soap' } })).toContain(
      "AuditEvent.type.code: 'soap' is not a code of http://terminology.hl7.org/CodeSystem/audit-event-type",
    );
    const { source: _s, ...noSource } = r;
    expect(checkAuditEvent(noSource)).toContain('AuditEvent.source: required');
    expect(checkAuditEvent({ ...r, source: { type: r.source.type } })).toContain(
      'AuditEvent.source.observer: required',
    );
    expect(checkAuditEvent({ ...r, source: { observer: {} } })).toContain(
      'AuditEvent.source.observer: a Reference needs a reference, an identifier or a display',
    );
  });

  it('rejects unknown elements, bad codes in known systems, bad references and JSON form errors', () => {
    const r = valid();
    expect(checkAuditEvent({ ...r, patientName: 'x' })).toContain('AuditEvent.patientName: unknown element');
    const entity = r.entity![0]!;
    expect(
      checkAuditEvent({
        ...r,
        entity: [
          { ...entity, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '99' } },
        ],
      }),
    ).toContain(
      "AuditEvent.entity[0].role.code: '99' is not a code of http://terminology.hl7.org/CodeSystem/object-role",
    );
    expect(
      checkAuditEvent({ ...r, entity: [{ ...entity, what: { reference: 'not a reference' } }] }),
    ).toContain('AuditEvent.entity[0].what.reference: not a valid reference');
    expect(checkAuditEvent({ ...r, entity: [{ ...entity, detail: [{ type: 'fields' }] }] })).toContain(
      'AuditEvent.entity[0].detail[0]: needs exactly one of valueString or valueBase64Binary',
    );
    expect(checkAuditEvent({ ...r, outcomeDesc: '' })).toContain(
      'AuditEvent.outcomeDesc: empty or blank string',
    );
    expect(checkAuditEvent({ ...r, subtype: [] })).toContain('AuditEvent.subtype: empty array');
    expect(checkAuditEvent({ ...r, id: 'has_underscore' })).toContain('AuditEvent.id: not a FHIR id');
    expect(checkAuditEvent({ ...r, resourceType: 'Patient' })).toContain(
      "AuditEvent.resourceType: must be 'AuditEvent'",
    );
    expect(checkAuditEvent({ ...r, extension: [{ url: CHAIN_EXTENSION_URL }] })).toContain(
      'AuditEvent.extension[0]: needs exactly one of value[x] or extension',
    );
    expect(checkAuditEvent(null)).toEqual(['AuditEvent: must be a JSON object']);
  });
});

describe('checkBundle', () => {
  it('rejects bundle-level errors and reports problems inside entries with their path', () => {
    t.audit.record(ADMIN, {
      action: 'read',
      entityType: 'appointment',
      entityId: 'apt-1',
      outcome: 'success',
    });
    t.audit.record(ADMIN, {
      action: 'read',
      entityType: 'appointment',
      entityId: 'apt-2',
      outcome: 'success',
    });
    const b = exportOf();
    expect(checkBundle(b)).toEqual([]);
    expect(checkBundle({ ...b, type: 'bag' })).toContain("Bundle.type: 'bag' is not a Bundle type");
    expect(checkBundle({ ...b, total: 2 })).toContain(
      'Bundle.total: only allowed in a searchset or history (bdl-1)',
    );
    expect(checkBundle({ ...b, timestamp: 'yesterday' })).toContain('Bundle.timestamp: not a FHIR instant');
    const [e0, e1] = b.entry!;
    expect(checkBundle({ ...b, entry: [e0, { ...e1!, fullUrl: e0!.fullUrl }] })).toContain(
      'Bundle.entry[1].fullUrl: duplicate (bdl-7)',
    );
    const broken = { ...e1!, resource: { ...e1!.resource, action: 'Z' } };
    expect(checkBundle({ ...b, entry: [e0, broken] })).toEqual([
      "Bundle.entry[1].resource.action: 'Z' is not in the required code set",
    ]);
    expect(checkBundle({ ...b, entry: [{ ...e0!, search: { mode: 'match' } }] })).toContain(
      'Bundle.entry[0].search: only in a searchset (bdl-2)',
    );
    expect(checkBundle({ resourceType: 'Bundle' })).toContain('Bundle.type: required');
  });
});
