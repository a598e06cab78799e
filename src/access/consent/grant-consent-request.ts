import { parseConsent, type Consent, type ConsentGrantee, type ConsentKind } from '../../domain/consent/index.js';
import { badInput, MeridianError } from '../../domain/errors.js';
import type { Category, SensitivityLabel } from '../../domain/fhir.js';
import type { PurposeOfUse } from '../../domain/purpose.js';

/** Whom a consent speaks to, as a client states it: the field its kind needs, no other. */
export interface GranteeRequest {
  readonly kind: ConsentGrantee['kind'];
  readonly organisationId?: string;
  readonly jurisdiction?: string;
}

/** What a patient grants; the gateway adds id, version, status and grant time. */
export interface GrantConsentRequest {
  /** The patient the consent is for; defaults to the caller's own, and may be no other. */
  readonly patientId?: string;
  /** `permit` (default) or `deny`: an objection. */
  readonly kind?: ConsentKind;
  readonly grantee: GranteeRequest;
  readonly purposes: readonly PurposeOfUse[];
  readonly categoriesAllowed?: readonly Category[];
  readonly categoriesDenied?: readonly Category[];
  readonly sensitiveAllowed?: readonly SensitivityLabel[];
  readonly labelsDenied?: readonly SensitivityLabel[];
  readonly destinationsAllowed?: readonly string[];
  /** Defaults to the grant time. */
  readonly validFrom?: Date;
  readonly validUntil?: Date;
}

/** Gateway-assigned parts of a new consent. */
export interface NewConsentFacts {
  readonly id: string;
  readonly patientId: string;
  readonly grantedAt: Date;
}

// Clients send [] for "none"; the domain reads absent as none and refuses some lists that are present.
function noneIfEmpty<T>(list: readonly T[] | undefined): readonly T[] | undefined {
  return list === undefined || list.length === 0 ? undefined : list;
}

function granteeOf(g: GranteeRequest): Record<string, unknown> {
  return {
    kind: g.kind,
    ...(g.organisationId !== undefined ? { organisationId: g.organisationId } : {}),
    ...(g.jurisdiction !== undefined ? { jurisdiction: g.jurisdiction } : {}),
  };
}

/** The first field a validation message names: `grantee.organisationId: required` → `grantee.organisationId`. */
function fieldOf(errors: unknown): string | undefined {
  const first = Array.isArray(errors) ? (errors[0] as unknown) : undefined;
  return typeof first === 'string' ? first.split(':')[0] : undefined;
}

/**
 * Builds and validates a new active consent, version 1.
 * @throws MeridianError BAD_USER_INPUT naming the first bad field (`field`) and every problem (`errors`).
 */
export function newConsent(request: GrantConsentRequest, facts: NewConsentFacts): Consent {
  const draft = {
    id: facts.id,
    patientId: facts.patientId,
    version: '1',
    status: 'active',
    kind: request.kind ?? 'permit',
    grantee: granteeOf(request.grantee),
    purposes: request.purposes,
    categoriesAllowed: request.categoriesAllowed,
    categoriesDenied: noneIfEmpty(request.categoriesDenied),
    sensitiveAllowed: noneIfEmpty(request.sensitiveAllowed),
    labelsDenied: noneIfEmpty(request.labelsDenied),
    destinationsAllowed: noneIfEmpty(request.destinationsAllowed),
    validFrom: request.validFrom ?? facts.grantedAt,
    validUntil: request.validUntil,
    grantedAt: facts.grantedAt,
  };
  try {
    return parseConsent(draft);
  } catch (err) {
    if (!(err instanceof MeridianError)) throw err;
    const errors = err.details.errors;
    const field = fieldOf(errors);
    throw badInput(err.message.replace(/^invalid consent/, 'Invalid consent'), {
      ...(field !== undefined ? { field } : {}),
      errors,
    });
  }
}
