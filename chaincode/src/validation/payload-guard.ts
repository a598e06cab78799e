import { ChaincodeError } from '../errors.js';

/**
 * The fields one kind of record may carry, listed as an object so the
 * compiler checks the list against the record's type: adding a field to a
 * record type fails to build until it is allowed here on purpose.
 */
export interface RecordSchema<T extends object> {
  readonly type: string;
  readonly fields: Readonly<Record<keyof T, true>>;
}

/**
 * Last check before anything is written: the ledger holds hashes,
 * pseudonymous ids and metadata only. A field outside the record's allowlist
 * (`name`, `given`, `birthDate`, a FHIR resource, ...), a nested value, or a
 * string that carries a JSON document is refused.
 */
export function guardPayload<T extends object>(schema: RecordSchema<T>, payload: unknown): asserts payload is T {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw refused(`a ${schema.type} record must be a flat JSON object`);
  }
  for (const [field, value] of Object.entries(payload)) {
    if (!Object.hasOwn(schema.fields, field)) {
      throw refused(`field '${field}' is not allowed in a ${schema.type} record`);
    }
    if (value !== undefined && !isScalar(value)) {
      throw refused(`field '${field}' of a ${schema.type} record must be a string or a number`);
    }
    if (typeof value === 'string' && looksLikeDocument(value)) {
      throw refused(`field '${field}' of a ${schema.type} record must not hold a JSON document`);
    }
  }
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function looksLikeDocument(value: string): boolean {
  return /^\s*[[{]/.test(value) || value.includes('resourceType');
}

function refused(message: string): ChaincodeError {
  return new ChaincodeError('PAYLOAD_REFUSED', message);
}
