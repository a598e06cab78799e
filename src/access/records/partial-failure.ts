import type { DenialCode } from '../../domain/policy/index.js';

/** Why some of the answer is missing: a region that failed, records that failed their check, or a withholding. */
export interface PartialFailure {
  readonly code: 'REGION_UNAVAILABLE' | 'INTEGRITY_VIOLATION' | 'LEDGER_UNAVAILABLE' | DenialCode;
  readonly region: string;
  readonly message: string;
}
