import type { PurposeOfUse } from '../purpose.js';
import type { Decision, DenialCode } from './decision.js';
import { citedConsent, type Reason, type ReasonCode } from './reason.js';
import { mostActionable } from './region-outcome.js';

/** What a requester to whom nothing at all is disclosed is told. */
export interface DenialNotice {
  readonly code: DenialCode;
  readonly message: string;
}

const SAYS: Readonly<Record<DenialCode, (purpose: PurposeOfUse) => string>> = {
  CONSENT_REQUIRED: (purpose) =>
    `Nothing may be disclosed to you for ${purpose} without the patient's consent; the patient can give it to your organisation or jurisdiction, or give you an access code at the point of care.`,
  CONSENT_REVOKED: (purpose) =>
    `Nothing may be disclosed to you for ${purpose}: the patient has withdrawn their consent or objected.`,
  POLICY_DENIED: (purpose) =>
    `Nothing may be disclosed to you for ${purpose} under the policies that apply; no consent of the patient changes that.`,
};

/**
 * The one answer to a request that discloses nothing: the code that tells the requester what
 * would help (revoked, then required, then policy) and a sentence fixed per code and purpose.
 * It names no region, jurisdiction of the data or consent: a requester who may see nothing must
 * not learn where the patient was treated or which consent they gave or withdrew. The
 * decision's reasons stay in the audit log, for the patient and for officers.
 */
export function denialNotice(decision: Decision, purpose: PurposeOfUse): DenialNotice {
  const code = mostActionable(decision.regions.map((r) => r.code ?? 'POLICY_DENIED'));
  return { code, message: SAYS[code](purpose) };
}

/** Reasons that cite a consent only to say it is not in force. */
const NOT_IN_FORCE: ReadonlySet<ReasonCode> = new Set(['CONSENT_REVOKED', 'CONSENT_EXPIRED', 'CONSENT_NOT_YET_VALID']);

/**
 * The consents of `consentsUsed` a requester's receipt may name: those in force that the
 * decision applied (a permit it relied on, an objection it honoured or set aside). A consent
 * cited only as revoked, expired or not yet valid stays in the audit event, for the patient,
 * officers and `verifyDisclosure`; named to the requester beside CONSENT_REVOKED it would tell
 * them which consent the patient withdrew.
 */
export function consentsToTell(decision: Decision): ReadonlySet<string> {
  const reasons: Reason[] = decision.regions.flatMap((r) =>
    [...r.categories, ...r.sensitive].flatMap((v) => v.reasons),
  );
  const told = reasons.filter((r) => !NOT_IN_FORCE.has(r.code)).map(citedConsent);
  return new Set(told.filter((id) => id !== undefined));
}
