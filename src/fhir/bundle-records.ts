import { contentHash } from '../domain/canonical-json.js';
import {
  CATEGORY_OF,
  isIpsResourceType,
  PATIENT_FIELD,
  ACT_CODE_LABELS,
  SENSITIVITY_SYSTEM,
  sensitivityLabelsOf,
  type FhirResource,
  type IpsResourceType,
} from '../domain/fhir.js';
import type { StoredRecord } from '../domain/record.js';
import type { Organisation } from '../stores/control-plane.js';
import { BundleIndex, isJson, referencedType, type IndexedEntry, type Json } from './bundle-index.js';
import { ErrorList } from './error-list.js';
import { fhirInstant, sourceTimeOf } from './fhir-time.js';
import { GLOBAL_ID_SYSTEM } from './patient-identifiers.js';
import { SourceOrganisations } from './source-organisation.js';
import { validateFhir } from './validation.js';

/** Bundle types a sender uses to push data; responses and histories are not imports. */
export const IMPORTED_BUNDLE_TYPES = ['document', 'transaction', 'batch', 'collection', 'searchset'] as const;
export type ImportedBundleType = (typeof IMPORTED_BUNDLE_TYPES)[number];

const GLOBAL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface BundlePatient {
  readonly localId: string;
  readonly resource: Json;
  /** From an identifier with system GLOBAL_ID_SYSTEM, when the bundle names one. */
  readonly globalId: string | null;
}

export interface MappedBundle {
  readonly type: ImportedBundleType;
  readonly patients: readonly BundlePatient[];
  /** Every resource to store, the Patients included, references resolved to `Type/id`. */
  readonly records: readonly Omit<StoredRecord, 'region'>[];
  /** Resources not stored, by type (Encounter, Claim, ...): counted in the report. */
  readonly skipped: Readonly<Record<string, number>>;
  /** Patients referenced as `Patient/id` but not in the bundle: they must already be in the region. */
  readonly externalPatients: ReadonlyMap<string, readonly string[]>;
}

export interface MapOptions {
  /** Organisation recorded as the source when the data names none. */
  readonly organisationId: string;
  readonly knownOrganisations: readonly Organisation[];
  /** Time recorded for a resource that carries no date of its own, nor its bundle. */
  readonly now: Date;
  readonly maxErrors?: number;
}

export interface BundleMapping {
  readonly bundle: MappedBundle | null;
  readonly errors: ErrorList;
}

function checkShell(input: unknown, errors: ErrorList): { type: ImportedBundleType; entries: unknown[] } | null {
  if (!isJson(input)) {
    errors.add('bundle: must be a JSON object (a FHIR Bundle)');
    return null;
  }
  if (input.resourceType !== 'Bundle') {
    const got = typeof input.resourceType === 'string' ? ` (got "${input.resourceType}")` : '';
    errors.add(`resourceType: must be "Bundle"${got}`);
    return null;
  }
  const type = input.type;
  if (!(IMPORTED_BUNDLE_TYPES as readonly unknown[]).includes(type)) {
    const got = typeof type === 'string' ? ` (got "${type}")` : '';
    errors.add(`type: must be one of ${IMPORTED_BUNDLE_TYPES.join(', ')}${got}`);
  }
  const entries = input.entry;
  if (entries !== undefined && !Array.isArray(entries)) errors.add('entry: must be an array');
  else if (entries === undefined || entries.length === 0) errors.add('entry: the bundle has no entries');
  if (errors.count > 0 || !Array.isArray(entries)) return null;
  return { type: type as ImportedBundleType, entries: entries as unknown[] };
}

const ENTRY_EXPRESSION = /^Bundle\.entry\[(\d+)\](?:\.resource)?\.?(.*)$/;

/** The validator's issues, each naming the entry (index, type/id) and the field. */
function reportIssues(
  issues: readonly { expression: string; message: string }[],
  index: BundleIndex,
  errors: ErrorList,
): void {
  for (const issue of issues) {
    const m = ENTRY_EXPRESSION.exec(issue.expression);
    const entry = m ? index.entries.find((e) => e.index === Number(m[1])) : undefined;
    if (m && entry) errors.add(`${entry.label}: ${m[2] ?? ''}: ${issue.message}`);
    else if (m) errors.add(`entry[${m[1] ?? ''}]: ${m[2] ?? ''}: ${issue.message}`);
    else errors.add(`${issue.expression.replace(/^Bundle\.?/, '') || 'bundle'}: ${issue.message}`);
  }
}

function checkEntries(type: ImportedBundleType, index: BundleIndex, raw: readonly unknown[], errors: ErrorList): void {
  if (type === 'document' && index.entries[0]?.type !== 'Composition')
    errors.add('entry[0]: a document bundle starts with its Composition (FHIR R4 bdl-11)');
  raw.forEach((e, i) => {
    const method = isJson(e) && isJson(e.request) ? e.request.method : undefined;
    if (method !== undefined && method !== 'PUT' && method !== 'POST')
      errors.add(
        `entry[${i}]: request.method: only PUT and POST entries can be imported (got ${JSON.stringify(method)})`,
      );
  });
  const seen = new Map<string, IndexedEntry>();
  for (const entry of index.entries) {
    if (!isIpsResourceType(entry.type)) continue;
    if (entry.id === null) {
      errors.add(`${entry.label}: id: required for a stored resource (or a urn:uuid: fullUrl)`);
      continue;
    }
    const first = seen.get(`${entry.type}/${entry.id}`);
    if (first) errors.add(`${entry.label}: id: ${entry.type}/${entry.id} is also ${first.label}`);
    else seen.set(`${entry.type}/${entry.id}`, entry);
  }
}

/** Outcome entries of a search set (OperationOutcome about the search) carry no data. */
function dataEntries(
  raw: readonly unknown[],
  errors: ErrorList,
): { fullUrl: string | null; resource: Json; index: number }[] {
  const out: { fullUrl: string | null; resource: Json; index: number }[] = [];
  raw.forEach((e, index) => {
    if (!isJson(e) || !isJson(e.resource)) {
      errors.add(`entry[${index}]: resource: required`);
      return;
    }
    if (isJson(e.search) && e.search.mode === 'outcome') return;
    out.push({ fullUrl: typeof e.fullUrl === 'string' ? e.fullUrl : null, resource: e.resource, index });
  });
  return out;
}

/** Sensitivity codes of the ActCode system Meridian does not enforce would be silently ignored: refused. */
function checkLabels(entry: IndexedEntry, errors: ErrorList): void {
  const meta = isJson(entry.resource.meta) ? entry.resource.meta : {};
  const security = Array.isArray(meta.security) ? (meta.security as unknown[]) : [];
  security.forEach((c, i) => {
    if (!isJson(c) || c.system !== SENSITIVITY_SYSTEM || typeof c.code !== 'string') return;
    if (!(ACT_CODE_LABELS as readonly string[]).includes(c.code))
      errors.add(
        `${entry.label}: meta.security[${i}].code: "${c.code}" is not a sensitivity label Meridian enforces (${ACT_CODE_LABELS.join(', ')})`,
      );
  });
}

/**
 * A stored copy of a resource with its references rewritten as a server does on a
 * transaction: a reference to another entry becomes `Type/id`; a Medication it names is
 * copied into `contained` so the record carries the medicine's name with it.
 */
function rewrite(entry: IndexedEntry, index: BundleIndex): Json {
  const copy = structuredClone(entry.resource);
  // A POSTed resource may carry no id of its own: it is stored under its urn:uuid.
  if (entry.id !== null) copy.id = entry.id;
  const contained: Json[] = Array.isArray(copy.contained) ? (copy.contained as Json[]) : [];
  const visit = (node: unknown, key: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, key);
      return;
    }
    if (!isJson(node)) return;
    if (typeof node.reference === 'string') {
      const resolved = index.resolve(node.reference, entry, copy);
      if (resolved !== null && 'entry' in resolved && resolved.entry.id !== null) {
        const target = resolved.entry;
        if (target.type === 'Medication' && key === 'medicationReference') {
          if (!contained.some((c) => c.id === target.id))
            contained.push({ ...structuredClone(target.resource), id: target.id });
          node.reference = `#${target.id}`;
        } else {
          node.reference = `${target.type}/${target.id}`;
        }
      }
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'contained') visit(v, k);
  };
  for (const [k, v] of Object.entries(copy)) if (k !== 'contained') visit(v, k);
  for (const c of contained) for (const [k, v] of Object.entries(c)) visit(v, k);
  if (contained.length > 0) copy.contained = contained;
  return copy;
}

function globalIdOf(entry: IndexedEntry, errors: ErrorList): string | null {
  const list = Array.isArray(entry.resource.identifier) ? (entry.resource.identifier as unknown[]) : [];
  const values = new Set<string>();
  list.forEach((idf, i) => {
    if (!isJson(idf) || idf.system !== GLOBAL_ID_SYSTEM) return;
    if (typeof idf.value === 'string' && GLOBAL_ID.test(idf.value)) values.add(idf.value);
    else
      errors.add(
        `${entry.label}: identifier[${i}].value: a global patient id must be 1-64 letters, digits, ".", "_" or "-"`,
      );
  });
  if (values.size > 1) errors.add(`${entry.label}: identifier: more than one ${GLOBAL_ID_SYSTEM} identifier`);
  return values.values().next().value ?? null;
}

interface PatientRef {
  readonly local: string | null;
  readonly external: string | null;
}

/** The Patient a clinical resource is about: in the bundle, or named `Patient/id` in the region. */
function patientOf(
  entry: IndexedEntry,
  type: Exclude<IpsResourceType, 'Patient'>,
  index: BundleIndex,
  errors: ErrorList,
): PatientRef | null {
  const field = PATIENT_FIELD[type];
  const ref = entry.resource[field];
  const reference = isJson(ref) && typeof ref.reference === 'string' ? ref.reference : null;
  if (reference === null) {
    errors.add(`${entry.label}: ${field}.reference: required (the Patient the resource is about)`);
    return null;
  }
  const resolved = index.resolve(reference, entry);
  if (resolved !== null && 'entry' in resolved && resolved.entry.type === 'Patient')
    return { local: resolved.entry.id, external: null };
  const m = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
  if (resolved === null && m?.[1]) return { local: null, external: m[1] };
  const what = referencedType(reference) ?? (resolved !== null && 'entry' in resolved ? resolved.entry.type : null);
  errors.add(
    `${entry.label}: ${field}.reference: must name a Patient in the bundle or Patient/<id> in the region` +
      (what !== null && what !== 'Patient' ? ` (names a ${what})` : ''),
  );
  return null;
}

/** The document's or bundle's own date: what dates a resource that carries none (a Patient). */
function bundleTime(bundle: Json, index: BundleIndex): Date | null {
  const composition = index.entries.find((e) => e.type === 'Composition');
  return fhirInstant(composition?.resource.date) ?? fhirInstant(bundle.timestamp);
}

interface RecordContext {
  readonly index: BundleIndex;
  readonly sources: SourceOrganisations;
  readonly fallbackTime: Date;
  readonly errors: ErrorList;
}

function toRecord(
  entry: IndexedEntry,
  type: IpsResourceType,
  patientId: string,
  ctx: RecordContext,
): Omit<StoredRecord, 'region'> {
  const resource = rewrite(entry, ctx.index) as unknown as FhirResource;
  const source = ctx.sources.of(entry);
  return {
    resourceType: type,
    resourceId: entry.id ?? '',
    patientId,
    category: CATEGORY_OF[type],
    sensitivity: sensitivityLabelsOf(resource),
    sourceOrg: source.id,
    sourceOrgName: source.name,
    lastUpdated: sourceTimeOf(entry.resource, fhirInstant(ctx.sources.recordedAt(entry))) ?? ctx.fallbackTime,
    contentHash: contentHash(resource),
    resource,
  };
}

/**
 * Maps a FHIR R4 Bundle of any type a sender uses to the records a region stores, without
 * throwing: the records, what was skipped, and every problem found. The whole bundle is
 * validated by the FHIR R4 validator first; references are resolved within the bundle.
 */
export async function mapBundle(input: unknown, options: MapOptions): Promise<BundleMapping> {
  const errors = new ErrorList(options.maxErrors);
  const shell = checkShell(input, errors);
  if (shell === null) return { bundle: null, errors };
  const index = new BundleIndex(dataEntries(shell.entries, errors));
  reportIssues(await validateFhir(input), index, errors);
  checkEntries(shell.type, index, shell.entries, errors);
  const ctx: RecordContext = {
    index,
    sources: new SourceOrganisations(index, options.knownOrganisations, options.organisationId),
    fallbackTime: bundleTime(input as Json, index) ?? options.now,
    errors,
  };
  const records: Omit<StoredRecord, 'region'>[] = [];
  const patients: BundlePatient[] = [];
  const skipped: Record<string, number> = {};
  const externalPatients = new Map<string, string[]>();
  for (const entry of index.entries) {
    const type = entry.type;
    if (!isIpsResourceType(type)) {
      skipped[type] = (skipped[type] ?? 0) + 1;
      continue;
    }
    if (entry.id === null) continue;
    checkLabels(entry, errors);
    if (type === 'Patient') {
      patients.push({ localId: entry.id, resource: entry.resource, globalId: globalIdOf(entry, errors) });
      records.push(toRecord(entry, type, entry.id, ctx));
      continue;
    }
    const patient = patientOf(entry, type, index, errors);
    if (patient === null) continue;
    if (patient.external !== null) {
      const where = externalPatients.get(patient.external) ?? [];
      where.push(`${entry.label}: ${PATIENT_FIELD[type]}.reference`);
      externalPatients.set(patient.external, where);
    }
    records.push(toRecord(entry, type, patient.local ?? patient.external ?? '', ctx));
  }
  if (errors.count === 0 && records.length === 0) {
    const kinds = Object.entries(skipped).map(([t, n]) => `${n} ${t}`);
    errors.add(
      `bundle: nothing Meridian stores (${kinds.join(', ')}); it keeps ${Object.keys(CATEGORY_OF).join(', ')}`,
    );
  }
  return { bundle: { type: shell.type, patients, records, skipped, externalPatients }, errors };
}
