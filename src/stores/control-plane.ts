import {
  PrismaCareRepository,
  RELATIONSHIP_COLUMNS,
  relationshipRowOfJson,
  type CareRelationshipRow,
  type CareRepository,
} from './care-repository.js';
import { PrismaClient } from '../generated/control/client.js';
import type { Role } from '../domain/principal.js';
import { PrismaAuditLog, type AuditLog, type PrismaAuditLogOptions } from './audit-log.js';
import { ChainHeadStore } from './chain-head-store.js';
import {
  CONSENT_COLUMNS,
  consentRowOfJson,
  PrismaConsentRepository,
  type ConsentRepository,
  type ConsentRow,
} from './consent-repository.js';
import type { Database } from './database.js';
import { PrismaNotificationStore, type NotificationStore } from './notification-store.js';
import { PatientIndex } from './patient-index.js';
import type { PatientKeyStore } from '../access/patient-keys.js';
import { PrismaErasureStore, type ErasureStore } from './erasure-store.js';
import { PrismaPolicyRepository, type PolicyRepository } from './policy-repository.js';

export interface Organisation {
  readonly id: string;
  readonly name: string;
  readonly jurisdiction: string;
}

/** Where one patient's records are: a region and the patient's local id there. */
export interface PatientLocation {
  readonly region: string;
  readonly localId: string;
  /** Every local id of the patient in the region, when there is more than one (two documents, one person). */
  readonly localIds?: readonly string[];
}

/** Every local id of a location: `localIds` when there are several, else `localId`. */
export function localIdsOf(location: PatientLocation): readonly string[] {
  return location.localIds ?? [location.localId];
}

/** What a decision reads of one patient in the control plane: where their records are, their consents and care. */
export interface PatientRows {
  readonly locations: PatientLocation[];
  /** As `consents.list`: newest grant first. */
  readonly consents: ConsentRow[];
  /** As `care.relationships`: newest first. */
  readonly care: CareRelationshipRow[];
}

export interface Persona {
  readonly name: string;
  readonly displayName: string;
  readonly role: Role;
  readonly organisationId: string;
  readonly patientId: string | null;
}

/** Control-plane repositories: organisations, master patient index, dev personas, consents, policies. */
export interface ControlPlane {
  readonly consents: ConsentRepository;
  /** Access codes and care relationships. */
  readonly care: CareRepository;
  /** The patients' notification channels and the outbox the audit log writes their notifications to. */
  readonly notifications: NotificationStore;
  /** Jurisdiction policy versions through their four-eyes lifecycle. */
  readonly policies: PolicyRepository;
  /** The hash-chained audit log of access decisions. */
  readonly auditLog: AuditLog;
  /** Heads of the audit chain and of the embedded ledger, checkpointed outside them. */
  readonly chainHeads: ChainHeadStore;
  /** The master patient index's identifiers, reviews and history; its one writer (`apply`). */
  readonly patientIndex: PatientIndex;
  /** Each patient's own secret, given when the index first places them. */
  readonly patientKeys: PatientKeyStore;
  /** Erasures of patients' data, and the control plane's part of each. */
  readonly erasures: ErasureStore;
  organisation(id: string): Promise<Organisation | null>;
  organisations(): Promise<Organisation[]>;
  upsertOrganisations(orgs: readonly Organisation[]): Promise<void>;
  /** Regions and local ids that hold a global patient's records. */
  locatePatient(globalId: string): Promise<PatientLocation[]>;
  /** `locatePatient`, `consents.list` and `care.relationships` of one patient, in one statement (one snapshot). */
  patientRows(globalId: string): Promise<PatientRows>;
  /** Links a patient's local id in a region to its global id; idempotent. Through `patientIndex.apply`. */
  linkPatient(globalId: string, location: PatientLocation): Promise<void>;
  /** The global id a region-local patient id is linked to, if any. */
  globalIdOf(location: PatientLocation): Promise<string | null>;
  patients(limit: number): Promise<{ globalId: string; regions: string[] }[]>;
  personas(): Promise<Persona[]>;
  persona(name: string): Promise<Persona | null>;
  upsertPersonas(personas: readonly Persona[]): Promise<void>;
  ping(): Promise<void>;
  /** Refreshes the planner's statistics of every table (after a bulk write: a plan made without them can scan it all). */
  analyze(): Promise<void>;
  close(): Promise<void>;
}

const LOCATION_ORDER = 'region, created_at, local_id';

/** Index rows (region, local id), in `LOCATION_ORDER`, as one location per region. */
function locationsOf(rows: readonly (readonly [string, string])[]): PatientLocation[] {
  const byRegion = new Map<string, string[]>();
  for (const [region, localId] of rows) byRegion.set(region, [...(byRegion.get(region) ?? []), localId]);
  return [...byRegion].map(([region, ids]) => ({
    region,
    localId: ids[0] ?? '',
    ...(ids.length > 1 ? { localIds: ids } : {}),
  }));
}

export class PrismaControlPlane implements ControlPlane {
  readonly #prisma: PrismaClient;
  readonly consents: ConsentRepository;
  readonly care: CareRepository;
  readonly notifications: NotificationStore;
  readonly policies: PolicyRepository;
  readonly auditLog: AuditLog;
  readonly chainHeads: ChainHeadStore;
  readonly patientIndex: PatientIndex;
  readonly patientKeys: PatientKeyStore;
  readonly erasures: ErasureStore;

  readonly #pool: Database['pool'];

  constructor(db: Database, options: Readonly<PrismaAuditLogOptions> = {}) {
    this.#prisma = new PrismaClient({ adapter: db.adapter() });
    this.#pool = db.pool;
    this.patientIndex = new PatientIndex(this.#prisma);
    this.consents = new PrismaConsentRepository(this.#prisma, db.pool);
    this.care = new PrismaCareRepository(this.#prisma, db.pool);
    this.notifications = new PrismaNotificationStore(this.#prisma);
    this.policies = new PrismaPolicyRepository(this.#prisma, db.pool);
    this.auditLog = new PrismaAuditLog(this.#prisma, db, options);
    this.chainHeads = new ChainHeadStore(this.#prisma);
    this.erasures = new PrismaErasureStore(this.#prisma);
    this.patientKeys = {
      secret: (globalId) =>
        this.#prisma.patientKey.findUnique({ where: { globalId }, select: { secret: true, legacyLedgerRef: true } }),
    };
  }

  organisation(id: string): Promise<Organisation | null> {
    return this.#prisma.organisation.findUnique({
      where: { id },
      select: { id: true, name: true, jurisdiction: true },
    });
  }

  organisations(): Promise<Organisation[]> {
    return this.#prisma.organisation.findMany({
      select: { id: true, name: true, jurisdiction: true },
      orderBy: { id: 'asc' },
    });
  }

  async upsertOrganisations(orgs: readonly Organisation[]): Promise<void> {
    await this.#prisma.$transaction(
      orgs.map((org) => this.#prisma.organisation.upsert({ where: { id: org.id }, create: org, update: org })),
    );
  }

  async locatePatient(globalId: string): Promise<PatientLocation[]> {
    // On every lookup: a named statement on the pool (planned once per connection), not Prisma.
    const { rows } = await this.#pool.query<{ region: string; local_id: string }>({
      name: 'locate-patient',
      text: `SELECT region, local_id FROM patient_locations WHERE global_id = $1 ORDER BY ${LOCATION_ORDER}`,
      values: [globalId],
    });
    return locationsOf(rows.map((r) => [r.region, r.local_id]));
  }

  /** One round trip where three would do: every uncached decision asks for all three. */
  async patientRows(globalId: string): Promise<PatientRows> {
    const { rows } = await this.#pool.query<{
      locations: [string, string][];
      consents: Record<keyof ConsentRow, unknown>[];
      care: Record<keyof CareRelationshipRow, unknown>[];
    }>({
      name: 'patient-rows',
      text: `SELECT
        (SELECT coalesce(json_agg(json_build_array(region, local_id) ORDER BY ${LOCATION_ORDER}), '[]')
          FROM patient_locations WHERE global_id = $1) AS locations,
        (SELECT coalesce(json_agg(c ORDER BY c."grantedAt" DESC, c.id ASC), '[]')
          FROM (SELECT ${CONSENT_COLUMNS} FROM consents WHERE patient_id = $1) c) AS consents,
        (SELECT coalesce(json_agg(r ORDER BY r."openedAt" DESC, r.id ASC), '[]')
          FROM (SELECT ${RELATIONSHIP_COLUMNS} FROM care_relationships WHERE patient_id = $1) r) AS care`,
      values: [globalId],
    });
    const [row] = rows;
    if (row === undefined) throw new Error('the patient rows read returned no row');
    return {
      locations: locationsOf(row.locations),
      consents: row.consents.map(consentRowOfJson),
      care: row.care.map(relationshipRowOfJson),
    };
  }

  async linkPatient(globalId: string, location: PatientLocation): Promise<void> {
    await this.patientIndex.apply({
      kind: 'link',
      actor: 'system',
      globalId,
      location: { region: location.region, localId: location.localId },
    });
  }

  async globalIdOf(location: PatientLocation): Promise<string | null> {
    const row = await this.#prisma.patientLocation.findUnique({
      where: { region_localId: location },
      select: { globalId: true },
    });
    return row?.globalId ?? null;
  }

  async patients(limit: number): Promise<{ globalId: string; regions: string[] }[]> {
    const rows = await this.#prisma.patientLocation.findMany({
      orderBy: [{ globalId: 'asc' }, { region: 'asc' }],
      select: { globalId: true, region: true },
    });
    const byId = new Map<string, string[]>();
    for (const row of rows) {
      if (!byId.has(row.globalId) && byId.size >= limit) break;
      byId.set(row.globalId, [...(byId.get(row.globalId) ?? []), row.region]);
    }
    return [...byId].map(([globalId, regions]) => ({ globalId, regions }));
  }

  async personas(): Promise<Persona[]> {
    const rows = await this.#prisma.persona.findMany({ orderBy: { name: 'asc' } });
    return rows.map((r) => ({ ...r, role: r.role as Role }));
  }

  async persona(name: string): Promise<Persona | null> {
    const row = await this.#prisma.persona.findUnique({ where: { name } });
    return row && { ...row, role: row.role as Role };
  }

  async upsertPersonas(personas: readonly Persona[]): Promise<void> {
    await this.#prisma.$transaction(
      personas.map((p) => this.#prisma.persona.upsert({ where: { name: p.name }, create: p, update: p })),
    );
  }

  async ping(): Promise<void> {
    await this.#prisma.$queryRaw`SELECT 1`;
  }

  async analyze(): Promise<void> {
    await this.#prisma.$executeRaw`ANALYZE`;
  }

  close(): Promise<void> {
    return this.#prisma.$disconnect();
  }
}
