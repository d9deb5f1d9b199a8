/** FHIR R4 export of the audit log, checked by a maintained FHIR R4 validator (@medplum/core). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KNOWN_PLAINTEXT, patientFixture } from '../../tests/helpers/fixtures';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, type AuditRecord } from '../../src-shared/domain';
import { CHAIN_EXTENSION_URL, type FhirAuditEvent, type FhirBundle } from './fhir';
import { validateFhirR4 } from '../../tests/helpers/fhir-validator';
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
  it('writes a Bundle of AuditEvents that passes the FHIR R4 validator, for every action and entity type', () => {
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
    expect(validateFhirR4(bundle)).toEqual([]);
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
    expect(validateFhirR4(empty)).toEqual([]);
  });
});

describe('the maintained validator (@medplum/core, R4 definitions) can fail', () => {
  const valid = (): FhirAuditEvent & Record<string, unknown> => {
    t.clock.advance(1000);
    const e = t.audit.record(ADMIN, {
      action: 'update',
      entityType: 'thread',
      entityId: 'thr-1',
      outcome: 'success',
      fields: ['status'],
    });
    return resourceOf(exportOf(), e.id) as FhirAuditEvent & Record<string, unknown>;
  };

  it('passes an exported event and refuses broken ones', () => {
    const r = valid();
    expect(validateFhirR4(r)).toEqual([]);
    const { recorded: _recorded, ...noRecorded } = r;
    expect(validateFhirR4(noRecorded).join('\n')).toMatch(/recorded/);
    expect(validateFhirR4({ ...r, recorded: 'yesterday' }).join('\n')).toMatch(/recorded/);
    expect(validateFhirR4({ ...r, patientName: 'x' }).join('\n')).toMatch(/patientName/);
    expect(validateFhirR4({ ...r, agent: [{ ...r.agent[0], requestor: 'true' }] }).join('\n')).toMatch(
      /requestor/,
    );
    expect(validateFhirR4({ ...r, type: [r.type] }).join('\n')).toMatch(/type/);
    const bundle = exportOf();
    expect(validateFhirR4(bundle)).toEqual([]);
    expect(
      validateFhirR4({ ...bundle, entry: [{ ...bundle.entry![0]!, resource: { ...r, outcome: 7 } }] }).join(
        '\n',
      ),
    ).toMatch(/outcome/);
  });
});
