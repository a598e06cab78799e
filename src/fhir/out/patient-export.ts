import type { AuditService } from '../../access/audit/audit-service.js';
import type { ConsentService } from '../../access/consent/consent-service.js';
import type { RecordService } from '../../access/records/record-service.js';
import { MeridianError } from '../../domain/errors.js';
import type { FhirResource } from '../../domain/fhir.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import type { StoredRecord } from '../../domain/record.js';
import { auditEventResource } from './audit-event-resource.js';
import { consentResource } from './consent-resource.js';
import { mergedPatient } from './ips-document.js';
import { outcomeIssue, operationOutcome } from './operation-outcome.js';
import { servedResource } from './resource-view.js';

export interface ExportServices {
  readonly records: RecordService;
  readonly audit: AuditService;
  readonly consents: ConsentService;
  readonly organisationName: (id: string) => string | null;
}

/** Records per decision while exporting: each page is one audited disclosure to the patient. */
const PAGE = 100;

/**
 * A copy of the signed-in patient's data (GDPR Art. 15 and 20, EHDS Art. 3), resource by
 * resource: the Patient, every record of every region as the patient may read it (purpose
 * PATRQT, each page decided and audited like any read), their consents as FHIR Consent and
 * their access log as FHIR AuditEvent, then an OperationOutcome for any region that did not
 * answer. Yields as it reads, so a large history is never held whole.
 * @throws FORBIDDEN for anyone but the patient themself (before anything is read).
 */
export async function* patientExport(
  s: ExportServices,
  principal: Principal,
  patientId: string,
): AsyncGenerator<FhirResource> {
  if (!hasRole(principal, 'patient') || principal.patientId !== patientId) {
    throw new MeridianError('FORBIDDEN', 'Only the patient themself exports their data.');
  }
  const failures = new Map<string, { code: string; region: string; message: string }>();
  yield* records(s, principal, patientId, failures);
  for (const consent of await s.consents.list(principal, patientId)) {
    yield consentResource(consent.consent, consent, s.organisationName);
  }
  let logAfter: string | undefined;
  do {
    const log = await s.audit.myAccessLog(principal, { first: PAGE, ...(logAfter ? { after: logAfter } : {}) });
    for (const { event } of log.edges) {
      yield auditEventResource(event, { patientView: true, organisationName: s.organisationName });
    }
    logAfter = log.hasNextPage && log.endCursor !== null ? log.endCursor : undefined;
  } while (logAfter !== undefined);
  if (failures.size > 0) {
    const issues = [...failures.values()].map((f) => outcomeIssue(f.code, f.message, { severity: 'warning' }));
    yield operationOutcome(issues) as unknown as FhirResource;
  }
}

/** Every record, page by page (each one decision), the clinical ones as read and then the merged Patient. */
async function* records(
  s: ExportServices,
  principal: Principal,
  patientId: string,
  failures: Map<string, { code: string; region: string; message: string }>,
): AsyncGenerator<FhirResource> {
  const patients: StoredRecord[] = [];
  let after: string | null = null;
  do {
    const page = await s.records.records(principal, {
      patientId,
      purpose: 'PATRQT',
      first: PAGE,
      operation: 'fhir.export',
      ...(after !== null ? { after } : {}),
    });
    for (const f of page.failures) failures.set(`${f.code}@${f.region}`, f);
    for (const { record } of page.edges) {
      if (record.category === 'patient') patients.push(record);
      else yield servedResource(record, patientId);
    }
    after = page.hasNextPage ? page.endCursor : null;
  } while (after !== null);
  // The merged Patient: the newest regional one (pages come newest first), with every identifier.
  if (patients.length > 0) yield mergedPatient(patientId, patients);
}
