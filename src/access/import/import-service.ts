import { randomBytes } from 'node:crypto';
import { anchorEntryOf } from '../../domain/record-anchor.js';
import { badInput } from '../../domain/errors.js';
import type { ControlPlane } from '../../stores/control-plane.js';
import {
  ErrorList,
  GLOBAL_ID_SYSTEM,
  validateBundle,
  type BundlePatient,
  type ParsedBundle,
} from '../../stores/fhir-bundle.js';
import type { RecordStore } from '../../stores/record-store.js';
import type { RecordAnchoring } from '../anchoring/record-anchoring.js';

export type ImportPhase = 'validated' | 'writing' | 'anchoring' | 'linking';

export interface ImportProgress {
  readonly phase: ImportPhase;
  readonly done: number;
  readonly total: number;
}

export interface ImportOptions {
  readonly store: RecordStore;
  readonly control: ControlPlane;
  readonly region: string;
  readonly bundle: unknown;
  /** Organisation recorded as the source of every imported record; must be known to the control plane. */
  readonly organisationId: string;
  /** Time recorded for resources without meta.lastUpdated (default: now). */
  readonly now?: Date;
  /**
   * Anchors the content hashes of the imported records on the ledger, after they are written
   * and before their patients are linked. Without it nothing is anchored, and a verifying
   * read withholds the imported records.
   */
  readonly anchor?: RecordAnchoring;
  readonly onProgress?: (progress: ImportProgress) => void;
}

export interface ImportedPatient {
  readonly localId: string;
  readonly globalId: string;
  /** `new`: linked in the master patient index by this import; `existing`: it already was. */
  readonly link: 'new' | 'existing';
}

export interface ImportSummary {
  readonly region: string;
  readonly organisationId: string;
  readonly bundleType: ParsedBundle['type'];
  readonly records: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Records put in new ledger batches (0 without `anchor`). */
  readonly anchored: number;
  readonly patients: readonly ImportedPatient[];
}

const LOOKUP_CHUNK = 1000;
const CONCURRENCY = 16;

/** Runs `task` over `items`, a few at a time. */
async function eachLimited<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CONCURRENCY)
    out.push(...(await Promise.all(items.slice(i, i + CONCURRENCY).map(task))));
  return out;
}

/** Patients the bundle references without containing them must already be in the region. */
async function checkExternalPatients(store: RecordStore, parsed: ParsedBundle, errors: ErrorList): Promise<void> {
  const ids = [...parsed.externalPatients.keys()];
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
    const chunk = ids.slice(i, i + LOOKUP_CHUNK);
    const found = await store.find({ patientIds: chunk, resourceTypes: ['Patient'], limit: chunk.length });
    for (const record of found) known.add(record.patientId);
  }
  for (const id of ids) {
    if (known.has(id)) continue;
    for (const where of parsed.externalPatients.get(id) ?? []) {
      errors.add(`${where}: Patient/${id} is neither in the bundle nor in region ${store.region}`);
    }
  }
}

/** A fresh pseudonymous global id: random, so it reveals nothing about the patient. */
async function newGlobalId(control: ControlPlane): Promise<string> {
  for (;;) {
    const id = `mp-${randomBytes(6).toString('hex')}`;
    if ((await control.locatePatient(id)).length === 0) return id;
  }
}

/**
 * The global id of each imported Patient: the one it is already linked to, else the one
 * its identifier names (joining a patient known in another region), else a new one.
 * Conflicts are errors: a link is never silently moved.
 */
async function resolveGlobalIds(
  control: ControlPlane,
  region: string,
  patients: readonly BundlePatient[],
  errors: ErrorList,
): Promise<ImportedPatient[]> {
  const claimed = new Map<string, string>();
  const resolved = await eachLimited(patients, async (p): Promise<ImportedPatient | null> => {
    const existing = await control.globalIdOf({ region, localId: p.localId });
    const where = `Patient/${p.localId}: identifier (${GLOBAL_ID_SYSTEM})`;
    if (existing !== null && p.globalId !== null && existing !== p.globalId) {
      errors.add(`${where}: the patient is already linked to global id ${existing}, not ${p.globalId}`);
      return null;
    }
    if (existing !== null) return { localId: p.localId, globalId: existing, link: 'existing' };
    if (p.globalId === null) return { localId: p.localId, globalId: '', link: 'new' };
    const other = (await control.locatePatient(p.globalId)).find((l) => l.region === region);
    if (other)
      errors.add(`${where}: global id ${p.globalId} already belongs to Patient/${other.localId} in region ${region}`);
    return other ? null : { localId: p.localId, globalId: p.globalId, link: 'new' };
  });
  for (const r of resolved) {
    if (r === null || r.globalId === '') continue;
    const first = claimed.get(r.globalId);
    if (first !== undefined && first !== r.localId)
      errors.add(`Patient/${r.localId}: identifier: global id ${r.globalId} is also claimed by Patient/${first}`);
    claimed.set(r.globalId, r.localId);
  }
  errors.throwIfAny();
  const out: ImportedPatient[] = [];
  for (const r of resolved)
    if (r !== null) out.push(r.globalId === '' ? { ...r, globalId: await newGlobalId(control) } : r);
  return out;
}

/**
 * Imports a FHIR R4 Bundle into one region. Everything is validated first; then all
 * records are written in one transaction, so bad input changes nothing. Importing the
 * same bundle again adds nothing (unchanged records are skipped). The records' content
 * hashes are then anchored on the ledger (with `anchor`): when that fails, the records are
 * stored but withheld from reads, and importing the same bundle again anchors them. Each
 * Patient is linked in the master patient index last — after its records exist and are
 * anchored, so the index never points at a region that does not hold the patient.
 */
export async function importBundle(options: ImportOptions): Promise<ImportSummary> {
  const { store, control, region, organisationId } = options;
  if (store.region !== region) throw new Error(`record store of ${store.region} handed in for region ${region}`);
  if ((await control.organisation(organisationId)) === null) {
    const known = (await control.organisations()).map((o) => o.id);
    throw badInput(`unknown organisation "${organisationId}"; known organisations: ${known.join(', ') || 'none'}`, {
      known,
    });
  }
  const { bundle: parsed, errors } = validateBundle(options.bundle, { organisationId, now: options.now ?? new Date() });
  if (parsed !== null) await checkExternalPatients(store, parsed, errors);
  errors.throwIfAny();
  if (parsed === null) throw new Error('unreachable: an unusable bundle always has errors');
  const patients = await resolveGlobalIds(control, region, parsed.patients, errors);
  const total = parsed.records.length;
  options.onProgress?.({ phase: 'validated', done: total, total });

  const written = await store.upsertMany(parsed.records, {
    onProgress: (done) => options.onProgress?.({ phase: 'writing', done, total }),
  });
  let anchored = 0;
  if (options.anchor !== undefined) {
    options.onProgress?.({ phase: 'anchoring', done: 0, total });
    // Every record, the unchanged included: one whose earlier import stored it but failed to anchor it gets anchored now.
    anchored = (await options.anchor.anchorRecords(region, parsed.records.map(anchorEntryOf))).anchored;
    options.onProgress?.({ phase: 'anchoring', done: total, total });
  }
  let linked = 0;
  await eachLimited(patients, async (p) => {
    await control.linkPatient(p.globalId, { region, localId: p.localId });
    options.onProgress?.({ phase: 'linking', done: ++linked, total: patients.length });
  });
  await options.anchor?.anchorPatients(patients.map((p) => p.globalId));
  return { region, organisationId, bundleType: parsed.type, records: total, ...written, anchored, patients };
}
