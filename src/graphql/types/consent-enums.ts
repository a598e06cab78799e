import { registerEnumType } from 'type-graphql';

/** GraphQL spells enum values in upper case; the domain in lower case. */
export const ConsentKindEnum = { PERMIT: 'PERMIT', DENY: 'DENY' } as const;
export const ConsentStatusEnum = { ACTIVE: 'ACTIVE', REVOKED: 'REVOKED' } as const;
export const GranteeKindEnum = {
  ORGANISATION: 'ORGANISATION',
  JURISDICTION: 'JURISDICTION',
  ANY_TREATING_PROVIDER: 'ANY_TREATING_PROVIDER',
} as const;

registerEnumType(ConsentKindEnum, {
  name: 'ConsentKind',
  description: 'A permit grants access; a deny is an objection (opt-out) and overrides any permit.',
  valuesConfig: {
    PERMIT: { description: 'Consent to disclose.' },
    DENY: { description: 'An objection: do not disclose.' },
  },
});
registerEnumType(ConsentStatusEnum, {
  name: 'ConsentStatus',
  description: 'A revoked consent no longer counts, from the moment the revocation is answered.',
});
registerEnumType(GranteeKindEnum, {
  name: 'GranteeKind',
  valuesConfig: {
    ORGANISATION: { description: 'One organisation, named by `organisationId`.' },
    JURISDICTION: {
      description: 'Any requester in a jurisdiction or policy family (FR, EU, US), named by `jurisdiction`.',
    },
    ANY_TREATING_PROVIDER: { description: 'Any clinician treating the patient.' },
  },
});
