import { summariseResource } from '../domain/clinical-item.js';
import { recordKey, type StoredRecord } from '../domain/record.js';
import type { ClinicalItem, Demographics, Provenance } from './types/clinical-item.type.js';

type OrgName = (id: string) => string | null;

export function provenanceOf(record: StoredRecord, organisationName: OrgName): Provenance {
  return {
    region: record.region,
    organisationId: record.sourceOrg,
    organisationName: organisationName(record.sourceOrg),
    lastUpdated: record.lastUpdated,
    contentHash: record.contentHash,
  };
}

export function toClinicalItem(record: StoredRecord, organisationName: OrgName): ClinicalItem {
  const summary = summariseResource(record.resource);
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
    sensitivity: record.sensitivity,
    provenance: provenanceOf(record, organisationName),
    fhir: record.resource,
  };
}

export function toDemographics(record: StoredRecord, organisationName: OrgName): Demographics {
  const summary = summariseResource(record.resource);
  return {
    name: summary.display,
    birthDate: summary.date,
    gender: summary.value,
    provenance: provenanceOf(record, organisationName),
    fhir: record.resource,
  };
}
