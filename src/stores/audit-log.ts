import { Prisma, type PrismaClient, type AuditEvent as AuditEventRow } from '../generated/control/client.js';
import {
  GENESIS_HASH,
  auditEventHash,
  chainProblem,
  type AuditBody,
  type AuditEvent,
  type AuditOutcome,
  type ChainProblem,
  type NewAuditEvent,
} from '../domain/audit-event.js';
import { MeridianError } from '../domain/errors.js';
import { notificationKind } from '../domain/notification.js';
import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import type pg from 'pg';
import { AUDIT_CHAIN } from './chain-head-store.js';
import { statementName } from './statement-name.js';
import type { Database } from './database.js';

/** Events whose batch one statement of `assignBatch` records (~8 ms of PostgreSQL here). */
export const ASSIGN_SLICE = 250;
/** Longest rest between two slices of `assignBatch`. */
const MAX_ASSIGN_REST_MS = 50;

/** A page of events, newest first. */
export interface AuditPageRequest {
  readonly first: number;
  /** Only events older than this sequence number (the previous page's last). */
  readonly after?: bigint;
  /** Only events at or after this time. */
  readonly since?: Date;
  /** Only events about this (global) patient. */
  readonly patientId?: string;
  /** Only decisions with this outcome, for this purpose, and claiming break-glass (true) or not (false). */
  readonly outcome?: AuditOutcome;
  readonly purpose?: string;
  readonly breakGlass?: boolean;
}

export interface AuditPage {
  readonly events: readonly AuditEvent[];
  readonly hasNextPage: boolean;
}

/** The result of re-hashing the whole chain: the first event that is not what was appended, if any. */
export interface ChainVerification {
  readonly ok: boolean;
  /** Events checked. */
  readonly events: number;
  readonly firstBad?: { readonly seq: bigint; readonly id: string; readonly problem: ChainProblem };
}

/**
 * The append-only, hash-chained log of access decisions. Each event carries the hash of
 * its predecessor, so altering, removing or reordering one breaks the chain after it.
 */
export interface AuditLog {
  /** Appends at the end of the chain and resolves once the event is durable. */
  append(event: NewAuditEvent): Promise<AuditEvent>;
  /** Events about one patient, newest first. */
  forPatient(patientId: string, page: AuditPageRequest): Promise<AuditPage>;
  /** Events whose requester is of one jurisdiction, newest first. */
  forJurisdiction(jurisdiction: string, page: AuditPageRequest): Promise<AuditPage>;
  /** Recomputes every hash and link, oldest first. */
  verifyChain(): Promise<ChainVerification>;
  event(id: string): Promise<AuditEvent | null>;
  /** The events with these ids that the log holds, in no particular order. */
  events(ids: readonly string[]): Promise<AuditEvent[]>;
  /** The oldest events no ledger batch covers yet, in chain order: what a batch's leaves need of them. */
  unanchored(limit: number): Promise<UnanchoredEvent[]>;
  /** How many events no anchored batch covers yet (the anchoring backlog). */
  unanchoredCount(): Promise<number>;
  /**
   * Records that `batchId` covers these events; returns how many had no batch before. With
   * `anchor`, the chain's checkpoint also records the batch's last event and its ledger position.
   */
  assignBatch(batchId: string, eventIds: readonly string[], anchor?: BatchPosition): Promise<number>;
  /** Events after sequence number `after`, oldest first: the chain in order. */
  chainAfter(after: bigint, limit: number): Promise<AuditEvent[]>;
  /** The event at a sequence number, if the log holds it. */
  eventAt(seq: bigint): Promise<AuditEvent | null>;
  /** For each sequence number, the hash of the event just before it in the log (null: none before it). */
  predecessorHashes(seqs: readonly bigint[]): Promise<ReadonlyMap<bigint, string | null>>;
  /** The log's newest event and the chain head checkpointed outside the table, read together. */
  head(): Promise<ChainHeadReading>;
  /** The events a batch covers, in chain order: the leaves of its Merkle tree. */
  batch(batchId: string): Promise<AuditEvent[]>;
  /** The latest events, whoever asked, newest first. */
  recent(page: AuditPageRequest): Promise<AuditPage>;
  /** Break-glass accesses by requesters of one jurisdiction that no officer has reviewed, newest first. */
  unreviewedBreakGlass(jurisdiction: string, page: AuditPageRequest): Promise<AuditPage>;
  /** Marks a break-glass event reviewed, once; false when it is not one or was reviewed already. */
  markReviewed(id: string, reviewedBy: string, at: Date): Promise<boolean>;
}

/** An event waiting for a batch: its place in the chain and the hash that becomes its leaf. */
export type UnanchoredEvent = Pick<AuditEvent, 'id' | 'seq' | 'at' | 'hash'>;

/** Where an anchored batch ends: its last event, and the ledger transaction and block that anchored it. */
export interface BatchPosition {
  readonly toSeq: bigint;
  readonly txId: string;
  readonly blockNumber: bigint;
}

/** The table's newest event against the checkpoint row every append moves in its own transaction. */
export interface ChainHeadReading {
  /** The newest event in the table, or null when it holds none. */
  readonly tail: { readonly seq: bigint; readonly hash: string } | null;
  /** The checkpointed head; null when the checkpoint row is missing. */
  readonly checkpoint: {
    readonly seq: bigint;
    readonly hash: string;
    readonly anchoredSeq: bigint | null;
  } | null;
}

export interface PrismaAuditLogOptions {
  /** How long an append may wait for the chain's head before it fails (and the disclosure with it). */
  readonly appendTimeoutMs?: number;
  /**
   * Told how many appends each group commit wrote once it has committed, and how long each of
   * them waited, in seconds, from its `append` to that commit (queueing behind the commit in flight included).
   */
  readonly onGroupCommit?: (size: number, waits: readonly number[]) => void;
  /** false: every group commit takes the locked transaction, never the one statement (a benchmark's baseline). */
  readonly oneStatement?: boolean;
}

const VERIFY_CHUNK = 1000;
/** Most events one group commit writes. */
const APPEND_BATCH = 256;

/** The audit log in the control-plane database (PostgreSQL or PGlite). */
export class PrismaAuditLog implements AuditLog {
  readonly #prisma: PrismaClient;
  /** The pool under `prisma`, for the reads and updates that go to `pg` straight. */
  readonly #pool: pg.Pool;
  /** Where the one statement goes: prepared once on its connection and planned once there. */
  readonly #appendPool: pg.Pool;
  readonly #timeoutMs: number;
  readonly #onGroupCommit: PrismaAuditLogOptions['onGroupCommit'];
  readonly #oneStatement: boolean;
  readonly #pending: {
    event: NewAuditEvent;
    /** `performance.now()` when it was appended. */
    at: number;
    resolve: (event: AuditEvent) => void;
    reject: (err: unknown) => void;
  }[] = [];
  #flushing = false;
  /**
   * The checkpoint hash this writer last wrote: a guess at where the chain ends, checked under
   * the checkpoint row's lock by the one statement that appends after it. Another gateway's
   * append makes the guess wrong; the statement then writes nothing and the locked path runs.
   */
  #head: string | undefined;

  /** Takes the control plane's client: PGlite serves one connection, so repositories share it. */
  constructor(
    prisma: PrismaClient,
    db: Pick<Database, 'pool' | 'planOncePool'>,
    options: Readonly<PrismaAuditLogOptions> = {},
  ) {
    this.#prisma = prisma;
    this.#pool = db.pool;
    this.#appendPool = db.planOncePool;
    this.#timeoutMs = options.appendTimeoutMs ?? 10_000;
    this.#onGroupCommit = options.onGroupCommit;
    this.#oneStatement = options.oneStatement ?? true;
  }

  /**
   * Group commit: appends that arrive while a transaction is writing wait for the next one,
   * which chains and inserts them all at once, so concurrent requests share one lock and one
   * commit instead of queueing on the chain's head one by one. Each append resolves only once
   * its own transaction has committed.
   */
  append(event: NewAuditEvent): Promise<AuditEvent> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ event, at: performance.now(), resolve, reject });
      if (this.#flushing) return;
      this.#flushing = true;
      // #flush settles every append itself and never rejects.
      void this.#flush();
    });
  }

  /**
   * Writes queued appends until none is left. The flag drops in the same synchronous step that
   * finds the queue empty: an append made once the last one resolved (its `.then`, its `await`)
   * runs after that step, sees no commit under way and starts one. Dropping it any later (a
   * `.finally`, a microtask after the loop) would leave that append queued with nobody to write it.
   */
  async #flush(): Promise<void> {
    for (;;) {
      const batch = this.#pending.splice(0, APPEND_BATCH);
      if (batch.length === 0) {
        this.#flushing = false;
        return;
      }
      try {
        const rows = await this.#appendAll(batch.map((p) => p.event));
        const now = performance.now();
        this.#onGroupCommit?.(
          rows.length,
          batch.map((p) => (now - p.at) / 1000),
        );
        batch.forEach((p, i) => {
          const row = rows[i];
          if (row) p.resolve(row);
          else p.reject(new Error('audit event was not written'));
        });
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }

  async #appendAll(events: readonly NewAuditEvent[]): Promise<AuditEvent[]> {
    const guess = this.#oneStatement ? this.#head : undefined;
    this.#head = undefined;
    const rows = guess === undefined ? [] : await this.#appendAfter(guess, events);
    const written = rows.length > 0 ? rows : await this.#appendLocked(events);
    this.#head = written.at(-1)?.hash;
    return written;
  }

  /**
   * One statement, one round trip: locks the checkpoint row only if it still ends at `head`,
   * inserts the events chained onto it and moves the checkpoint, all or nothing. Nothing is
   * written (and nothing returned) when the chain moved on meanwhile or the row is missing:
   * waiting for the lock re-reads the row (READ COMMITTED), so a head another gateway moved
   * while this one waited no longer matches.
   */
  async #appendAfter(head: string, events: readonly NewAuditEvent[]): Promise<AuditEvent[]> {
    const rows = chained(head, events);
    const col = <T>(f: (row: (typeof rows)[number]) => T): T[] => rows.map(f);
    const last = rows.at(-1)?.hash ?? head;
    const statement = Prisma.sql`
      WITH head AS (
        SELECT chain FROM chain_heads WHERE chain = ${AUDIT_CHAIN} AND hash = ${head} FOR UPDATE
      ), ins AS (
        INSERT INTO audit_events (id, at, patient_id, patient_commitment, requester_org, requester_subject,
          requester_jurisdiction, purpose, operation, outcome, break_glass, body, prev_hash, hash)
        SELECT id, at::timestamptz, patient_id, patient_commitment, requester_org, requester_subject,
          requester_jurisdiction, purpose, operation, outcome, break_glass, body::jsonb, prev_hash, hash
        FROM unnest(
          ${col((r) => r.id)}::text[], ${col((r) => r.at.toISOString())}::text[], ${col((r) => r.patientId)}::text[],
          ${col((r) => r.patientCommitment ?? null)}::text[],
          ${col((r) => r.requesterOrg)}::text[], ${col((r) => r.requesterSubject)}::text[],
          ${col((r) => r.requesterJurisdiction)}::text[], ${col((r) => r.purpose)}::text[],
          ${col((r) => r.operation)}::text[], ${col((r) => r.outcome)}::text[], ${col((r) => r.breakGlass)}::boolean[],
          ${col((r) => JSON.stringify(r.body))}::text[], ${col((r) => r.prevHash)}::text[], ${col((r) => r.hash)}::text[]
        ) WITH ORDINALITY AS r(id, at, patient_id, patient_commitment, requester_org, requester_subject, requester_jurisdiction,
          purpose, operation, outcome, break_glass, body, prev_hash, hash, ord)
        WHERE EXISTS (SELECT 1 FROM head)
        ORDER BY ord
        RETURNING seq, id, patient_id, at
      ), moved AS (
        UPDATE chain_heads SET seq = (SELECT max(seq) FROM ins), hash = ${last}, updated_at = now()
        WHERE chain = ${AUDIT_CHAIN} AND EXISTS (SELECT 1 FROM ins)
      )${outbox(events)}
      SELECT id, seq FROM ins ORDER BY seq`;
    const { rows: written } = await this.#appendPool.query<{ id: string; seq: string }>({
      name: statementName(statement.text),
      text: statement.text,
      values: statement.values,
    });
    if (written.length === 0) return [];
    if (written.length !== events.length) throw new Error('audit events were only partly written');
    // Only the sequence numbers come back: every other column is what was just written.
    return rows.map((row, i) => {
      const seq = written[i];
      if (seq?.id !== row.id) throw new Error('audit events came back out of order');
      const { patientCommitment, ...fields } = row;
      return {
        ...fields,
        patientCommitment: patientCommitment ?? null,
        seq: BigInt(seq.seq),
        batchId: null,
        reviewedAt: null,
        reviewedBy: null,
      };
    });
  }

  #appendLocked(events: readonly NewAuditEvent[]): Promise<AuditEvent[]> {
    return this.#prisma.$transaction(
      async (tx) => {
        // The checkpoint row's lock lasts until commit and serialises appends from every gateway;
        // waiting for it re-reads the row, so each append chains onto the head the previous one wrote.
        // Chaining onto the checkpoint, not onto the table's newest row, keeps a deleted tail visible:
        // the next event's link then points at an event that is gone.
        const [head] = await tx.$queryRaw<{ hash: string }[]>`
          SELECT hash FROM chain_heads WHERE chain = ${AUDIT_CHAIN} FOR UPDATE`;
        if (head === undefined) throw missingCheckpoint();
        const data = chained(head.hash, events).map((row) => ({
          ...row,
          body: row.body as unknown as Prisma.InputJsonObject,
        }));
        // One INSERT: sequence numbers follow the rows' order, which is the chain's.
        const rows = await tx.auditEvent.createManyAndReturn({ data });
        const last = rows.reduce<AuditEventRow | undefined>(
          (a, r) => (a === undefined || r.seq > a.seq ? r : a),
          undefined,
        );
        if (last !== undefined) {
          await tx.$executeRaw`
            UPDATE chain_heads SET seq = ${last.seq}, hash = ${last.hash}, updated_at = now() WHERE chain = ${AUDIT_CHAIN}`;
        }
        const notifying = outbox(events);
        if (notifying !== Prisma.empty) {
          await tx.$executeRaw`
            WITH ins AS (SELECT id, patient_id, at FROM audit_events WHERE id = ANY(${rows.map((r) => r.id)}::text[]))
            ${notifying}
            SELECT 1`;
        }
        const byId = new Map(rows.map((row) => [row.id, fromRow(row)]));
        return events.flatMap((e) => byId.get(e.id) ?? []);
      },
      { maxWait: this.#timeoutMs, timeout: this.#timeoutMs },
    );
  }

  forPatient(patientId: string, page: AuditPageRequest): Promise<AuditPage> {
    return this.#page({ patientId }, page);
  }

  forJurisdiction(jurisdiction: string, page: AuditPageRequest): Promise<AuditPage> {
    return this.#page({ requesterJurisdiction: jurisdiction }, page);
  }

  async verifyChain(): Promise<ChainVerification> {
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let after = -1n;
    for (;;) {
      const rows = await this.#prisma.auditEvent.findMany({
        where: { seq: { gt: after } },
        orderBy: { seq: 'asc' },
        take: VERIFY_CHUNK,
      });
      for (const row of rows) {
        const event = fromRow(row);
        const problem = chainProblem(event, prevHash);
        if (problem !== null) {
          return { ok: false, events: checked, firstBad: { seq: event.seq, id: event.id, problem } };
        }
        prevHash = event.hash;
        checked++;
      }
      const last = rows.at(-1);
      if (last === undefined || rows.length < VERIFY_CHUNK) return { ok: true, events: checked };
      after = last.seq;
    }
  }

  async event(id: string): Promise<AuditEvent | null> {
    const row = await this.#prisma.auditEvent.findUnique({ where: { id } });
    return row && fromRow(row);
  }

  async events(ids: readonly string[]): Promise<AuditEvent[]> {
    if (ids.length === 0) return [];
    const rows = await this.#prisma.auditEvent.findMany({ where: { id: { in: [...ids] } } });
    return rows.map(fromRow);
  }

  /** Four columns straight from the pool: decoding 10,000 whole rows held the event loop for up to ~50 ms. */
  async unanchored(limit: number): Promise<UnanchoredEvent[]> {
    const { rows } = await this.#pool.query<{ id: string; seq: string; at: Date; hash: string }>({
      name: 'audit-unanchored',
      text: 'SELECT id, seq, at, hash FROM audit_events WHERE batch_id IS NULL ORDER BY seq LIMIT $1',
      values: [limit],
    });
    return rows.map((r) => ({ id: r.id, seq: BigInt(r.seq), at: r.at, hash: r.hash }));
  }

  unanchoredCount(): Promise<number> {
    return this.#prisma.auditEvent.count({ where: { batchId: null } });
  }

  /**
   * One transaction, in slices of `ASSIGN_SLICE` rows: each row's update touches every index of
   * the table (~30 µs a row here), so 10,000 at once held a PostgreSQL core for 200-330 ms.
   * Between slices it rests as long as the slice took, unless the pool has one connection
   * (PGlite), where an open transaction would hold up every other query. Nobody sees part of
   * a batch: the slices commit together, with the checkpoint.
   */
  async assignBatch(batchId: string, eventIds: readonly string[], anchor?: BatchPosition): Promise<number> {
    const rest = this.#pool.options.max > 1;
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      let assigned = 0;
      for (let from = 0; from < eventIds.length; from += ASSIGN_SLICE) {
        const started = performance.now();
        // One array parameter however many events, not one each (a statement binds at most 65,535).
        const { rowCount } = await client.query({
          name: 'audit-assign-batch',
          text: 'UPDATE audit_events SET batch_id = $1 WHERE id = ANY($2::text[]) AND batch_id IS NULL',
          values: [batchId, eventIds.slice(from, from + ASSIGN_SLICE)],
        });
        assigned += rowCount ?? 0;
        if (rest && from + ASSIGN_SLICE < eventIds.length) {
          await setTimeout(Math.min(MAX_ASSIGN_REST_MS, performance.now() - started));
        }
      }
      if (anchor !== undefined) {
        await client.query({
          name: 'audit-anchored-checkpoint',
          text: `UPDATE chain_heads SET anchored_seq = $2, anchor_tx_id = $3, anchor_block = $4
            WHERE chain = $1 AND (anchored_seq IS NULL OR anchored_seq < $2)`,
          values: [AUDIT_CHAIN, anchor.toSeq.toString(), anchor.txId, anchor.blockNumber.toString()],
        });
      }
      await client.query('COMMIT');
      return assigned;
    } catch (err) {
      await client.query('ROLLBACK').catch((failed: unknown) => {
        broken = failed instanceof Error ? failed : new Error(String(failed));
      });
      throw err;
    } finally {
      // A connection that could not roll back is not given to anyone else.
      client.release(broken);
    }
  }

  async chainAfter(after: bigint, limit: number): Promise<AuditEvent[]> {
    const rows = await this.#prisma.auditEvent.findMany({
      where: { seq: { gt: after } },
      orderBy: { seq: 'asc' },
      take: limit,
    });
    return rows.map(fromRow);
  }

  async eventAt(seq: bigint): Promise<AuditEvent | null> {
    const row = await this.#prisma.auditEvent.findUnique({ where: { seq } });
    return row && fromRow(row);
  }

  async predecessorHashes(seqs: readonly bigint[]): Promise<ReadonlyMap<bigint, string | null>> {
    if (seqs.length === 0) return new Map();
    const rows = await this.#prisma.$queryRaw<{ seq: bigint; prev: string | null }[]>`
      SELECT s.seq, (SELECT e.hash FROM audit_events e WHERE e.seq < s.seq ORDER BY e.seq DESC LIMIT 1) AS prev
      FROM unnest(${seqs.map(String)}::bigint[]) AS s(seq)`;
    return new Map(rows.map((r) => [r.seq, r.prev]));
  }

  async head(): Promise<ChainHeadReading> {
    const [row] = await this.#prisma.$queryRaw<
      {
        tail_seq: bigint | null;
        tail_hash: string | null;
        seq: bigint | null;
        hash: string | null;
        anchored_seq: bigint | null;
      }[]
    >`
      SELECT t.seq AS tail_seq, t.hash AS tail_hash, h.seq, h.hash, h.anchored_seq
      FROM (SELECT 1) one
      LEFT JOIN (SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1) t ON true
      LEFT JOIN chain_heads h ON h.chain = ${AUDIT_CHAIN}`;
    const tail = row?.tail_seq != null && row.tail_hash !== null ? { seq: row.tail_seq, hash: row.tail_hash } : null;
    const checkpoint =
      row?.seq != null && row.hash !== null
        ? {
            seq: row.seq,
            hash: row.hash,
            anchoredSeq: row.anchored_seq,
          }
        : null;
    return { tail, checkpoint };
  }

  async batch(batchId: string): Promise<AuditEvent[]> {
    const rows = await this.#prisma.auditEvent.findMany({ where: { batchId }, orderBy: { seq: 'asc' } });
    return rows.map(fromRow);
  }

  recent(page: AuditPageRequest): Promise<AuditPage> {
    return this.#page({}, page);
  }

  unreviewedBreakGlass(jurisdiction: string, page: AuditPageRequest): Promise<AuditPage> {
    return this.#page({ requesterJurisdiction: jurisdiction, breakGlass: true, reviewedAt: null }, page);
  }

  async markReviewed(id: string, reviewedBy: string, at: Date): Promise<boolean> {
    const { count } = await this.#prisma.auditEvent.updateMany({
      where: { id, breakGlass: true, reviewedAt: null },
      data: { reviewedAt: at, reviewedBy },
    });
    return count === 1;
  }

  async #page(where: Prisma.AuditEventWhereInput, page: AuditPageRequest): Promise<AuditPage> {
    const rows = await this.#prisma.auditEvent.findMany({
      // AND: a page's filters only narrow the caller's condition (a patient's own log stays theirs).
      where: {
        AND: [
          where,
          {
            ...(page.after !== undefined ? { seq: { lt: page.after } } : {}),
            ...(page.since !== undefined ? { at: { gte: page.since } } : {}),
            ...(page.patientId !== undefined ? { patientId: page.patientId } : {}),
            ...(page.outcome !== undefined ? { outcome: page.outcome } : {}),
            ...(page.purpose !== undefined ? { purpose: page.purpose } : {}),
            ...(page.breakGlass !== undefined ? { breakGlass: page.breakGlass } : {}),
          },
        ],
      },
      orderBy: { seq: 'desc' },
      take: page.first + 1,
    });
    return { events: rows.slice(0, page.first).map(fromRow), hasNextPage: rows.length > page.first };
  }
}

/**
 * The transactional outbox, as common table expressions to follow a CTE `ins` of the events
 * just inserted (their id, patient_id and at), comma first: a notification for each event its patient is
 * to be told about, and a delivery of it to each of the patient's channels that asked for its
 * kind. A break-glass access is always a notification (listed even where no channel takes it);
 * any other disclosure only for a patient with a channel for every access. Empty when none of
 * the events tells its patient anything.
 */
function outbox(events: readonly NewAuditEvent[]): Prisma.Sql {
  const told = events.flatMap((e) => {
    const kind = notificationKind(e);
    return kind === null ? [] : [{ eventId: e.id, id: `ntf-${randomUUID()}`, kind }];
  });
  if (told.length === 0) return Prisma.empty;
  return Prisma.sql`, notes AS (
        INSERT INTO notifications (id, audit_event_id, patient_id, kind, created_at)
        SELECT n.id, ins.id, ins.patient_id, n.kind, ins.at
        FROM ins JOIN unnest(${told.map((t) => t.eventId)}::text[], ${told.map((t) => t.id)}::text[],
          ${told.map((t) => t.kind)}::text[]) AS n(event_id, id, kind) ON n.event_id = ins.id
        WHERE n.kind = 'break_glass' OR EXISTS (
          SELECT 1 FROM notification_channels c
          WHERE c.patient_id = ins.patient_id AND c.removed_at IS NULL AND c.every_access)
        RETURNING id, patient_id, kind, created_at
      ), deliveries AS (
        INSERT INTO notification_deliveries (notification_id, channel_id, next_attempt_at)
        SELECT notes.id, c.id, notes.created_at
        FROM notes JOIN notification_channels c ON c.patient_id = notes.patient_id AND c.removed_at IS NULL
          AND (notes.kind = 'break_glass' OR c.every_access)
      )`;
}

/** The events with their links: each chained onto the one before it, the first onto `head`. */
function chained(
  head: string,
  events: readonly NewAuditEvent[],
): (NewAuditEvent & { prevHash: string; hash: string })[] {
  let prevHash = head;
  return events.map((event) => {
    const hash = auditEventHash({ ...event, prevHash });
    const row = { ...event, prevHash, hash };
    prevHash = hash;
    return row;
  });
}

function missingCheckpoint(): MeridianError {
  return new MeridianError(
    'INTEGRITY_VIOLATION',
    "The audit chain's checkpoint row (chain_heads 'audit') is missing: no event is appended until it is restored.",
  );
}

function fromRow(row: AuditEventRow): AuditEvent {
  return {
    seq: row.seq,
    id: row.id,
    at: row.at,
    patientId: row.patientId,
    patientCommitment: row.patientCommitment,
    requesterOrg: row.requesterOrg,
    requesterSubject: row.requesterSubject,
    requesterJurisdiction: row.requesterJurisdiction,
    purpose: row.purpose,
    operation: row.operation,
    // Read as stored, unchecked: verifyChain re-hashes exactly what is in the row.
    outcome: row.outcome as AuditOutcome,
    breakGlass: row.breakGlass,
    body: row.body as unknown as AuditBody,
    prevHash: row.prevHash,
    hash: row.hash,
    batchId: row.batchId,
    reviewedAt: row.reviewedAt,
    reviewedBy: row.reviewedBy,
  };
}
