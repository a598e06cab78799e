import { invalidArgument } from '../errors.js';

// Validators never echo the rejected value: a wrong argument may be exactly
// the personal data that must not reach peer logs or error messages.

function requireString(argument: string, value: unknown): string {
  if (typeof value !== 'string') throw invalidArgument(argument, 'must be a string');
  if (value.length === 0) throw invalidArgument(argument, 'is required');
  return value;
}

function matching(pattern: RegExp, rule: string): (argument: string, value: unknown) => string {
  return (argument, value) => {
    const text = requireString(argument, value);
    if (!pattern.test(text)) throw invalidArgument(argument, `must be ${rule}`);
    return text;
  };
}

// Id alphabets leave out spaces, braces, quotes and '@': a name, an e-mail
// address or a JSON document (a FHIR resource) can never pass as an id.

/** An ISO 3166 code such as `DE` or `US-MA`. */
export const jurisdiction = matching(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'an ISO 3166 code such as DE or US-MA');

/** A policy version label such as `2025.1` or `v3`. */
export const versionLabel = matching(
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/,
  "1-32 letters, digits, '.', '_' or '-', starting with a letter or digit",
);

/** A pseudonymous staff id, as carried in the `meridian.user` certificate attribute. */
export const userId = matching(
  /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/,
  "1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
);

/** A record id such as a consent or batch id (a UUID fits). */
export const recordId = matching(
  /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
  "1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
);

/** A pseudonymous patient id from the master patient index, e.g. `mp-0123456789ab`. */
export const patientRef = matching(/^mp-[0-9a-f]{12,64}$/, "'mp-' followed by 12-64 lowercase hex digits");

/** A SHA-256 digest. */
export const sha256Hex = matching(/^[0-9a-f]{64}$/, '64 lowercase hex characters (a SHA-256 digest)');

/** A region id such as `eu-de`. */
export const region = matching(
  /^[a-z][a-z0-9-]{1,30}$/,
  'a region id of lowercase letters, digits and dashes, e.g. eu-de',
);

/** A short machine-readable reason code such as `patient_request`. */
export const reasonCode = matching(
  /^[a-z][a-z0-9_-]{0,63}$/,
  "a reason code of 1-64 lowercase letters, digits, '_' or '-' (free text is not stored on the ledger)",
);

/** Whether a consent permits (`permit`) or objects (`deny`). */
export function consentKind(argument: string, value: unknown): 'permit' | 'deny' {
  const text = requireString(argument, value);
  if (text !== 'permit' && text !== 'deny') throw invalidArgument(argument, "must be 'permit' or 'deny'");
  return text;
}

export type BatchKind = 'audit' | 'records';

/** What a batch anchors: audit events or record content hashes. */
export function batchKind(argument: string, value: unknown): BatchKind {
  const text = requireString(argument, value);
  if (text !== 'audit' && text !== 'records') throw invalidArgument(argument, "must be 'audit' or 'records'");
  return text;
}

/** A count given as a decimal string (chaincode arguments travel as strings), 1 or more. */
export function positiveCount(argument: string, value: unknown): number {
  const text = requireString(argument, value);
  const n = Number(text);
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(n)) {
    throw invalidArgument(argument, 'must be a positive integer');
  }
  return n;
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

/** An ISO-8601 date-time with seconds and an explicit offset, e.g. `2025-01-31T12:00:00Z`; returns epoch ms. */
export function isoTime(argument: string, value: unknown): number {
  const text = requireString(argument, value);
  const m = ISO_8601.exec(text);
  const ms = Date.parse(text);
  if (!m || Number.isNaN(ms) || !isRealDate(m)) {
    throw invalidArgument(argument, 'must be an ISO-8601 date-time with offset, e.g. 2025-01-31T12:00:00Z');
  }
  return ms;
}

// Date.parse rolls 2025-02-30 over to March; a calendar round trip does not.
function isRealDate(m: RegExpExecArray): boolean {
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const d = new Date(Date.UTC(year, month - 1, day));
  const dateOk = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
  const offsetOk = m[8] === 'Z' || (Number(m[9]) <= 14 && Number(m[10]) < 60);
  return dateOk && hour < 24 && minute < 60 && second < 60 && offsetOk;
}
