// The console's choices come from the gateway's own domain vocabulary, so they cannot drift apart.
import { CATEGORIES, SENSITIVITY_DESCRIPTIONS, SENSITIVITY_LABELS } from '../../src/domain/fhir.js';
import { PURPOSE_DESCRIPTIONS, PURPOSES_OF_USE } from '../../src/domain/purpose.js';

/** GraphQL's Category values (the domain's, upper-cased). */
export const CATEGORY_VALUES: readonly string[] = CATEGORIES.map((c) => c.toUpperCase());
export const LABELS: readonly string[] = SENSITIVITY_LABELS;
export const PURPOSES: readonly string[] = PURPOSES_OF_USE;

export function labelText(label: string): string {
  return (SENSITIVITY_DESCRIPTIONS as Readonly<Record<string, string>>)[label] ?? label;
}

export function purposeText(purpose: string): string {
  return (PURPOSE_DESCRIPTIONS as Readonly<Record<string, string>>)[purpose] ?? purpose;
}
