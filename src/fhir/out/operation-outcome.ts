import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { ErrorCode } from '../../domain/errors.js';

/** The code system of Meridian's error codes: the same codes GraphQL answers in `extensions.code`. */
export const ERROR_CODE_SYSTEM = 'urn:meridian:error-code';

/** A Meridian code (or one of the HTTP layer's: RATE_LIMITED, ...) → HTTP status and FHIR issue type. */
const KNOWN: Readonly<Record<ErrorCode | 'RATE_LIMITED' | 'INTERNAL_SERVER_ERROR', [number, string]>> = {
  UNAUTHENTICATED: [401, 'login'],
  FORBIDDEN: [403, 'forbidden'],
  CONSENT_REQUIRED: [403, 'forbidden'],
  CONSENT_REVOKED: [403, 'forbidden'],
  POLICY_DENIED: [403, 'forbidden'],
  REGION_UNAVAILABLE: [503, 'transient'],
  INTEGRITY_VIOLATION: [500, 'security'],
  LEDGER_UNAVAILABLE: [503, 'transient'],
  LEDGER_REJECTED: [500, 'exception'],
  BAD_USER_INPUT: [400, 'invalid'],
  NOT_FOUND: [404, 'not-found'],
  RATE_LIMITED: [429, 'throttled'],
  INTERNAL_SERVER_ERROR: [500, 'exception'],
};

export type OutcomeCode = keyof typeof KNOWN;

/** Any code: one not known (a code of a newer layer) is an internal error. */
const ISSUE: Readonly<Partial<Record<string, [number, string]>>> = KNOWN;

export function httpStatusOf(code: string): number {
  return ISSUE[code]?.[0] ?? 500;
}

/**
 * One issue: the FHIR issue type for machines that know FHIR, and Meridian's code in
 * `details` for those that know Meridian (CONSENT_REQUIRED, REGION_UNAVAILABLE, ...).
 */
export function outcomeIssue(
  code: string,
  message: string,
  options: { severity?: OperationOutcomeIssue['severity']; diagnostics?: string; expression?: string } = {},
): OperationOutcomeIssue {
  return {
    severity: options.severity ?? 'error',
    code: (ISSUE[code]?.[1] ?? 'exception') as OperationOutcomeIssue['code'],
    details: { coding: [{ system: ERROR_CODE_SYSTEM, code }], text: message },
    ...(options.diagnostics !== undefined ? { diagnostics: options.diagnostics } : {}),
    ...(options.expression !== undefined ? { expression: [options.expression] } : {}),
  };
}

export function operationOutcome(issues: readonly OperationOutcomeIssue[], id?: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', ...(id !== undefined ? { id } : {}), issue: [...issues] };
}
