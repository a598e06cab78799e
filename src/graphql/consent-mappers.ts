import type { PatientConsent } from '../access/consent/consent-service.js';
import type { GrantConsentRequest } from '../access/consent/grant-consent-request.js';
import type { ConsentGrantee, ConsentKind } from '../domain/consent/index.js';
import type { Category, SensitivityLabel } from '../domain/fhir.js';
import type { PurposeOfUse } from '../domain/purpose.js';
import type { ConsentKindEnum, GranteeKindEnum } from './types/consent-enums.js';
import type { Consent } from './types/consent.type.js';
import type { GrantConsentInput } from './types/grant-consent.input.js';

const KIND: Readonly<Record<keyof typeof ConsentKindEnum, ConsentKind>> = { PERMIT: 'permit', DENY: 'deny' };
const GRANTEE_KIND: Readonly<Record<keyof typeof GranteeKindEnum, ConsentGrantee['kind']>> = {
  ORGANISATION: 'organisation',
  JURISDICTION: 'jurisdiction',
  ANY_TREATING_PROVIDER: 'any_treating_provider',
};

// GraphQL enum coercion has already refused any value outside these enums.
const categories = (list: readonly string[] | null | undefined): Category[] | undefined =>
  list?.map((c) => c.toLowerCase() as Category);

/** GraphQL input → service request; nulls become absent. */
export function toGrantRequest(input: GrantConsentInput): GrantConsentRequest {
  return {
    ...(input.patientId != null ? { patientId: input.patientId } : {}),
    kind: KIND[input.kind],
    grantee: {
      kind: GRANTEE_KIND[input.grantee.kind],
      ...(input.grantee.organisationId != null ? { organisationId: input.grantee.organisationId } : {}),
      ...(input.grantee.jurisdiction != null ? { jurisdiction: input.grantee.jurisdiction } : {}),
    },
    purposes: input.purposes as PurposeOfUse[],
    categoriesAllowed: categories(input.categoriesAllowed),
    categoriesDenied: categories(input.categoriesDenied),
    sensitiveAllowed: (input.sensitiveAllowed ?? undefined) as SensitivityLabel[] | undefined,
    labelsDenied: (input.labelsDenied ?? undefined) as SensitivityLabel[] | undefined,
    destinationsAllowed: input.destinationsAllowed ?? undefined,
    validFrom: input.validFrom ?? undefined,
    validUntil: input.validUntil ?? undefined,
  };
}

/** Service result → GraphQL `Consent`. */
export function toConsentType({ consent, contentHash, grantTxId, revokeTxId }: PatientConsent): Consent {
  const g = consent.grantee;
  return {
    id: consent.id,
    patientId: consent.patientId,
    version: consent.version,
    status: consent.status.toUpperCase(),
    kind: consent.kind.toUpperCase(),
    grantee: {
      kind: g.kind.toUpperCase(),
      organisationId: g.kind === 'organisation' ? g.organisationId : null,
      jurisdiction: g.kind === 'jurisdiction' ? g.jurisdiction : null,
    },
    purposes: [...consent.purposes],
    categoriesAllowed: consent.categoriesAllowed?.map((c) => c.toUpperCase()) ?? null,
    categoriesDenied: (consent.categoriesDenied ?? []).map((c) => c.toUpperCase()),
    sensitiveAllowed: [...(consent.sensitiveAllowed ?? [])],
    labelsDenied: [...(consent.labelsDenied ?? [])],
    destinationsAllowed: [...(consent.destinationsAllowed ?? [])],
    validFrom: consent.validFrom,
    validUntil: consent.validUntil ?? null,
    grantedAt: consent.grantedAt,
    revokedAt: consent.revokedAt ?? null,
    contentHash,
    grantTxId,
    revokeTxId,
  };
}
