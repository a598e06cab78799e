/** Stable error codes a client sees in `extensions.code`. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CONSENT_REQUIRED',
  'CONSENT_REVOKED',
  'POLICY_DENIED',
  'REGION_UNAVAILABLE',
  'INTEGRITY_VIOLATION',
  'LEDGER_UNAVAILABLE',
  'LEDGER_REJECTED',
  'BAD_USER_INPUT',
  'NOT_FOUND',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The one error family of Meridian: a stable code, a message safe to show a client,
 * and details that are safe to show (never clinical data, SQL or stack traces).
 */
export class MeridianError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = 'MeridianError';
    this.code = code;
    this.details = details;
  }
}

export function badInput(message: string, details: Readonly<Record<string, unknown>> = {}): MeridianError {
  return new MeridianError('BAD_USER_INPUT', message, details);
}
