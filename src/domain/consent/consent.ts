import { contentHash, type HashScheme } from '../canonical-json.js';
import type { Category, SensitivityLabel } from '../fhir.js';
import type { PurposeOfUse } from '../purpose.js';
import { parseOrThrow } from '../policy/schema-support.js';
import { consentSchema } from './consent-schema.js';
import type { ConsentKind, ConsentStatus } from './consent-vocabulary.js';

/** Whom a consent speaks to. */
export type ConsentGrantee =
  | { readonly kind: 'organisation'; readonly organisationId: string }
  /** Any requester in the jurisdiction or policy family (`FR`, `EU`, `US`). */
  | { readonly kind: 'jurisdiction'; readonly jurisdiction: string }
  /** Any clinician treating the patient. */
  | { readonly kind: 'any_treating_provider' };

/**
 * A patient's consent (`permit`) or objection (`deny`). Its content is anchored on the
 * ledger by {@link consentContentHash}; status and revocation are anchored as events.
 */
export interface Consent {
  readonly id: string;
  /** Global pseudonymous patient id (`mp-…`). */
  readonly patientId: string;
  readonly version: string;
  readonly status: ConsentStatus;
  readonly kind: ConsentKind;
  readonly grantee: ConsentGrantee;
  /** A consent naming TREAT also speaks of ETREAT. */
  readonly purposes: readonly PurposeOfUse[];
  /** Absent = all categories. For an objection: the categories objected to. */
  readonly categoriesAllowed?: readonly Category[];
  readonly categoriesDenied?: readonly Category[];
  /** The patient's explicit consent to these labels (permit only). */
  readonly sensitiveAllowed?: readonly SensitivityLabel[];
  /**
   * Labels (sensitivity or confidentiality) this consent keeps back: a record carrying one is
   * withheld from whoever the consent speaks to, even where the policy needs no consent for it
   * (EHDS Art. 8, the right to restrict). Permit only.
   */
  readonly labelsDenied?: readonly SensitivityLabel[];
  /** Destinations outside the data's policy family (permit only); absent = none. */
  readonly destinationsAllowed?: readonly string[];
  readonly validFrom: Date;
  /** Exclusive. */
  readonly validUntil?: Date;
  readonly grantedAt: Date;
  readonly revokedAt?: Date;
}

/** The exact consent version a decision used. */
export interface ConsentRef {
  readonly id: string;
  readonly version: string;
}

/**
 * Validates a consent; dates may be Dates or ISO 8601 strings.
 * @throws MeridianError BAD_USER_INPUT with `details.errors` naming each bad path.
 */
export function parseConsent(json: unknown): Consent {
  return parseOrThrow(consentSchema, json, 'consent');
}

function sortedCopy<T extends string>(list: readonly T[] | undefined): T[] | undefined {
  return list === undefined ? undefined : [...list].sort();
}

/**
 * sha256 of the canonical JSON of what the patient granted: every field but `status`
 * and `revokedAt`, which change on revocation and are anchored as their own event.
 * Set-like lists are sorted, so storage that reorders them keeps the hash.
 */
export function consentContentHash(consent: Consent, scheme: HashScheme = 'jcs'): string {
  return contentHash(
    {
      id: consent.id,
      patientId: consent.patientId,
      version: consent.version,
      kind: consent.kind,
      grantee: consent.grantee,
      purposes: sortedCopy(consent.purposes),
      categoriesAllowed: sortedCopy(consent.categoriesAllowed),
      categoriesDenied: sortedCopy(consent.categoriesDenied),
      sensitiveAllowed: sortedCopy(consent.sensitiveAllowed),
      destinationsAllowed: sortedCopy(consent.destinationsAllowed),
      validFrom: consent.validFrom.toISOString(),
      validUntil: consent.validUntil?.toISOString(),
      grantedAt: consent.grantedAt.toISOString(),
    },
    scheme,
  );
}
