import { contentHash } from '../domain/canonical-json.js';
import { MeridianError } from '../domain/errors.js';
import {
  CATEGORY_OF,
  IPS_RESOURCE_TYPES,
  isIpsResourceType,
  isSensitivityLabel,
  SENSITIVITY_LABELS,
  SENSITIVITY_SYSTEM,
  type FhirCoding,
  type FhirResource,
  type IpsResourceType,
  type SensitivityLabel,
} from '../domain/fhir.js';
import type { StoredRecord } from '../domain/record.js';
import { issuePath, metaSchema, ONE_OF, PATIENT_FIELD, RESOURCE_SCHEMAS } from './fhir-resource-schemas.js';

/** Identifier system that links a Patient to a global (cross-region) patient id. */
export const GLOBAL_ID_SYSTEM = 'urn:meridian:global-patient-id';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const GLOBAL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PATIENT_REFERENCE = /^Patient\/([A-Za-z0-9\-.]{1,64})$/;
const DEFAULT_MAX_ERRORS = 100;

export interface BundlePatient {
  readonly localId: string;
  readonly resource: FhirResource;
  /** From an identifier with system GLOBAL_ID_SYSTEM, when the bundle names one. */
  readonly globalId: string | null;
}

export interface ParsedBundle {
  readonly type: 'transaction' | 'collection';
  readonly patients: readonly BundlePatient[];
  /** Every resource to store, the Patients included. */
  readonly records: readonly Omit<StoredRecord, 'region'>[];
  /**
   * Patients referenced but not in the bundle, each with where it is referenced
   * (`entry[3] (Observation/obs-1): subject.reference`): they must already be in the region.
   */
  readonly externalPatients: ReadonlyMap<string, readonly string[]>;
}

export interface ParseOptions {
  /** Organisation recorded as the source of every record. */
  readonly organisationId: string;
  /** lastUpdated of resources without meta.lastUpdated. */
  readonly now: Date;
  readonly maxErrors?: number;
}

/** Collects errors for the whole bundle, keeping the first `max` and counting the rest. */
export class ErrorList {
  readonly #max: number;
  readonly messages: string[] = [];
  count = 0;

  constructor(max: number = DEFAULT_MAX_ERRORS) {
    this.#max = max;
  }

  add(message: string): void {
    this.count++;
    if (this.messages.length < this.#max) this.messages.push(message);
  }

  /** Throws BAD_USER_INPUT listing the errors, if there are any. */
  throwIfAny(): void {
    if (this.count === 0) return;
    const more = this.count - this.messages.length;
    throw new MeridianError(
      'BAD_USER_INPUT',
      `invalid FHIR bundle: ${this.count} error${this.count === 1 ? '' : 's'}, the first: ${this.messages[0] ?? ''}`,
      { errors: [...this.messages, ...(more > 0 ? [`… and ${more} more`] : [])], errorCount: this.count },
    );
  }
}

interface ValidEntry {
  readonly label: string;
  readonly type: IpsResourceType;
  readonly id: string;
  readonly resource: FhirResource;
  readonly patientId: string;
  readonly sensitivity: SensitivityLabel | null;
  readonly globalId: string | null;
}

/** Reports a problem with one field of the entry being checked. */
type Say = (field: string, message: string) => void;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function entryLabel(index: number, resource: Record<string, unknown>): string {
  const type = typeof resource.resourceType === 'string' ? resource.resourceType : undefined;
  const id = typeof resource.id === 'string' && FHIR_ID.test(resource.id) ? resource.id : undefined;
  if (type === undefined) return `entry[${index}]`;
  return `entry[${index}] (${type}${id !== undefined ? `/${id}` : ''})`;
}

/** The one sensitivity label of a resource; more than one cannot be stored without losing protection. */
function sensitivityOf(resource: Record<string, unknown>, say: Say): SensitivityLabel | null {
  const meta = isObject(resource.meta) ? resource.meta : {};
  const codings: unknown[] = Array.isArray(meta.security) ? meta.security : [];
  const labels = new Set<SensitivityLabel>();
  codings.forEach((raw, i) => {
    const c = (isObject(raw) ? raw : {}) as FhirCoding;
    if (c.system !== SENSITIVITY_SYSTEM || typeof c.code !== 'string') return;
    if (isSensitivityLabel(c.code)) labels.add(c.code);
    else
      say(
        `meta.security[${i}].code`,
        `"${c.code}" is not a sensitivity label Meridian knows (${SENSITIVITY_LABELS.join(', ')})`,
      );
  });
  if (labels.size > 1)
    say('meta.security', `more than one sensitivity label (${[...labels].join(', ')}); Meridian stores one per record`);
  return labels.values().next().value ?? null;
}

function globalIdOf(resource: Record<string, unknown>, say: Say): string | null {
  const identifiers = Array.isArray(resource.identifier) ? (resource.identifier as Record<string, unknown>[]) : [];
  const values = new Set<string>();
  identifiers.forEach((idf, i) => {
    if (!isObject(idf) || idf.system !== GLOBAL_ID_SYSTEM) return;
    if (typeof idf.value === 'string' && GLOBAL_ID.test(idf.value)) values.add(idf.value);
    else say(`identifier[${i}].value`, 'a global patient id must be 1-64 letters, digits, ".", "_" or "-"');
  });
  if (values.size > 1) say('identifier', `more than one ${GLOBAL_ID_SYSTEM} identifier`);
  return values.values().next().value ?? null;
}

function patientIdOf(type: IpsResourceType, id: string, resource: Record<string, unknown>, say: Say): string {
  if (type === 'Patient') return id;
  const field = PATIENT_FIELD[type];
  const ref = resource[field];
  const target = isObject(ref) && typeof ref.reference === 'string' ? ref.reference : undefined;
  if (target === undefined) return ''; // the schema already reported it
  const match = PATIENT_REFERENCE.exec(target);
  if (!match?.[1]) say(`${field}.reference`, 'must reference a Patient as "Patient/<id>"');
  return match?.[1] ?? '';
}

function checkRequest(entry: Record<string, unknown>, say: Say): void {
  if (!isObject(entry.request)) return;
  const method = entry.request.method;
  if (method !== 'PUT' && method !== 'POST') say('request.method', 'only PUT and POST entries can be imported');
}

/** The entry and its resource, or null after reporting why there is none. */
function resourceOf(
  raw: unknown,
  index: number,
  errors: ErrorList,
): { entry: Record<string, unknown>; resource: Record<string, unknown> } | null {
  if (!isObject(raw)) {
    errors.add(`entry[${index}]: must be an object with a resource`);
    return null;
  }
  const resource = raw.resource;
  if (isObject(resource)) return { entry: raw, resource };
  errors.add(`entry[${index}]: resource: ${resource === undefined ? 'required' : 'must be a FHIR resource object'}`);
  return null;
}

/** The resource's type when Meridian stores it, or null after reporting it. */
function ipsTypeOf(resource: Record<string, unknown>, say: Say): IpsResourceType | null {
  const type = resource.resourceType;
  if (typeof type !== 'string') say('resourceType', 'required');
  else if (!isIpsResourceType(type))
    say('resourceType', `"${type}" is not a type Meridian stores (${IPS_RESOURCE_TYPES.join(', ')})`);
  else return type;
  return null;
}

/** id, meta and the fields the type requires. */
function checkFields(type: IpsResourceType, resource: Record<string, unknown>, say: Say): void {
  const id = resource.id;
  if (typeof id !== 'string' || !FHIR_ID.test(id))
    say('id', id === undefined ? 'required' : 'must be 1-64 letters, digits, "-" or "."');
  for (const issue of metaSchema.safeParse(resource.meta).error?.issues ?? [])
    say(issuePath(['meta', ...issue.path]), issue.message);
  for (const issue of RESOURCE_SCHEMAS[type].safeParse(resource).error?.issues ?? [])
    say(issuePath(issue.path), issue.message);
  const choices = ONE_OF[type];
  if (choices && !choices.some((c) => resource[c] !== undefined)) {
    say(choices[0] ?? '', `required (or ${choices.slice(1).join(', ')})`);
  }
}

/** Validates one entry; reports every problem it finds and returns it only when it has none. */
function checkEntry(raw: unknown, index: number, errors: ErrorList): ValidEntry | null {
  const found = resourceOf(raw, index, errors);
  if (found === null) return null;
  const { entry, resource } = found;
  const label = entryLabel(index, resource);
  const before = errors.count;
  const say: Say = (field, message) => {
    errors.add(`${label}: ${field}: ${message}`);
  };
  checkRequest(entry, say);
  const type = ipsTypeOf(resource, say);
  if (type === null) return null;
  checkFields(type, resource, say);
  const id = typeof resource.id === 'string' ? resource.id : '';
  const patientId = patientIdOf(type, id, resource, say);
  const sensitivity = sensitivityOf(resource, say);
  const globalId = type === 'Patient' ? globalIdOf(resource, say) : null;
  if (errors.count > before) return null;
  return { label, type, id, resource: resource as FhirResource, patientId, sensitivity, globalId };
}

function checkBundle(input: unknown, errors: ErrorList): { type: ParsedBundle['type']; entries: unknown[] } | null {
  if (!isObject(input)) {
    errors.add('bundle: must be a JSON object (a FHIR Bundle)');
    return null;
  }
  if (input.resourceType !== 'Bundle') {
    const got = typeof input.resourceType === 'string' ? ` (got "${input.resourceType}")` : '';
    errors.add(`resourceType: must be "Bundle"${got}`);
    return null;
  }
  const type = input.type;
  if (type !== 'transaction' && type !== 'collection') {
    errors.add(`type: must be "transaction" or "collection"${typeof type === 'string' ? ` (got "${type}")` : ''}`);
  }
  const entries = input.entry;
  if (entries !== undefined && !Array.isArray(entries)) errors.add('entry: must be an array');
  else if (entries === undefined || entries.length === 0) errors.add('entry: the bundle has no entries');
  if (errors.count > 0 || !Array.isArray(entries)) return null;
  return { type: type as ParsedBundle['type'], entries: entries as unknown[] };
}

function toRecord(entry: ValidEntry, options: ParseOptions): Omit<StoredRecord, 'region'> {
  const lastUpdated = entry.resource.meta?.lastUpdated;
  return {
    resourceType: entry.type,
    resourceId: entry.id,
    patientId: entry.patientId,
    category: CATEGORY_OF[entry.type],
    sensitivity: entry.sensitivity,
    sourceOrg: options.organisationId,
    lastUpdated: lastUpdated !== undefined ? new Date(lastUpdated) : options.now,
    contentHash: contentHash(entry.resource),
    resource: entry.resource,
  };
}

export interface BundleValidation {
  /** The valid entries; null when the input is not a usable Bundle at all. */
  readonly bundle: ParsedBundle | null;
  readonly errors: ErrorList;
}

/** Ids of every Patient the bundle declares, valid or not: their references are not "external". */
function declaredPatients(entries: readonly unknown[]): Set<string> {
  const ids = new Set<string>();
  for (const raw of entries) {
    const resource = isObject(raw) && isObject(raw.resource) ? raw.resource : undefined;
    if (resource?.resourceType === 'Patient' && typeof resource.id === 'string') ids.add(resource.id);
  }
  return ids;
}

/**
 * Validates a FHIR R4 Bundle without throwing: the valid entries as records, and every
 * problem found. For callers that add checks of their own before reporting (the import
 * looks up referenced patients in the region).
 */
export function validateBundle(input: unknown, options: ParseOptions): BundleValidation {
  const errors = new ErrorList(options.maxErrors);
  const bundle = checkBundle(input, errors);
  if (bundle === null) return { bundle: null, errors };
  const valid: ValidEntry[] = [];
  const seen = new Map<string, number>();
  bundle.entries.forEach((raw, index) => {
    const entry = checkEntry(raw, index, errors);
    if (entry === null) return;
    const key = `${entry.type}/${entry.id}`;
    const first = seen.get(key);
    if (first !== undefined) errors.add(`${entry.label}: id: ${key} is also in entry[${first}]`);
    else seen.set(key, index);
    valid.push(entry);
  });
  const patientIds = declaredPatients(bundle.entries);
  const externalPatients = new Map<string, string[]>();
  for (const entry of valid) {
    if (entry.type === 'Patient' || patientIds.has(entry.patientId)) continue;
    const where = externalPatients.get(entry.patientId) ?? [];
    if (where.length < (options.maxErrors ?? DEFAULT_MAX_ERRORS))
      where.push(`${entry.label}: ${PATIENT_FIELD[entry.type]}.reference`);
    externalPatients.set(entry.patientId, where);
  }
  const parsed: ParsedBundle = {
    type: bundle.type,
    patients: valid
      .filter((e) => e.type === 'Patient')
      .map((e) => ({ localId: e.id, resource: e.resource, globalId: e.globalId })),
    records: valid.map((e) => toRecord(e, options)),
    externalPatients,
  };
  return { bundle: parsed, errors };
}

/**
 * Parses and validates a FHIR R4 Bundle (transaction or collection) of IPS resources
 * for one region. Every problem in the bundle is reported at once, each naming the
 * entry, the resource and the field; any problem throws BAD_USER_INPUT.
 */
export function parseBundle(input: unknown, options: ParseOptions): ParsedBundle {
  const { bundle, errors } = validateBundle(input, options);
  errors.throwIfAny();
  if (bundle === null) throw new Error('unreachable: an unusable bundle always has errors');
  return bundle;
}
