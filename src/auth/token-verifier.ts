import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { MeridianError } from '../domain/errors.js';
import { isRole, type Principal, type Role } from '../domain/principal.js';
import { isPurposeOfUse, type PurposeOfUse } from '../domain/purpose.js';
import { checkIssuedAt } from './issued-at.js';
import type { OrganisationEntry } from './organisation-directory.js';
import { VerifiedTokens } from './verified-tokens.js';

export interface TokenVerifierOptions {
  readonly organisations: readonly OrganisationEntry[];
  readonly audience: string;
  readonly clockToleranceSeconds?: number;
  /** The jurisdictions whose patient identity providers may vouch for a patient (from the ledger's patient index). */
  readonly patientJurisdictions: (patientId: string) => Promise<readonly string[]>;
  /** Most verified tokens remembered until their `exp` (0: none, every request verifies its signature). Default 10,000. */
  readonly rememberTokens?: number;
  /** Milliseconds since the epoch; tests move it. */
  readonly clock?: () => number;
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
  readonly #verified: VerifiedTokens;
  readonly #clock: () => number;

  constructor(options: Readonly<TokenVerifierOptions>) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    // The keys are fixed for this verifier's life (a new key set is a new verifier), so an entry
    // can only go stale by expiring.
    this.#verified = new VerifiedTokens(options.rememberTokens ?? 10_000);
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
    const remembered = this.#verified.get(token, this.#clock());
    if (remembered !== undefined) {
      await this.#vouchedForIfPatient(remembered);
      return remembered;
    }
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw unauthenticated('the bearer token is not a well-formed JWT');
    }
    const org = issuer === undefined ? undefined : this.#orgs.get(issuer);
    if (org === undefined) throw unauthenticated('the token was issued by an unknown organisation');
    try {
      const now = this.#clock();
      const { payload } = await jwtVerify(token, org.keys, {
        issuer: issuer ?? org.entry.id,
        audience: this.#options.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: this.#options.clockToleranceSeconds ?? 30,
        currentDate: new Date(now),
      });
      checkIssuedAt(payload, this.#options.clockToleranceSeconds ?? 30, now);
      const principal = principalOf(payload, org.entry);
      await this.#vouchedForIfPatient(principal);
      // Remembered only until exp itself: the clock tolerance is granted by a fresh check, never by the memory.
      if (typeof payload.exp === 'number') this.#verified.set(token, principal, payload.exp);
      return principal;
    } catch (err) {
      if (err instanceof MeridianError) throw err;
      if (err instanceof errors.JWTExpired) throw unauthenticated('the token has expired');
      if (err instanceof errors.JWTClaimValidationFailed)
        throw unauthenticated(`the token's ${err.claim} claim is invalid`);
      throw unauthenticated('the token signature could not be verified');
    }
  }

  /** A patient's token holds only while its issuer vouches for the patient: asked on every use, remembered token or not. */
  async #vouchedForIfPatient(principal: Principal): Promise<void> {
    if (!principal.roles.includes('patient') || principal.patientId === undefined) return;
    const org = this.#orgs.get(principal.organisationId);
    if (org === undefined) throw unauthenticated('the token was issued by an unknown organisation');
    await this.#vouchedFor(principal.patientId, org.entry);
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
  const purposeOfUse = iuaPurposeOf(payload);
  // Frozen: a remembered token hands the same principal to every request that carries it.
  return Object.freeze({
    subject: payload.sub ?? '',
    organisationId: org.id,
    jurisdiction: org.jurisdiction,
    roles: Object.freeze(roles),
    ...(patientId !== undefined ? { patientId } : {}),
    ...(purposeOfUse !== undefined ? { purposeOfUse } : {}),
  });
}

/** Code systems of the HL7 v3 PurposeOfUse value set (its codes are ActReason codes). */
const PURPOSE_SYSTEMS = [
  'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  'http://terminology.hl7.org/CodeSystem/v3-PurposeOfUse',
  'urn:oid:2.16.840.1.113883.5.8',
];

/**
 * The purpose of use an IHE IUA token carries (`extensions.ihe_iua.purpose_of_use`, a Coding
 * or a list of one), if any; a claim Meridian cannot honour refuses the token.
 */
function iuaPurposeOf(payload: JWTPayload): PurposeOfUse | undefined {
  const extensions = payload.extensions;
  if (typeof extensions !== 'object' || extensions === null) return undefined;
  const iua = (extensions as Record<string, unknown>).ihe_iua;
  if (typeof iua !== 'object' || iua === null) return undefined;
  const claim = (iua as Record<string, unknown>).purpose_of_use;
  if (claim === undefined) return undefined;
  const codings: unknown[] = Array.isArray(claim) ? (claim as unknown[]) : [claim];
  const coding = codings.length === 1 ? codings[0] : undefined;
  const { system, code } = (typeof coding === 'object' && coding !== null ? coding : {}) as Record<string, unknown>;
  if (
    typeof code !== 'string' ||
    !isPurposeOfUse(code) ||
    (system !== undefined && !(typeof system === 'string' && PURPOSE_SYSTEMS.includes(system)))
  ) {
    throw unauthenticated('the ihe_iua purpose_of_use claim must be one HL7 v3 PurposeOfUse coding Meridian accepts');
  }
  return code;
}

function unauthenticated(reason: string): MeridianError {
  return new MeridianError('UNAUTHENTICATED', `Authentication failed: ${reason}.`);
}
