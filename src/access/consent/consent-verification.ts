import type { ConsentRecord } from 'meridian-chaincode';
import { consentContentHash, type Consent } from '../../domain/consent/index.js';
import type { ConsentRow } from '../../stores/consent-repository.js';
import { readConsentRow } from './consent-document.js';
import { matchingScheme } from '../../domain/canonical-json.js';

/** Why a stored consent cannot be trusted. */
export type ConsentMismatch =
  /** The document is not a valid consent, or disagrees with its own row. */
  | 'document_invalid'
  /** The document no longer hashes to the row's content hash: it was changed after the grant. */
  | 'content_hash_mismatch'
  /** The ledger has no anchor for this consent id. */
  | 'not_anchored'
  /** The ledger anchored another hash, patient or version. */
  | 'anchor_mismatch'
  /** Revoked on one side only. */
  | 'status_mismatch';

/** Why verification failed, in words safe to log (ids and hashes, never content). */
export interface ConsentVerificationFailure {
  readonly ok: false;
  readonly mismatch: ConsentMismatch;
  readonly message: string;
}

/** A stored consent checked against itself and its ledger anchor. */
export type ConsentVerification = { readonly ok: true; readonly consent: Consent } | ConsentVerificationFailure;

function mismatch(m: ConsentMismatch, message: string): ConsentVerificationFailure {
  return { ok: false, mismatch: m, message };
}

/** The checks that need no ledger: the document is valid, agrees with its row and hashes to it. */
export function checkStoredConsent(row: ConsentRow): ConsentVerification {
  const reading = readConsentRow(row);
  if (!reading.ok) return mismatch('document_invalid', `consent ${row.id}: ${reading.problem}`);
  if (matchingScheme((scheme) => consentContentHash(reading.consent, scheme), row.contentHash) === null) {
    return mismatch('content_hash_mismatch', `consent ${row.id}: its document does not match its content hash`);
  }
  return { ok: true, consent: reading.consent };
}

/**
 * Compares a stored consent that passed `checkStoredConsent` with its ledger anchor
 * (`null`: none). The ledger is the reference: the row must carry the anchored hash,
 * patient (`patientRef`: the id the ledger knows the row's patient by) and version, and be
 * revoked exactly when the ledger says so.
 */
export function compareWithAnchor(
  row: ConsentRow,
  anchor: ConsentRecord | null,
  patientRef: string = row.patientId,
): ConsentVerificationFailure | null {
  if (anchor === null) return mismatch('not_anchored', `consent ${row.id} is not anchored on the ledger`);
  if (anchor.hash !== row.contentHash) {
    return mismatch('anchor_mismatch', `consent ${row.id}: the ledger anchors another content hash`);
  }
  if (anchor.patientRef !== patientRef || anchor.version !== String(row.version)) {
    return mismatch('anchor_mismatch', `consent ${row.id}: the ledger anchors it for another patient or version`);
  }
  if (anchor.status !== row.status) {
    return mismatch('status_mismatch', `consent ${row.id} is ${anchor.status} on the ledger but ${row.status} here`);
  }
  return null;
}
