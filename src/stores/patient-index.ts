import { randomBytes, randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient } from '../generated/control/client.js';
import { badInput } from '../domain/errors.js';

/** Where one patient's records are: a region and the patient's local id there. */
export interface IndexLocation {
  readonly region: string;
  readonly localId: string;
}

/**
 * One change to the master patient index. Every write to the index is one of these, applied
 * by `PatientIndex.apply` in one transaction with its audit event, so there is one place where
 * the index changes (and one place to anchor it on the ledger).
 */
export type PatientIndexChange =
  | {
      readonly kind: 'link';
      readonly actor: string;
      readonly globalId: string;
      readonly location: IndexLocation;
      /** Hashes of the trusted identifiers the patient carries: they name this global patient from now on. */
      readonly identifierHashes?: readonly string[];
      /** Hash of name and birth date: a later patient with the same one is listed for review, never merged. */
      readonly demographicHash?: string | null;
      /** A global patient this one probably is, without a shared trusted identifier: listed for review. */
      readonly probableMatch?: string | null;
    }
  | {
      readonly kind: 'merge';
      readonly actor: string;
      /** The global patient that remains. */
      readonly into: string;
      /** The global patient whose locations and identifiers move into `into`. */
      readonly from: string;
      readonly reviewId?: string;
    }
  | { readonly kind: 'unmerge'; readonly actor: string; /** The merge event to undo. */ readonly mergeSeq: bigint }
  | { readonly kind: 'dismiss'; readonly actor: string; readonly reviewId: string }
  | {
      /** Many links without identifiers at once (demo seeding): one transaction, one event each. */
      readonly kind: 'links';
      readonly actor: string;
      readonly links: readonly { readonly globalId: string; readonly location: IndexLocation }[];
    };

/** What one applied change did: its audit event, and what the ledger's index must now be told. */
export interface AppliedChange {
  /** The change's audit event (0 when a link changed nothing, and for a batch of links). */
  readonly seq: bigint;
  /** Global patients whose locations changed. */
  readonly patients: readonly string[];
  /** Regions a patient's records were moved out of (a merge, an unmerge). */
  readonly vacated: readonly { readonly patientRef: string; readonly region: string }[];
}

const regionsOf = (patientRef: string, locations: readonly IndexLocation[]): AppliedChange['vacated'] =>
  [...new Set(locations.map((l) => l.region))].map((region) => ({ patientRef, region }));

/** A probable match waiting for a person to decide. */
export interface MatchReview {
  readonly id: string;
  readonly globalId: string;
  readonly candidateId: string;
  readonly region: string;
  readonly localId: string;
  readonly reason: string;
  readonly createdAt: Date;
}

/** An entry of the patient index's audit trail. */
export interface PatientIndexEvent {
  readonly seq: bigint;
  readonly at: Date;
  readonly action: string;
  readonly actor: string;
  readonly globalId: string;
  readonly otherId: string | null;
}

const DEMOGRAPHIC = 'demographic:';

interface MergeBody {
  readonly locations: IndexLocation[];
  readonly identifierHashes: string[];
}

type Tx = Prisma.TransactionClient;

/**
 * Gives each patient without one their own secret (32 random bytes), in the transaction that
 * first places them in the index: what their audit commitments and cache entries are keyed by.
 */
async function ensureKeys(tx: Tx, globalIds: readonly string[]): Promise<void> {
  const ids = [...new Set(globalIds)];
  if (ids.length === 0) return;
  const secrets = ids.map(() => randomBytes(32).toString('hex'));
  await tx.$executeRaw`
    INSERT INTO patient_keys (global_id, secret)
    SELECT * FROM unnest(${ids}::text[], ${secrets}::text[])
    ON CONFLICT (global_id) DO NOTHING`;
}

/** The master patient index on the control-plane database. */
export class PatientIndex {
  readonly #prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  /** The global patient a trusted identifier (by hash) names, if any. */
  async globalIdByIdentifier(identifierHashes: readonly string[]): Promise<string[]> {
    if (identifierHashes.length === 0) return [];
    const rows = await this.#prisma.patientIdentifier.findMany({
      where: { identifierHash: { in: [...identifierHashes] } },
      select: { globalId: true },
    });
    return [...new Set(rows.map((r) => r.globalId))];
  }

  /** Global patients already recorded under this name-and-birth-date hash. */
  async globalIdsByDemographics(demographicHash: string): Promise<string[]> {
    return this.globalIdByIdentifier([DEMOGRAPHIC + demographicHash]);
  }

  /** Probable matches not yet merged or dismissed, oldest first. */
  async openReviews(limit = 100): Promise<MatchReview[]> {
    return this.#prisma.patientMatchReview.findMany({
      where: { resolution: null },
      orderBy: { createdAt: 'asc' },
      take: limit,
      select: {
        id: true,
        globalId: true,
        candidateId: true,
        region: true,
        localId: true,
        reason: true,
        createdAt: true,
      },
    });
  }

  /** The audit trail of one global patient's index entries, newest first. */
  async history(globalId: string): Promise<PatientIndexEvent[]> {
    return this.#prisma.patientIndexEvent.findMany({
      where: { OR: [{ globalId }, { otherId: globalId }] },
      orderBy: { seq: 'desc' },
      select: { seq: true, at: true, action: true, actor: true, globalId: true, otherId: true },
    });
  }

  /** Applies one change and its audit event in one transaction: the only writer of the index. */
  async apply(change: PatientIndexChange): Promise<AppliedChange> {
    return this.#prisma.$transaction(async (tx) => {
      switch (change.kind) {
        case 'link':
          return link(tx, change);
        case 'merge':
          return merge(tx, change);
        case 'unmerge':
          return unmerge(tx, change);
        case 'dismiss':
          return dismiss(tx, change);
        case 'links':
          return links(tx, change);
      }
    });
  }
}

async function event(
  tx: Tx,
  action: string,
  actor: string,
  globalId: string,
  otherId: string | null,
  body: object,
): Promise<bigint> {
  const row = await tx.patientIndexEvent.create({
    data: { action, actor, globalId, otherId, body },
    select: { seq: true },
  });
  return row.seq;
}

async function link(tx: Tx, change: Extract<PatientIndexChange, { kind: 'link' }>): Promise<AppliedChange> {
  const { globalId, location } = change;
  const existing = await tx.patientLocation.findUnique({ where: { region_localId: location } });
  if (existing !== null && existing.globalId !== globalId)
    throw badInput(`Patient/${location.localId} in ${location.region} is already linked to ${existing.globalId}`);
  if (existing === null) await tx.patientLocation.create({ data: { globalId, ...location } });
  await ensureKeys(tx, [globalId]);
  const hashes = [
    ...(change.identifierHashes ?? []),
    ...(change.demographicHash ? [DEMOGRAPHIC + change.demographicHash] : []),
  ];
  for (const identifierHash of hashes) {
    await tx.patientIdentifier.upsert({
      where: { identifierHash },
      create: { identifierHash, globalId },
      // A demographic hash stays with the first patient that had it: it only ever flags a review.
      update: {},
    });
  }
  if (change.probableMatch) {
    await tx.patientMatchReview.create({
      data: {
        id: randomUUID(),
        globalId,
        candidateId: change.probableMatch,
        ...location,
        reason: 'same name and birth date, no shared trusted identifier',
      },
    });
  }
  const patients = [globalId];
  if (existing !== null && hashes.length === 0) return { seq: 0n, patients, vacated: [] };
  const seq = await event(tx, 'link', change.actor, globalId, change.probableMatch ?? null, {
    location,
    identifierHashes: change.identifierHashes ?? [],
  });
  return { seq, patients, vacated: [] };
}

async function merge(tx: Tx, change: Extract<PatientIndexChange, { kind: 'merge' }>): Promise<AppliedChange> {
  const { into, from } = change;
  if (into === from) throw badInput('a patient cannot be merged into itself');
  const locations = await tx.patientLocation.findMany({
    where: { globalId: from },
    select: { region: true, localId: true },
  });
  if (locations.length === 0) throw badInput(`no patient ${from} in the index`);
  if ((await tx.patientLocation.count({ where: { globalId: into } })) === 0)
    throw badInput(`no patient ${into} in the index`);
  const identifiers = await tx.patientIdentifier.findMany({
    where: { globalId: from },
    select: { identifierHash: true },
  });
  await tx.patientLocation.updateMany({ where: { globalId: from }, data: { globalId: into } });
  await tx.patientIdentifier.updateMany({ where: { globalId: from }, data: { globalId: into } });
  const reviewed = { resolution: 'merged', resolvedBy: change.actor, resolvedAt: new Date() };
  await tx.patientMatchReview.updateMany({
    where: {
      resolution: null,
      OR: [
        { globalId: from, candidateId: into },
        { globalId: into, candidateId: from },
        ...(change.reviewId ? [{ id: change.reviewId }] : []),
      ],
    },
    data: reviewed,
  });
  const body: MergeBody = { locations, identifierHashes: identifiers.map((i) => i.identifierHash) };
  const seq = await event(tx, 'merge', change.actor, into, from, body);
  return { seq, patients: [into, from], vacated: regionsOf(from, locations) };
}

async function unmerge(tx: Tx, change: Extract<PatientIndexChange, { kind: 'unmerge' }>): Promise<AppliedChange> {
  const merged = await tx.patientIndexEvent.findUnique({ where: { seq: change.mergeSeq } });
  if (merged?.action !== 'merge' || merged.otherId === null) throw badInput(`event ${change.mergeSeq} is not a merge`);
  const undone = await tx.patientIndexEvent.findFirst({
    where: { action: 'unmerge', body: { path: ['mergeSeq'], equals: String(change.mergeSeq) } },
  });
  if (undone !== null) throw badInput(`merge ${change.mergeSeq} was already undone`);
  const body = merged.body as unknown as MergeBody;
  for (const location of body.locations) {
    await tx.patientLocation.updateMany({
      where: { ...location, globalId: merged.globalId },
      data: { globalId: merged.otherId },
    });
  }
  await tx.patientIdentifier.updateMany({
    where: { identifierHash: { in: body.identifierHashes }, globalId: merged.globalId },
    data: { globalId: merged.otherId },
  });
  const seq = await event(tx, 'unmerge', change.actor, merged.globalId, merged.otherId, {
    mergeSeq: String(change.mergeSeq),
    ...body,
  });
  return { seq, patients: [merged.globalId, merged.otherId], vacated: regionsOf(merged.globalId, body.locations) };
}

async function dismiss(tx: Tx, change: Extract<PatientIndexChange, { kind: 'dismiss' }>): Promise<AppliedChange> {
  const review = await tx.patientMatchReview.findUnique({ where: { id: change.reviewId } });
  if (review === null || review.resolution !== null) throw badInput(`no open review ${change.reviewId}`);
  await tx.patientMatchReview.update({
    where: { id: review.id },
    data: { resolution: 'dismissed', resolvedBy: change.actor, resolvedAt: new Date() },
  });
  const seq = await event(tx, 'dismiss', change.actor, review.globalId, review.candidateId, { reviewId: review.id });
  return { seq, patients: [], vacated: [] };
}

async function links(tx: Tx, change: Extract<PatientIndexChange, { kind: 'links' }>): Promise<AppliedChange> {
  const fresh = change.links.map((l) => ({
    globalId: l.globalId,
    region: l.location.region,
    localId: l.location.localId,
  }));
  const created = await tx.patientLocation.createMany({ data: fresh, skipDuplicates: true });
  await ensureKeys(
    tx,
    fresh.map((l) => l.globalId),
  );
  const unchanged: AppliedChange = { seq: 0n, patients: [], vacated: [] };
  if (created.count === 0) return unchanged;
  await tx.patientIndexEvent.createMany({
    data: change.links.map((l) => ({
      action: 'link',
      actor: change.actor,
      globalId: l.globalId,
      body: { location: { region: l.location.region, localId: l.location.localId }, identifierHashes: [] },
    })),
  });
  return { ...unchanged, patients: [...new Set(fresh.map((l) => l.globalId))] };
}
