import { importJWK, SignJWT, type JWK } from 'jose';
import type { Role } from '../domain/principal.js';
import { DEV_ALGORITHM } from './dev-keys.js';

export interface TokenRequest {
  readonly organisationId: string;
  readonly subject: string;
  readonly roles: readonly Role[];
  readonly patientId?: string | null;
  readonly audience: string;
  readonly ttlSeconds?: number;
}

/** Signs a bearer token as an organisation would (development personas and tests). */
export async function mintToken(privateJwk: JWK, request: Readonly<TokenRequest>): Promise<string> {
  const key = await importJWK(privateJwk, DEV_ALGORITHM);
  const jwt = new SignJWT({
    roles: [...request.roles],
    ...(request.patientId ? { patient: request.patientId } : {}),
  })
    .setProtectedHeader({ alg: DEV_ALGORITHM, ...(privateJwk.kid ? { kid: privateJwk.kid } : {}) })
    .setIssuer(request.organisationId)
    .setSubject(request.subject)
    .setAudience(request.audience)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds ?? 8 * 3600}s`);
  return jwt.sign(key);
}
