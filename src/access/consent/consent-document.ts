import { parseConsent, type Consent } from '../../domain/consent/index.js';
import { MeridianError } from '../../domain/errors.js';
import type { ConsentRow } from '../../stores/consent-repository.js';

/**
 * The consent as the patient granted it, as JSON for the `document` column: every field
 * its content hash covers. Status and revocation live in their own columns, since they
 * change after the grant and are anchored as their own ledger event.
 */
export function consentDocument(consent: Consent): Record<string, unknown> {
  // A JSON round trip turns Dates into ISO strings and drops absent fields, as JSONB would.
  return JSON.parse(JSON.stringify({ ...consent, status: undefined, revokedAt: undefined })) as Record<string, unknown>;
}

/** The row that stores a newly granted consent. */
export function consentRow(consent: Consent, contentHash: string, grantTxId: string): ConsentRow {
  return {
    id: consent.id,
    patientId: consent.patientId,
    version: Number(consent.version),
    status: consent.status,
    document: consentDocument(consent),
    contentHash,
    grantedAt: consent.grantedAt,
    revokedAt: consent.revokedAt ?? null,
    grantTxId,
    revokeTxId: null,
  };
}

/** A stored row read back as a consent, or why it cannot be. */
export type ConsentReading =
  { readonly ok: true; readonly consent: Consent } | { readonly ok: false; readonly problem: string };

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// The columns are what queries select by (a patient's consents); they must say what the document says.
function columnProblem(row: ConsentRow, consent: Consent): string | null {
  if (consent.id !== row.id) return 'its document names another consent id';
  if (consent.patientId !== row.patientId) return 'its document names another patient';
  if (consent.version !== String(row.version)) return 'its document names another version';
  if (consent.grantedAt.getTime() !== row.grantedAt.getTime()) return 'its document has another grant time';
  return null;
}

/** Reads a stored row as a domain consent: a valid document that agrees with its columns. */
export function readConsentRow(row: ConsentRow): ConsentReading {
  if (!isJsonObject(row.document)) return { ok: false, problem: 'its document is not a JSON object' };
  let consent: Consent;
  try {
    consent = parseConsent({ ...row.document, status: row.status, revokedAt: row.revokedAt ?? undefined });
  } catch (err) {
    if (err instanceof MeridianError) return { ok: false, problem: `its document is invalid: ${err.message}` };
    throw err;
  }
  const problem = columnProblem(row, consent);
  return problem === null ? { ok: true, consent } : { ok: false, problem };
}

/**
 * A stored row as a domain consent.
 * @throws MeridianError INTEGRITY_VIOLATION when the row no longer holds a consistent consent.
 */
export function consentOfRow(row: ConsentRow): Consent {
  const reading = readConsentRow(row);
  if (reading.ok) return reading.consent;
  throw new MeridianError('INTEGRITY_VIOLATION', `Stored consent ${row.id} is damaged: ${reading.problem}.`, {
    consentId: row.id,
  });
}
