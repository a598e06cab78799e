import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { MeridianError } from '../domain/errors.js';
import { isRole, type Principal, type Role } from '../domain/principal.js';
import { checkIssuedAt } from './issued-at.js';
import type { OrganisationEntry } from './organisation-directory.js';

export interface TokenVerifierOptions {
  readonly organisations: readonly OrganisationEntry[];
  readonly audience: string;
  readonly clockToleranceSeconds?: number;
}

const ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];

/**
 * Verifies bearer JWTs. Each organisation issues tokens for its own staff and patients
 * (`iss` = organisation id) signed with its own keys; the principal's jurisdiction
 * comes from the organisation's configuration, never from the token.
 */
export class TokenVerifier {
  readonly #orgs: ReadonlyMap<string, { entry: OrganisationEntry; keys: JWTVerifyGetKey }>;
  readonly #options: Readonly<TokenVerifierOptions>;

  constructor(options: Readonly<TokenVerifierOptions>) {
    this.#options = options;
    this.#orgs = new Map(
      options.organisations.map((entry) => [entry.id, { entry, keys: createLocalJWKSet({ keys: [...entry.keys] }) }]),
    );
  }

  /** Returns the principal of a valid token; throws UNAUTHENTICATED with the reason otherwise. */
  async verify(token: string): Promise<Principal> {
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw unauthenticated('the bearer token is not a well-formed JWT');
    }
    const org = issuer === undefined ? undefined : this.#orgs.get(issuer);
    if (org === undefined) throw unauthenticated('the token was issued by an unknown organisation');
    try {
      const { payload } = await jwtVerify(token, org.keys, {
        issuer: org.entry.id,
        audience: this.#options.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: this.#options.clockToleranceSeconds ?? 30,
      });
      checkIssuedAt(payload, this.#options.clockToleranceSeconds ?? 30);
      return principalOf(payload, org.entry);
    } catch (err) {
      if (err instanceof MeridianError) throw err;
      if (err instanceof errors.JWTExpired) throw unauthenticated('the token has expired');
      if (err instanceof errors.JWTClaimValidationFailed)
        throw unauthenticated(`the token's ${err.claim} claim is invalid`);
      throw unauthenticated('the token signature could not be verified');
    }
  }
}

function principalOf(payload: JWTPayload, org: OrganisationEntry): Principal {
  const roles = Array.isArray(payload.roles)
    ? payload.roles.filter((r): r is Role => typeof r === 'string' && isRole(r))
    : [];
  if (roles.length === 0) throw unauthenticated('the token carries no known role');
  const patientId = typeof payload.patient === 'string' ? payload.patient : undefined;
  if (roles.includes('patient') && patientId === undefined)
    throw unauthenticated('a patient token must name the patient');
  return {
    subject: payload.sub ?? '',
    organisationId: org.id,
    jurisdiction: org.jurisdiction,
    roles,
    ...(patientId !== undefined ? { patientId } : {}),
  };
}

function unauthenticated(reason: string): MeridianError {
  return new MeridianError('UNAUTHENTICATED', `Authentication failed: ${reason}.`);
}
