import type { PurposeOfUse } from '../purpose.js';

export const CONSENT_STATUSES = ['active', 'revoked'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** `permit` grants; `deny` is an objection (opt-out) and overrides any permit. */
export const CONSENT_KINDS = ['permit', 'deny'] as const;
export type ConsentKind = (typeof CONSENT_KINDS)[number];

/**
 * The HL7 PurposeOfUse hierarchy where it matters to consent: emergency treatment is
 * treatment, so a consent or an objection naming TREAT also speaks of ETREAT.
 */
const PURPOSE_PARENT: Readonly<Partial<Record<PurposeOfUse, PurposeOfUse>>> = { ETREAT: 'TREAT' };

/** True when a consent listing `purposes` speaks of `purpose`, directly or through its parent. */
export function namesPurpose(purposes: readonly PurposeOfUse[], purpose: PurposeOfUse): boolean {
  const parent = PURPOSE_PARENT[purpose];
  return purposes.includes(purpose) || (parent !== undefined && purposes.includes(parent));
}
