import { DECISION_SYSTEM } from './receipt-extension.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import type { FhirResource } from '../../domain/fhir.js';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const REST_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const PURPOSE = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

interface EventKind {
  readonly type: Record<string, string>;
  readonly subtype: string;
  readonly action: string;
}

const REST = {
  system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  code: 'rest',
  display: 'RESTful Operation',
};
const QUERY: EventKind = {
  type: { system: DCM, code: '110112', display: 'Query' },
  subtype: 'search-type',
  action: 'E',
};
const OPERATION: EventKind = { type: REST, subtype: 'operation', action: 'E' };

/**
 * IHE Basic Audit Log Patterns (BALP) event kind of each Meridian operation: a FHIR read is
 * a RESTful `read` (BALP PatientRead), a search or a GraphQL page a `Query` with subtype
 * `search-type` (BALP PatientQuery), a summary or an export an `operation`.
 */
const KIND: Readonly<Record<string, EventKind>> = {
  'fhir.read': { type: REST, subtype: 'read', action: 'R' },
  'fhir.search': QUERY,
  records: QUERY,
  'fhir.summary': OPERATION,
  'fhir.export': OPERATION,
  patientSummary: OPERATION,
};

/** RFC 3881 / DICOM outcome: success, or minor failure for a decision that disclosed nothing. */
const OUTCOME: Readonly<Record<AuditEvent['outcome'], string>> = { permit: '0', partial: '0', deny: '4' };

export interface AuditEventView {
  /** A patient's own view leaves out the requester's staff id, as the GraphQL access log does. */
  readonly patientView: boolean;
  readonly organisationName: (id: string) => string | null;
}

/**
 * One access decision from Meridian's audit log as an R4 AuditEvent following IHE BALP:
 * the requester (user at an organisation, with the purpose of use), Meridian as the server
 * and observer, the patient as the entity, and the decision's evidence (id, outcome, audit
 * hash, break-glass justification) as entity details. No clinical content is in an event.
 */
export function auditEventResource(event: AuditEvent, view: AuditEventView): FhirResource {
  const kind = KIND[event.operation] ?? QUERY;
  const organisation = view.organisationName(event.requesterOrg) ?? event.requesterOrg;
  const detail = (type: string, valueString: string): Record<string, string> => ({ type, valueString });
  const details = [
    detail('decisionId', event.id),
    detail('operation', event.operation),
    detail('outcome', event.outcome),
    detail('auditHash', event.hash),
    ...(event.body.recordCount > 0 ? [detail('recordCount', String(event.body.recordCount))] : []),
    ...event.body.categories.disclosed.map((c) => detail('disclosedCategory', c)),
    ...[...new Set(event.body.reasons.map((r) => r.code))].map((code) => detail('reason', code)),
    ...(event.body.breakGlass ? [detail('breakGlassJustification', event.body.breakGlass.justification)] : []),
  ];
  return {
    resourceType: 'AuditEvent',
    id: event.id,
    meta: {
      profile: [
        kind.subtype === 'read'
          ? 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead'
          : 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientQuery',
      ],
      ...(event.breakGlass
        ? { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT' }] }
        : {}),
    },
    type: kind.type,
    subtype: [{ system: REST_INTERACTION, code: kind.subtype }],
    action: kind.action,
    recorded: event.at.toISOString(),
    outcome: OUTCOME[event.outcome],
    outcomeDesc: `${event.outcome}${event.body.reasons.length > 0 ? `: ${[...new Set(event.body.reasons.map((r) => r.code))].join(', ')}` : ''}`,
    purposeOfEvent: [{ coding: [{ system: PURPOSE, code: event.purpose }] }],
    agent: [
      {
        type: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
              code: 'IRCP',
              display: 'information recipient',
            },
          ],
        },
        who: view.patientView
          ? { identifier: { system: 'urn:meridian:organisation', value: event.requesterOrg }, display: organisation }
          : {
              identifier: { system: `urn:meridian:staff:${event.requesterOrg}`, value: event.requesterSubject },
              display: `${event.requesterSubject} at ${organisation}`,
            },
        requestor: true,
        purposeOfUse: [{ coding: [{ system: PURPOSE, code: event.purpose }] }],
      },
      {
        type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] },
        who: { display: 'Meridian gateway' },
        requestor: false,
      },
    ],
    source: {
      observer: { display: 'Meridian gateway' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    entity: [
      {
        what: { reference: `Patient/${event.patientId}` },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
      },
      {
        what: { identifier: { system: DECISION_SYSTEM, value: event.id } },
        type: {
          system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
          code: '2',
          display: 'System Object',
        },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '24', display: 'Query' },
        detail: details,
      },
    ],
  };
}
