import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { MeridianError } from '../domain/errors.js';
import { isRole, type Principal, type Role } from '../domain/principal.js';
import { checkIssuedAt } from './issued-at.js';
import type { OrganisationEntry } from './organisation-directory.js';

export interface TokenVerifierOptions {
  readonly organisations: readonly OrganisationEntry[];
  readonly audience: string;
  readonly clockToleranceSeconds?: number;
  /** The jurisdictions whose patient identity providers may vouch for a patient (from the ledger's patient index). */
  readonly patientJurisdictions: (patientId: string) => Promise<readonly string[]>;
}

const ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];

/**
 * Verifies bearer JWTs. A hospital issues tokens for its own staff only (`iss` = organisation
 * id), signed with its own keys; a patient is vouched for only by a patient identity provider
 * of a jurisdiction the ledger's patient index places the patient in. The principal's
 * jurisdiction comes from the organisation's configuration, never from the token.
 */
export class TokenVerifier {
  readonly #orgs: ReadonlyMap<string, { entry: OrganisationEntry; keys: JWTVerifyGetKey }>;
  readonly #options: Readonly<TokenVerifierOptions>;

  constructor(options: Readonly<TokenVerifierOptions>) {
    this.#options = options;
    const orgs = new Map<string, { entry: OrganisationEntry; keys: JWTVerifyGetKey }>();
    for (const entry of options.organisations) {
      const org = { entry, keys: createLocalJWKSet({ keys: [...entry.keys] }) };
      orgs.set(entry.id, org);
      // Its OpenID Connect provider names itself by URL; the keys that vouch are the same.
      if (entry.oidc !== undefined) orgs.set(entry.oidc.issuer, org);
    }
    this.#orgs = orgs;
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
        issuer: issuer ?? org.entry.id,
        audience: this.#options.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: this.#options.clockToleranceSeconds ?? 30,
      });
      checkIssuedAt(payload, this.#options.clockToleranceSeconds ?? 30);
      const principal = principalOf(payload, org.entry);
      if (principal.roles.includes('patient') && principal.patientId !== undefined) {
        await this.#vouchedFor(principal.patientId, org.entry);
      }
      return principal;
    } catch (err) {
      if (err instanceof MeridianError) throw err;
      if (err instanceof errors.JWTExpired) throw unauthenticated('the token has expired');
      if (err instanceof errors.JWTClaimValidationFailed)
        throw unauthenticated(`the token's ${err.claim} claim is invalid`);
      throw unauthenticated('the token signature could not be verified');
    }
  }

  /** A patient identity provider vouches only for the patients of its own jurisdiction. */
  async #vouchedFor(patientId: string, org: OrganisationEntry): Promise<void> {
    let jurisdictions: readonly string[];
    try {
      jurisdictions = await this.#options.patientJurisdictions(patientId);
    } catch (err) {
      if (err instanceof MeridianError && err.code === 'LEDGER_UNAVAILABLE') throw err;
      jurisdictions = [];
    }
    if (!jurisdictions.includes(org.jurisdiction)) {
      throw unauthenticated(`${org.id} does not authenticate patients of this patient's jurisdiction`);
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
  const patients = org.issues === 'patients';
  if (roles.includes('patient') && !patients) {
    throw unauthenticated(
      `${org.id} authenticates its own staff only; patients are authenticated by their jurisdiction's patient identity provider`,
    );
  }
  if (patients && (roles.length !== 1 || roles[0] !== 'patient')) {
    throw unauthenticated(`${org.id} is a patient identity provider: its tokens name patients only`);
  }
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
