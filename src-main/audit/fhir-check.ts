/**
 * A hand-written structural validator for FHIR R4 AuditEvent resources and Bundles (JSON form).
 * It checks cardinalities, element names, primitive formats (id, instant, uri, code), required code sets
 * (action, outcome, Bundle.type) and the codes of the terminology systems the export uses, and the JSON rules
 * (no nulls, no empty strings, arrays or objects). It returns every problem found as "path: what is wrong";
 * an empty list means the resource passed. It is no replacement for the HL7 validator, but it can fail.
 */

type Json = Record<string, unknown>;
type Problems = string[];

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
// R4 instant: full date and time with seconds and a zone.
const INSTANT =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;
const CODE = /^[^\s]+( [^\s]+)*$/;
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
const REFERENCE =
  /^([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?|#[A-Za-z0-9\-.]{1,64}|[A-Za-z][A-Za-z0-9+.-]*:\S+)$/;

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${from + i}`);

/** Code systems whose codes are checked: the ones the R4 AuditEvent bindings and our export use. */
export const KNOWN_CODE_SYSTEMS: Readonly<Record<string, ReadonlySet<string>>> = {
  'http://terminology.hl7.org/CodeSystem/audit-event-type': new Set(['rest']),
  'http://hl7.org/fhir/restful-interaction': new Set([
    'read',
    'vread',
    'update',
    'patch',
    'delete',
    'history',
    'history-instance',
    'history-type',
    'history-system',
    'create',
    'search',
    'search-type',
    'search-system',
    'capabilities',
    'transaction',
    'batch',
    'operation',
  ]),
  'http://hl7.org/fhir/audit-event-action': new Set(['C', 'R', 'U', 'D', 'E']),
  'http://hl7.org/fhir/audit-event-outcome': new Set(['0', '4', '8', '12']),
  'http://terminology.hl7.org/CodeSystem/extra-security-role-type': new Set([
    'authserver',
    'datacollector',
    'dataprocessor',
    'datasubject',
    'humanuser',
  ]),
  'http://terminology.hl7.org/CodeSystem/security-source-type': new Set(range(1, 9)),
  'http://terminology.hl7.org/CodeSystem/audit-entity-type': new Set(range(1, 4)),
  'http://terminology.hl7.org/CodeSystem/object-role': new Set(range(1, 24)),
};
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
/** DICOM codes of the R4 AuditEventID value set (AuditEvent.type). */
const DCM_EVENT_IDS = new Set(range(110100, 110114));

const ACTIONS = new Set(['C', 'R', 'U', 'D', 'E']);
const OUTCOMES = new Set(['0', '4', '8', '12']);
const BUNDLE_TYPES = new Set([
  'document',
  'message',
  'transaction',
  'transaction-response',
  'batch',
  'batch-response',
  'history',
  'searchset',
  'collection',
]);

const RESOURCE_BASE = ['resourceType', 'id', 'meta', 'implicitRules', 'language', 'text', 'contained'];
const ELEMENT_BASE = ['id', 'extension'];
const BACKBONE_BASE = ['id', 'extension', 'modifierExtension'];

const KEYS = {
  auditEvent: [
    ...RESOURCE_BASE,
    'extension',
    'modifierExtension',
    'type',
    'subtype',
    'action',
    'period',
    'recorded',
    'outcome',
    'outcomeDesc',
    'purposeOfEvent',
    'agent',
    'source',
    'entity',
  ],
  agent: [
    ...BACKBONE_BASE,
    'type',
    'role',
    'who',
    'altId',
    'name',
    'requestor',
    'location',
    'policy',
    'media',
    'network',
    'purposeOfUse',
  ],
  network: [...ELEMENT_BASE, 'address', 'type'],
  source: [...BACKBONE_BASE, 'site', 'observer', 'type'],
  entity: [
    ...BACKBONE_BASE,
    'what',
    'type',
    'role',
    'lifecycle',
    'securityLabel',
    'name',
    'description',
    'query',
    'detail',
  ],
  detail: [...BACKBONE_BASE, 'type', 'valueString', 'valueBase64Binary'],
  coding: [...ELEMENT_BASE, 'system', 'version', 'code', 'display', 'userSelected'],
  codeableConcept: [...ELEMENT_BASE, 'coding', 'text'],
  reference: [...ELEMENT_BASE, 'reference', 'type', 'identifier', 'display'],
  identifier: [...ELEMENT_BASE, 'use', 'type', 'system', 'value', 'period', 'assigner'],
  period: [...ELEMENT_BASE, 'start', 'end'],
  meta: [...ELEMENT_BASE, 'versionId', 'lastUpdated', 'source', 'profile', 'security', 'tag'],
  bundle: [
    ...RESOURCE_BASE.filter((k) => k !== 'text' && k !== 'contained'),
    'identifier',
    'type',
    'timestamp',
    'total',
    'link',
    'entry',
    'signature',
  ],
  entry: [...BACKBONE_BASE, 'link', 'fullUrl', 'resource', 'search', 'request', 'response'],
} as const;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function keys(o: Json, allowed: readonly string[], path: string, p: Problems): void {
  for (const k of Object.keys(o)) {
    // Primitive extensions ("_recorded") are legal next to a known element.
    const base = k.startsWith('_') ? k.slice(1) : k;
    if (!allowed.includes(base)) p.push(`${path}.${k}: unknown element`);
  }
}

/** JSON form rules for every value: no null, no empty string / array / object. */
function jsonRules(v: unknown, path: string, p: Problems): void {
  if (v === null) p.push(`${path}: null is not allowed`);
  else if (typeof v === 'string') {
    if (v.trim() === '') p.push(`${path}: empty or blank string`);
  } else if (Array.isArray(v)) {
    if (v.length === 0) p.push(`${path}: empty array`);
    v.forEach((x, i) => jsonRules(x, `${path}[${i}]`, p));
  } else if (isObject(v)) {
    if (Object.keys(v).length === 0) p.push(`${path}: empty object`);
    for (const [k, x] of Object.entries(v)) jsonRules(x, `${path}.${k}`, p);
  } else if (typeof v === 'number' && !Number.isFinite(v)) p.push(`${path}: not a finite number`);
}

function str(o: Json, k: string, path: string, p: Problems, required = false): string | undefined {
  const v = o[k];
  if (v === undefined) {
    if (required) p.push(`${path}.${k}: required`);
    return undefined;
  }
  if (typeof v !== 'string') {
    p.push(`${path}.${k}: must be a string`);
    return undefined;
  }
  return v;
}

function arr(o: Json, k: string, path: string, p: Problems, min = 0): unknown[] {
  const v = o[k];
  if (v === undefined) {
    if (min > 0) p.push(`${path}.${k}: required (at least ${min})`);
    return [];
  }
  if (!Array.isArray(v)) {
    p.push(`${path}.${k}: must be an array`);
    return [];
  }
  if (v.length < min) p.push(`${path}.${k}: needs at least ${min}`);
  return v;
}

function instant(o: Json, k: string, path: string, p: Problems, required = false): void {
  const v = str(o, k, path, p, required);
  if (v !== undefined && !INSTANT.test(v)) p.push(`${path}.${k}: not a FHIR instant`);
}

function codeIn(
  o: Json,
  k: string,
  set: ReadonlySet<string>,
  path: string,
  p: Problems,
  required = false,
): void {
  const v = str(o, k, path, p, required);
  if (v !== undefined && !set.has(v)) p.push(`${path}.${k}: '${v}' is not in the required code set`);
}

/** A Coding; system and code are required here (every Coding we write names its system). */
function coding(v: unknown, path: string, p: Problems): Json | null {
  if (!isObject(v)) {
    p.push(`${path}: must be a Coding object`);
    return null;
  }
  keys(v, KEYS.coding, path, p);
  const system = str(v, 'system', path, p, true);
  const code = str(v, 'code', path, p, true);
  str(v, 'display', path, p);
  if (v.userSelected !== undefined && typeof v.userSelected !== 'boolean') {
    p.push(`${path}.userSelected: must be a boolean`);
  }
  if (system !== undefined && !ABSOLUTE_URI.test(system)) p.push(`${path}.system: not an absolute URI`);
  if (code !== undefined && !CODE.test(code)) p.push(`${path}.code: not a valid code`);
  const known = system !== undefined ? KNOWN_CODE_SYSTEMS[system] : undefined;
  if (known && code !== undefined && !known.has(code))
    p.push(`${path}.code: '${code}' is not a code of ${system}`);
  return v;
}

function codings(o: Json, k: string, path: string, p: Problems): void {
  arr(o, k, path, p).forEach((c, i) => coding(c, `${path}.${k}[${i}]`, p));
}

function codeableConcept(v: unknown, path: string, p: Problems): void {
  if (!isObject(v)) {
    p.push(`${path}: must be a CodeableConcept object`);
    return;
  }
  keys(v, KEYS.codeableConcept, path, p);
  codings(v, 'coding', path, p);
  str(v, 'text', path, p);
}

function identifier(v: unknown, path: string, p: Problems): void {
  if (!isObject(v)) {
    p.push(`${path}: must be an Identifier object`);
    return;
  }
  keys(v, KEYS.identifier, path, p);
  const system = str(v, 'system', path, p);
  if (system !== undefined && !ABSOLUTE_URI.test(system)) p.push(`${path}.system: not an absolute URI`);
  str(v, 'value', path, p);
}

function reference(v: unknown, path: string, p: Problems): void {
  if (!isObject(v)) {
    p.push(`${path}: must be a Reference object`);
    return;
  }
  keys(v, KEYS.reference, path, p);
  const ref = str(v, 'reference', path, p);
  if (ref !== undefined && !REFERENCE.test(ref)) p.push(`${path}.reference: not a valid reference`);
  if (v.identifier !== undefined) identifier(v.identifier, `${path}.identifier`, p);
  str(v, 'display', path, p);
  if (v.reference === undefined && v.identifier === undefined && v.display === undefined) {
    p.push(`${path}: a Reference needs a reference, an identifier or a display`);
  }
}

function extensions(o: Json, k: string, path: string, p: Problems): void {
  arr(o, k, path, p).forEach((x, i) => {
    const at = `${path}.${k}[${i}]`;
    if (!isObject(x)) {
      p.push(`${at}: must be an Extension object`);
      return;
    }
    const url = str(x, 'url', at, p, true);
    if (url !== undefined && !/^\S+$/.test(url)) p.push(`${at}.url: not a URI`);
    const values = Object.keys(x).filter((key) => key.startsWith('value'));
    const nested = x.extension !== undefined;
    // ext-1: an extension has either nested extensions or one value[x], not both and not neither.
    if (nested === values.length > 0 || values.length > 1)
      p.push(`${at}: needs exactly one of value[x] or extension`);
    for (const key of Object.keys(x)) {
      if (key !== 'url' && key !== 'id' && key !== 'extension' && !key.startsWith('value')) {
        p.push(`${at}.${key}: unknown element`);
      }
    }
    if (nested) extensions(x, 'extension', at, p);
  });
}

function period(v: unknown, path: string, p: Problems): void {
  if (!isObject(v)) {
    p.push(`${path}: must be a Period object`);
    return;
  }
  keys(v, KEYS.period, path, p);
  // Period takes dateTime; an instant is the form the console writes, and a dateTime superset check is enough.
  for (const k of ['start', 'end']) {
    const s = str(v, k, path, p);
    if (s !== undefined && !/^\d{4}(-\d{2}(-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?)?)?$/.test(s)) {
      p.push(`${path}.${k}: not a FHIR dateTime`);
    }
  }
}

function meta(v: unknown, path: string, p: Problems): void {
  if (!isObject(v)) {
    p.push(`${path}: must be a Meta object`);
    return;
  }
  keys(v, KEYS.meta, path, p);
  instant(v, 'lastUpdated', path, p);
}

/** Problems of one R4 AuditEvent resource; [] when it passes. */
export function checkAuditEvent(resource: unknown, path = 'AuditEvent'): string[] {
  const p: Problems = [];
  if (!isObject(resource)) return [`${path}: must be a JSON object`];
  jsonRules(resource, path, p);
  keys(resource, KEYS.auditEvent, path, p);
  if (resource.resourceType !== 'AuditEvent') p.push(`${path}.resourceType: must be 'AuditEvent'`);
  const id = str(resource, 'id', path, p);
  if (id !== undefined && !ID.test(id)) p.push(`${path}.id: not a FHIR id`);
  if (resource.meta !== undefined) meta(resource.meta, `${path}.meta`, p);
  extensions(resource, 'extension', path, p);
  extensions(resource, 'modifierExtension', path, p);

  // type 1..1 Coding, from AuditEventID when it is one of its systems.
  if (resource.type === undefined) p.push(`${path}.type: required`);
  else if (Array.isArray(resource.type)) p.push(`${path}.type: must be a single Coding`);
  else {
    const t = coding(resource.type, `${path}.type`, p);
    if (t?.system === DCM && typeof t.code === 'string' && !DCM_EVENT_IDS.has(t.code)) {
      p.push(`${path}.type.code: '${t.code}' is not a DICOM code of the AuditEventID value set`);
    }
  }
  codings(resource, 'subtype', path, p);
  codeIn(resource, 'action', ACTIONS, path, p);
  if (resource.period !== undefined) period(resource.period, `${path}.period`, p);
  instant(resource, 'recorded', path, p, true);
  codeIn(resource, 'outcome', OUTCOMES, path, p);
  str(resource, 'outcomeDesc', path, p);
  arr(resource, 'purposeOfEvent', path, p).forEach((c, i) =>
    codeableConcept(c, `${path}.purposeOfEvent[${i}]`, p),
  );

  arr(resource, 'agent', path, p, 1).forEach((a, i) => {
    const at = `${path}.agent[${i}]`;
    if (!isObject(a)) {
      p.push(`${at}: must be an object`);
      return;
    }
    keys(a, KEYS.agent, at, p);
    if (a.requestor === undefined) p.push(`${at}.requestor: required`);
    else if (typeof a.requestor !== 'boolean') p.push(`${at}.requestor: must be a boolean`);
    if (a.type !== undefined) codeableConcept(a.type, `${at}.type`, p);
    arr(a, 'role', at, p).forEach((c, j) => codeableConcept(c, `${at}.role[${j}]`, p));
    if (a.who !== undefined) reference(a.who, `${at}.who`, p);
    if (a.location !== undefined) reference(a.location, `${at}.location`, p);
    str(a, 'altId', at, p);
    str(a, 'name', at, p);
    arr(a, 'policy', at, p).forEach((u, j) => {
      if (typeof u !== 'string' || !/^\S+$/.test(u)) p.push(`${at}.policy[${j}]: not a URI`);
    });
    if (a.media !== undefined) coding(a.media, `${at}.media`, p);
    if (a.network !== undefined) {
      if (!isObject(a.network)) p.push(`${at}.network: must be an object`);
      else {
        keys(a.network, KEYS.network, `${at}.network`, p);
        str(a.network, 'address', `${at}.network`, p);
        codeIn(a.network, 'type', new Set(range(1, 5)), `${at}.network`, p);
      }
    }
    arr(a, 'purposeOfUse', at, p).forEach((c, j) => codeableConcept(c, `${at}.purposeOfUse[${j}]`, p));
    extensions(a, 'extension', at, p);
  });

  const src = resource.source;
  if (src === undefined) p.push(`${path}.source: required`);
  else if (!isObject(src)) p.push(`${path}.source: must be an object`);
  else {
    const at = `${path}.source`;
    keys(src, KEYS.source, at, p);
    str(src, 'site', at, p);
    if (src.observer === undefined) p.push(`${at}.observer: required`);
    else reference(src.observer, `${at}.observer`, p);
    codings(src, 'type', at, p);
  }

  arr(resource, 'entity', path, p).forEach((e, i) => {
    const at = `${path}.entity[${i}]`;
    if (!isObject(e)) {
      p.push(`${at}: must be an object`);
      return;
    }
    keys(e, KEYS.entity, at, p);
    if (e.what !== undefined) reference(e.what, `${at}.what`, p);
    for (const k of ['type', 'role', 'lifecycle']) if (e[k] !== undefined) coding(e[k], `${at}.${k}`, p);
    codings(e, 'securityLabel', at, p);
    str(e, 'name', at, p);
    str(e, 'description', at, p);
    const query = str(e, 'query', at, p);
    if (query !== undefined && !/^[A-Za-z0-9+/]+={0,2}$/.test(query)) p.push(`${at}.query: not base64`);
    // sev-1: either a name or a query, not both.
    if (e.name !== undefined && e.query !== undefined) p.push(`${at}: has both name and query (sev-1)`);
    arr(e, 'detail', at, p).forEach((d, j) => {
      const dt = `${at}.detail[${j}]`;
      if (!isObject(d)) {
        p.push(`${dt}: must be an object`);
        return;
      }
      keys(d, KEYS.detail, dt, p);
      str(d, 'type', dt, p, true);
      const n = (d.valueString !== undefined ? 1 : 0) + (d.valueBase64Binary !== undefined ? 1 : 0);
      if (n !== 1) p.push(`${dt}: needs exactly one of valueString or valueBase64Binary`);
      str(d, 'valueString', dt, p);
      str(d, 'valueBase64Binary', dt, p);
    });
  });
  return p;
}

/** Problems of an R4 Bundle whose entries are AuditEvents; [] when it passes. */
export function checkBundle(bundle: unknown): string[] {
  const path = 'Bundle';
  const p: Problems = [];
  if (!isObject(bundle)) return [`${path}: must be a JSON object`];
  jsonRules({ ...bundle, entry: undefined }, path, p);
  if (Array.isArray(bundle.entry) && bundle.entry.length === 0) p.push(`${path}.entry: empty array`);
  keys(bundle, KEYS.bundle, path, p);
  if (bundle.resourceType !== 'Bundle') p.push(`${path}.resourceType: must be 'Bundle'`);
  const id = str(bundle, 'id', path, p);
  if (id !== undefined && !ID.test(id)) p.push(`${path}.id: not a FHIR id`);
  if (bundle.meta !== undefined) meta(bundle.meta, `${path}.meta`, p);
  const type = str(bundle, 'type', path, p, true);
  if (type !== undefined && !BUNDLE_TYPES.has(type)) p.push(`${path}.type: '${type}' is not a Bundle type`);
  instant(bundle, 'timestamp', path, p);
  // bdl-1: total only in a search set or history.
  if (bundle.total !== undefined && type !== 'searchset' && type !== 'history') {
    p.push(`${path}.total: only allowed in a searchset or history (bdl-1)`);
  }
  const fullUrls = new Set<string>();
  arr(bundle, 'entry', path, p).forEach((e, i) => {
    const at = `${path}.entry[${i}]`;
    if (!isObject(e)) {
      p.push(`${at}: must be an object`);
      return;
    }
    jsonRules({ ...e, resource: undefined }, at, p);
    keys(e, KEYS.entry, at, p);
    const fullUrl = str(e, 'fullUrl', at, p);
    if (fullUrl !== undefined) {
      if (!ABSOLUTE_URI.test(fullUrl)) p.push(`${at}.fullUrl: not an absolute URI`);
      if (fullUrl.includes('/_history/')) p.push(`${at}.fullUrl: must not be version specific (bdl-8)`);
      if (fullUrls.has(fullUrl)) p.push(`${at}.fullUrl: duplicate (bdl-7)`);
      fullUrls.add(fullUrl);
      if (
        fullUrl.startsWith('urn:uuid:') &&
        !/^urn:uuid:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.test(fullUrl)
      ) {
        p.push(`${at}.fullUrl: not a valid urn:uuid`);
      }
    }
    if (e.search !== undefined && type !== 'searchset') p.push(`${at}.search: only in a searchset (bdl-2)`);
    if (e.request !== undefined && !['batch', 'transaction', 'history'].includes(type ?? '')) {
      p.push(`${at}.request: only in a batch, transaction or history (bdl-3)`);
    }
    if (
      e.response !== undefined &&
      !['batch-response', 'transaction-response', 'history'].includes(type ?? '')
    ) {
      p.push(`${at}.response: only in a batch-response, transaction-response or history (bdl-4)`);
    }
    if (e.resource === undefined) {
      // bdl-5: an entry has a resource unless it is a request or response.
      if (e.request === undefined && e.response === undefined) p.push(`${at}: needs a resource (bdl-5)`);
      return;
    }
    if (!isObject(e.resource) || e.resource.resourceType !== 'AuditEvent') {
      p.push(`${at}.resource: only AuditEvent resources are checked here`);
      return;
    }
    p.push(...checkAuditEvent(e.resource, `${at}.resource`));
  });
  return p;
}
