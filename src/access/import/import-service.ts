import { randomBytes } from 'node:crypto';
import { anchorEntryOf } from '../../domain/record-anchor.js';
import { badInput } from '../../domain/errors.js';
import { mapBundle, type BundlePatient, type MappedBundle } from '../../fhir/bundle-records.js';
import type { ErrorList } from '../../fhir/error-list.js';
import { GLOBAL_ID_SYSTEM, demographicHash, identifierHash, identifiersOf } from '../../fhir/patient-identifiers.js';
import type { ControlPlane } from '../../stores/control-plane.js';
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
  /**
   * Organisation importing the bundle: must be known to the control plane. Recorded as the
   * source of a record only when the data names no organisation of its own.
   */
  readonly organisationId: string;
  /** Identifier systems the region's jurisdiction trusts to say who a patient is (see patient-identifiers). */
  readonly trustedSystems?: readonly string[];
  /** Who is importing, for the patient index's audit trail (default `import:<organisationId>`). */
  readonly actor?: string;
  /** Time recorded for resources that carry no date of their own, nor their bundle (default: now). */
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
  /**
   * `new`: a new global patient; `existing`: this local id was already linked; `matched`:
   * joined the global patient a trusted identifier names; `review`: new, but probably the
   * same person as `probableMatch` (same name and birth date), listed for review.
   */
  readonly link: 'new' | 'existing' | 'matched' | 'review';
  readonly probableMatch?: string;
}

export interface ImportSummary {
  readonly region: string;
  readonly organisationId: string;
  readonly bundleType: MappedBundle['type'];
  readonly records: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Resources not stored, by resource type. */
  readonly skipped: Readonly<Record<string, number>>;
  /** Records put in new ledger batches (0 without `anchor`). */
  readonly anchored: number;
  readonly patients: readonly ImportedPatient[];
}

const LOOKUP_CHUNK = 1000;

/** Patients the bundle references without containing them must already be in the region. */
async function checkExternalPatients(store: RecordStore, parsed: MappedBundle, errors: ErrorList): Promise<void> {
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

interface PatientPlan extends ImportedPatient {
  readonly identifierHashes: readonly string[];
  readonly demographicHash: string | null;
}

interface MatchContext {
  readonly control: ControlPlane;
  readonly region: string;
  readonly trusted: ReadonlySet<string>;
  readonly errors: ErrorList;
  /** Global ids given to earlier patients of this bundle, by trusted identifier hash. */
  readonly claimed: Map<string, string>;
}

/** A Meridian global id the bundle states itself; conflicts are errors: a link is never silently moved. */
async function statedGlobalId(ctx: MatchContext, p: BundlePatient, existing: string | null): Promise<boolean> {
  const where = `Patient/${p.localId}: identifier (${GLOBAL_ID_SYSTEM})`;
  if (p.globalId === null) return true;
  if (existing !== null && existing !== p.globalId) {
    ctx.errors.add(`${where}: the patient is already linked to global id ${existing}, not ${p.globalId}`);
    return false;
  }
  const other = (await ctx.control.locatePatient(p.globalId)).find((l) => l.region === ctx.region);
  if (existing === null && other && other.localId !== p.localId && !other.localIds?.includes(p.localId))
    ctx.errors.add(
      `${where}: global id ${p.globalId} already belongs to Patient/${other.localId} in region ${ctx.region}`,
    );
  return true;
}

/**
 * The global patient of one imported Patient: the one its local id is already linked to;
 * the one its Meridian global id names; the one a trusted identifier of it names (in any
 * region); else a new one — listed for review when a patient with the same name and birth
 * date is known, never merged with it.
 */
async function matchPatient(ctx: MatchContext, p: BundlePatient): Promise<PatientPlan | null> {
  const existing = await ctx.control.globalIdOf({ region: ctx.region, localId: p.localId });
  if (!(await statedGlobalId(ctx, p, existing))) return null;
  const hashes = identifiersOf(p.resource)
    .filter((i) => ctx.trusted.has(i.system))
    .map(identifierHash);
  const base = { localId: p.localId, identifierHashes: hashes, demographicHash: demographicHash(p.resource) };
  if (existing !== null) return { ...base, globalId: existing, link: 'existing' };
  if (p.globalId !== null) return { ...base, globalId: p.globalId, link: 'new' };
  const named = new Set([
    ...(await ctx.control.patientIndex.globalIdByIdentifier(hashes)),
    ...hashes.flatMap((h) => (ctx.claimed.has(h) ? [ctx.claimed.get(h) ?? ''] : [])),
  ]);
  if (named.size > 1) {
    ctx.errors.add(`Patient/${p.localId}: identifier: its trusted identifiers name ${named.size} different patients`);
    return null;
  }
  const [joined] = named;
  if (joined !== undefined) return { ...base, globalId: joined, link: 'matched' };
  const globalId = await newGlobalId(ctx.control);
  for (const h of hashes) ctx.claimed.set(h, globalId);
  const similar = base.demographicHash
    ? await ctx.control.patientIndex.globalIdsByDemographics(base.demographicHash)
    : [];
  const probableMatch = similar.find((g) => g !== globalId);
  if (probableMatch !== undefined) return { ...base, globalId, link: 'review', probableMatch };
  return { ...base, globalId, link: 'new' };
}

async function matchPatients(ctx: MatchContext, patients: readonly BundlePatient[]): Promise<PatientPlan[]> {
  const out: PatientPlan[] = [];
  // One at a time: two Patients of one bundle with one trusted identifier must share a global id.
  for (const p of patients) {
    const plan = await matchPatient(ctx, p);
    if (plan !== null) out.push(plan);
  }
  ctx.errors.throwIfAny();
  return out;
}

async function checkOrganisation(control: ControlPlane, organisationId: string): Promise<void> {
  if ((await control.organisation(organisationId)) !== null) return;
  const known = (await control.organisations()).map((o) => o.id);
  throw badInput(`unknown organisation "${organisationId}"; known organisations: ${known.join(', ') || 'none'}`, {
    known,
  });
}

/**
 * Imports a FHIR R4 Bundle (document, transaction, batch, collection or searchset) into one
 * region. Everything is validated first (the FHIR R4 validator, then Meridian's own rules);
 * then all records are written in one transaction, so bad input changes nothing. Importing
 * the same bundle again adds nothing (unchanged records are skipped). The records' content
 * hashes are then anchored on the ledger (with `anchor`): when that fails, the records are
 * stored but withheld from reads, and importing the same bundle again anchors them. Each
 * Patient is linked in the master patient index last — after its records exist and are
 * anchored, so the index never points at a region that does not hold the patient.
 */
export async function importBundle(options: ImportOptions): Promise<ImportSummary> {
  const { store, control, region, organisationId } = options;
  if (store.region !== region) throw new Error(`record store of ${store.region} handed in for region ${region}`);
  await checkOrganisation(control, organisationId);
  const { bundle: parsed, errors } = await mapBundle(options.bundle, {
    organisationId,
    knownOrganisations: await control.organisations(),
    now: options.now ?? new Date(),
  });
  if (parsed !== null) await checkExternalPatients(store, parsed, errors);
  errors.throwIfAny();
  if (parsed === null) throw new Error('unreachable: an unusable bundle always has errors');
  const ctx: MatchContext = {
    control,
    region,
    trusted: new Set(options.trustedSystems ?? []),
    errors,
    claimed: new Map(),
  };
  const patients = await matchPatients(ctx, parsed.patients);
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
  for (const p of patients) {
    await control.patientIndex.apply({
      kind: 'link',
      actor: options.actor ?? `import:${organisationId}`,
      globalId: p.globalId,
      location: { region, localId: p.localId },
      identifierHashes: p.identifierHashes,
      demographicHash: p.demographicHash,
      probableMatch: p.probableMatch ?? null,
    });
    options.onProgress?.({ phase: 'linking', done: ++linked, total: patients.length });
  }
  await options.anchor?.anchorPatients(patients.map((p) => p.globalId));
  const reported = patients.map(({ localId, globalId, link, probableMatch }) => ({
    localId,
    globalId,
    link,
    ...(probableMatch !== undefined ? { probableMatch } : {}),
  }));
  return {
    region,
    organisationId,
    bundleType: parsed.type,
    records: total,
    ...written,
    skipped: parsed.skipped,
    anchored,
    patients: reported,
  };
}
