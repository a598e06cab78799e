import type { IntegrityKind } from '../server/metrics.js';

/**
 * The kind of an integrity problem, from the subject its reporter names it by: `consent <id>`,
 * `policy <jurisdiction>/<version>`, `region <id>` (a record failing its anchor),
 * `patient index <region>` (the master patient index), `audit log` (the audit chain).
 */
export function integrityKind(subject: string): IntegrityKind {
  const head = subject.split(/[\s:]/, 1)[0]?.toLowerCase() ?? '';
  switch (head) {
    case 'consent':
    case 'policy':
      return head;
    case 'region':
    case 'record':
      return 'record';
    case 'patient':
    case 'index':
      return 'patient_index';
    case 'audit':
      return 'audit_chain';
    default:
      return 'other';
  }
}
