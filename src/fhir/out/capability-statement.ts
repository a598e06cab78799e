import { FHIR_CATEGORY_SHAPE, IPS_RESOURCE_TYPES } from '../../domain/fhir.js';

const param = (name: string, type: string, documentation: string): Record<string, string> => ({
  name,
  type,
  documentation,
});

const PATIENT = param('patient', 'reference', 'Required: the global patient id (`Patient/<id>` or `<id>`).');
const LAST_UPDATED = param(
  '_lastUpdated',
  'date',
  'Only `ge` and `gt` prefixes (records updated at or after / after the instant); may repeat.',
);
const CATEGORY = param('category', 'token', '`[system|]code`, comma-separated for any of several.');

/** The security every interaction asks for, as the CapabilityStatement says it. */
const SECURITY_TEXT =
  'Bearer JWT (RFC 6750) issued by a partner organisation for its own staff, or by a patient identity provider for its patients: the same tokens as /graphql. ' +
  'Every read needs a purpose of use (HL7 v3 PurposeOfUse: TREAT, ETREAT, HPAYMT, HOPERAT, HRESCH, PUBHLTH, PATRQT): ' +
  'from the token when it carries one as IHE IUA does (`extensions.ihe_iua.purpose_of_use`; the token is then bound to it), ' +
  'else from the `X-Purpose-Of-Use` header. Break-glass (ETREAT) also needs `X-Break-Glass-Justification`; research (HRESCH) may name `X-Study`. ' +
  'Every read is decided under the patient consents and the policies of every jurisdiction involved, audited, and answered with its disclosure receipt.';

/**
 * What this server implements, and nothing more: read and search by patient for the stored
 * IPS types, Patient read and $summary, AuditEvent and Consent search by patient.
 */
export function capabilityStatement(base: string, version: string, date: Date): Record<string, unknown> {
  const clinical = IPS_RESOURCE_TYPES.filter((t) => t !== 'Patient').map((type) => ({
    type,
    interaction: [{ code: 'read' }, { code: 'search-type' }],
    searchParam: [PATIENT, LAST_UPDATED, ...(FHIR_CATEGORY_SHAPE[type] ? [CATEGORY] : [])],
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: date.toISOString(),
    publisher: 'Meridian',
    kind: 'instance',
    software: { name: 'Meridian', version },
    implementation: { description: 'Meridian cross-border health information exchange gateway', url: base },
    fhirVersion: '4.0.1',
    format: ['json', 'application/fhir+json'],
    rest: [
      {
        mode: 'server',
        documentation: 'Paging: `_count` (default 20) and the `next` link. Errors are OperationOutcome.',
        security: {
          service: [
            { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' }] },
          ],
          description: SECURITY_TEXT,
        },
        resource: [
          {
            type: 'Patient',
            interaction: [{ code: 'read' }],
            operation: [
              {
                name: 'summary',
                definition: 'http://hl7.org/fhir/uv/ips/OperationDefinition/summary',
                documentation:
                  'An IPS document Bundle merged across every region the decision lets the requester read.',
              },
            ],
          },
          ...clinical,
          {
            type: 'AuditEvent',
            interaction: [{ code: 'search-type' }],
            searchParam: [
              param(
                'patient',
                'reference',
                "A patient: their own access log; a compliance officer or auditor: their jurisdiction's requests, optionally about one patient.",
              ),
              param('date', 'date', 'Only `ge`: events at or after the instant.'),
            ],
          },
          {
            type: 'Consent',
            interaction: [{ code: 'search-type' }],
            searchParam: [param('patient', 'reference', "The signed-in patient's own consents.")],
          },
        ],
      },
    ],
  };
}
