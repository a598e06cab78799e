import { createHmac, randomInt } from 'node:crypto';
import { contentHash, contentHashMatches } from '../canonical-json.js';

/** What a care relationship's anchor hashes: who treats whom, from when until when, opened with which code. */
export interface CareRelationshipDocument {
  readonly id: string;
  /** Global (pseudonymous) patient id. */
  readonly patientId: string;
  readonly organisationId: string;
  /** The clinician who opened it (token subject). */
  readonly openedBy: string;
  readonly openedAt: Date;
  readonly expiresAt: Date;
  readonly accessCodeId: string;
}

function hashed(doc: CareRelationshipDocument): Record<string, string> {
  return {
    type: 'meridian.care-relationship',
    id: doc.id,
    patientId: doc.patientId,
    organisationId: doc.organisationId,
    openedBy: doc.openedBy,
    openedAt: doc.openedAt.toISOString(),
    expiresAt: doc.expiresAt.toISOString(),
    accessCodeId: doc.accessCodeId,
  };
}

/** sha256 of the relationship's canonical JSON (RFC 8785): what the ledger anchors. */
export function careContentHash(doc: CareRelationshipDocument): string {
  return contentHash(hashed(doc));
}

export function careContentHashMatches(doc: CareRelationshipDocument, expected: string): boolean {
  return contentHashMatches(hashed(doc), expected);
}

/**
 * Access codes: 10 symbols of Crockford's base32 (50 bits), shown as two groups of five,
 * e.g. `7KQ2M-XD9PA`. Read aloud or typed, so case, spaces, dashes and the look-alikes
 * O/0 and I/L/1 do not matter.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ACCESS_CODE_LENGTH = 10;
const CODE = new RegExp(`^[${ALPHABET}]{${ACCESS_CODE_LENGTH}}$`);

export function newAccessCode(): string {
  const symbols = Array.from({ length: ACCESS_CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${symbols.slice(0, 5).join('')}-${symbols.slice(5).join('')}`;
}

/** The code as typed, normalised; null when it cannot be an access code at all. */
export function normaliseAccessCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return CODE.test(code) ? code : null;
}

/**
 * The code's keyed hash as stored: HMAC-SHA256 under a gateway secret, so 50 bits read from
 * a database dump cannot be searched offline without the key.
 */
export function accessCodeHash(key: Buffer, normalised: string): string {
  return createHmac('sha256', key).update(normalised).digest('hex');
}
