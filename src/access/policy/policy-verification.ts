import { MeridianError } from '../../domain/errors.js';
import { parsePolicyDocument, policyDocumentHash, type PolicyDocument } from '../../domain/policy/index.js';
import type { PolicyStatus, PolicyVersionRow } from '../../stores/policy-repository.js';
import type { IntegrityProblem } from './policy-source.js';
import { matchingScheme } from '../../domain/canonical-json.js';

/** A stored policy read back: valid, agreeing with its row, hashing to its content hash. */
export type StoredPolicy =
  | { readonly ok: true; readonly document: PolicyDocument; readonly hash: string }
  | { readonly ok: false; readonly problem: string };

const STATUSES: readonly PolicyStatus[] = ['draft', 'approved', 'active', 'superseded'];

/** How a policy version is named in logs and integrity problems: `policy EU@2025.2`. */
export function policySubject(jurisdiction: string, version: string): string {
  return `policy ${jurisdiction}@${version}`;
}

export function integrityProblem(jurisdiction: string, version: string, message: string): IntegrityProblem {
  return { subject: policySubject(jurisdiction, version), message };
}

function parsed(document: unknown): PolicyDocument | null {
  try {
    return parsePolicyDocument(document);
  } catch {
    return null;
  }
}

/** The checks that need no ledger. Messages carry ids and hashes only, never the document. */
export function readStoredPolicy(row: PolicyVersionRow): StoredPolicy {
  const document = parsed(row.document);
  if (document === null) return { ok: false, problem: 'the stored document is not a valid policy document' };
  if (document.jurisdiction !== row.jurisdiction || document.version !== row.version) {
    return { ok: false, problem: 'the stored document names another policy or version than its row' };
  }
  if (matchingScheme((scheme) => policyDocumentHash(document, scheme), row.contentHash) === null) {
    const hash = policyDocumentHash(document);
    return { ok: false, problem: `the stored document hashes to ${hash}, not to its content hash ${row.contentHash}` };
  }
  // The anchored hash, which an older canonical form may have produced (see HashScheme).
  return { ok: true, document, hash: row.contentHash };
}

/**
 * A stored row that the lifecycle may build on, or INTEGRITY_VIOLATION: nobody approves or
 * activates a document other than the one anchored.
 */
export function trustedDocument(row: PolicyVersionRow): PolicyDocument {
  const stored = readStoredPolicy(row);
  if (!stored.ok) {
    throw new MeridianError(
      'INTEGRITY_VIOLATION',
      `${policySubject(row.jurisdiction, row.version)}: ${stored.problem}`,
    );
  }
  return stored.document;
}

/** The row's status, or INTEGRITY_VIOLATION for a value the lifecycle never writes. */
export function statusOf(row: PolicyVersionRow): PolicyStatus {
  const status = STATUSES.find((s) => s === row.status);
  if (status === undefined) {
    throw new MeridianError(
      'INTEGRITY_VIOLATION',
      `${policySubject(row.jurisdiction, row.version)}: unknown stored status`,
    );
  }
  return status;
}
