import type { HistoryStamp } from '../ledger/history.js';
import type { LedgerStub } from '../ledger/ledger-context.js';
import type { RecordSchema } from '../validation/payload-guard.js';

export type ConsentStatus = 'active' | 'revoked';

/** A consent anchored by hash; its content stays off-chain so it can be erased. */
export interface ConsentRecord {
  readonly consentId: string;
  readonly patientRef: string;
  readonly hash: string;
  readonly version: string;
  readonly status: ConsentStatus;
  readonly recordedAt: string;
  readonly revokedAt?: string;
}

export const CONSENT: RecordSchema<ConsentRecord> = {
  type: 'meridian.consent',
  fields: {
    consentId: true,
    patientRef: true,
    hash: true,
    version: true,
    status: true,
    recordedAt: true,
    revokedAt: true,
  },
};

/** Who revoked: the patient in person, or an organisation acting for them. */
export type RevokedAs = 'patient' | 'patient_delegate';

/** One step in a consent's history. */
export interface ConsentEvent extends HistoryStamp {
  readonly action: 'recorded' | 'revoked';
  readonly consentId: string;
  readonly patientRef: string;
  readonly hash: string;
  readonly version: string;
  readonly actorMsp: string;
  readonly revokedAs?: RevokedAs;
  readonly reason?: string;
}

export const CONSENT_EVENT: RecordSchema<ConsentEvent> = {
  type: 'meridian.consent.history',
  fields: {
    action: true,
    consentId: true,
    patientRef: true,
    hash: true,
    version: true,
    actorMsp: true,
    revokedAs: true,
    reason: true,
    at: true,
    txId: true,
  },
};

export function consentKey(stub: LedgerStub, consentId: string): string {
  return stub.createCompositeKey(CONSENT.type, [consentId]);
}
