import type { NewAuditEvent } from '../../src/domain/audit-event.js';

/** An event as the record service appends it (a clinician's summary permitted); `recordCount` tells them apart. */
export function newAuditEvent(id: string, recordCount: number): NewAuditEvent {
  return {
    id,
    at: new Date(),
    patientId: 'mp-0123456789ab',
    requesterOrg: 'charite-berlin',
    requesterSubject: 'dr-weber',
    requesterJurisdiction: 'DE',
    purpose: 'TREAT',
    operation: 'patientSummary',
    outcome: 'permit',
    breakGlass: false,
    body: {
      requesterRoles: ['clinician'],
      regions: { requested: ['eu-de'], answered: ['eu-de'], unavailable: [] },
      categories: { requested: ['problems'], disclosed: ['problems'] },
      recordCount,
      reasons: [],
      policies: [],
      consents: [],
    },
  };
}
