import type { EntryIntegrity } from '../access/audit/audit-chain-problems.js';
import type { AccessLogPage } from '../access/audit/audit-service.js';
import { toAccessLogIntegrity } from './audit-chain-mappers.js';
import type { AuditEvent, DisclosureReceipt as Receipt } from '../domain/audit-event.js';
import { rememberRecent } from '../access/remember-recent.js';
import { summariseResource, type ClinicalSummary } from '../domain/clinical-item.js';
import { recordKey, type StoredRecord } from '../domain/record.js';
import { sourceDigestOf } from '../stores/region-reader.js';
import type { AccessLogConnection, AccessLogEntry } from './types/access-log.type.js';
import type { ClinicalItem, Demographics, Provenance } from './types/clinical-item.type.js';
import type { DisclosureReceipt } from './types/disclosure-receipt.type.js';

type OrgName = (id: string) => string | null;

/** Summaries remembered at most (each a few hundred bytes). */
const MAX_SUMMARIES = 100_000;

/** Summaries of resources read from a region, by the digest of the text read: a summary is a function of the text. */
const summaries = new Map<string, ClinicalSummary>();

/** A record's summary, computed (and its resource parsed) only for a text not summarised before. */
function summaryOf(record: StoredRecord): ClinicalSummary {
  const digest = sourceDigestOf(record);
  if (digest === undefined) return summariseResource(record.resource);
  let summary = summaries.get(digest);
  if (summary === undefined)
    rememberRecent(summaries, digest, (summary = summariseResource(record.resource)), MAX_SUMMARIES);
  return summary;
}

export function provenanceOf(record: StoredRecord, organisationName: OrgName): Provenance {
  return {
    region: record.region,
    organisationId: record.sourceOrg,
    organisationName: organisationName(record.sourceOrg) ?? record.sourceOrgName ?? null,
    lastUpdated: record.lastUpdated,
    contentHash: record.contentHash,
  };
}

export function toClinicalItem(record: StoredRecord, organisationName: OrgName): ClinicalItem {
  const summary = summaryOf(record);
  return {
    id: `${record.region}/${recordKey(record)}`,
    resourceType: record.resourceType,
    category: record.category.toUpperCase(),
    code: summary.code && {
      system: summary.code.system ?? null,
      code: summary.code.code ?? null,
      display: summary.code.display ?? null,
    },
    display: summary.display,
    status: summary.status,
    date: summary.date,
    value: summary.value,
    sensitivity: record.sensitivity[0] ?? null,
    sensitivityLabels: [...record.sensitivity],
    form: summary.form,
    provenance: provenanceOf(record, organisationName),
    // Read (and parsed) only when the field is asked for.
    get fhir() {
      return record.resource;
    },
  };
}

export function toDemographics(record: StoredRecord, organisationName: OrgName): Demographics {
  const summary = summaryOf(record);
  return {
    name: summary.display,
    birthDate: summary.date,
    gender: summary.value,
    provenance: provenanceOf(record, organisationName),
    // Read (and parsed) only when the field is asked for.
    get fhir() {
      return record.resource;
    },
  };
}

/**
 * An access log entry. A patient sees organisations, not the staff ids of the people
 * who asked, nor the patient id (their own); officers and auditors see both.
 */
export function toAccessLogEntry(
  event: AuditEvent,
  organisationName: OrgName,
  patientView: boolean,
  integrity: EntryIntegrity | null = null,
): AccessLogEntry {
  return {
    decisionId: event.id,
    at: event.at,
    organisationId: event.requesterOrg,
    organisationName: organisationName(event.requesterOrg),
    jurisdiction: event.requesterJurisdiction,
    purpose: event.purpose,
    operation: event.operation,
    outcome: event.outcome.toUpperCase(),
    breakGlass: event.breakGlass,
    justification: event.body.breakGlass?.justification ?? null,
    reviewedAt: patientView ? null : event.reviewedAt,
    reviewedBy: patientView ? null : event.reviewedBy,
    reasons: [...new Set(event.body.reasons.map((r) => r.code))],
    withheldLabels: [...new Set(event.body.reasons.flatMap((r) => (r.label === undefined ? [] : [r.label])))].sort(),
    patientId: patientView ? null : event.patientId,
    requesterSubject: patientView ? null : event.requesterSubject,
    integrity: integrity?.toUpperCase() ?? null,
  };
}

export function toAccessLogConnection(
  page: AccessLogPage,
  organisationName: OrgName,
  patientView: boolean,
): AccessLogConnection {
  return {
    edges: page.edges.map((e) => ({
      cursor: e.cursor,
      node: toAccessLogEntry(e.event, organisationName, patientView, page.integrity?.entries.get(e.event.seq) ?? null),
    })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    integrity: page.integrity ? toAccessLogIntegrity(page.integrity) : { ok: true, problems: [] },
  };
}

export function toReceipt(receipt: Receipt): DisclosureReceipt {
  return {
    ...receipt,
    outcome: receipt.outcome.toUpperCase(),
    policies: receipt.policies.map((p) => ({ ...p })),
    consents: receipt.consents.map((c) => ({ ...c })),
  };
}
