import { importJWK, SignJWT, type JWK } from 'jose';
import type { Role } from '../domain/principal.js';
import type { PurposeOfUse } from '../domain/purpose.js';
import { DEV_ALGORITHM } from './dev-keys.js';

export interface TokenRequest {
  readonly organisationId: string;
  readonly subject: string;
  readonly roles: readonly Role[];
  readonly patientId?: string | null;
  readonly audience: string;
  readonly ttlSeconds?: number;
  /** Binds the token to one purpose of use, as IHE IUA does (`extensions.ihe_iua.purpose_of_use`). */
  readonly purposeOfUse?: PurposeOfUse;
}

/** Signs a bearer token as an organisation would (development personas and tests). */
export async function mintToken(privateJwk: JWK, request: Readonly<TokenRequest>): Promise<string> {
  const key = await importJWK(privateJwk, DEV_ALGORITHM);
  const jwt = new SignJWT({
    roles: [...request.roles],
    ...(request.patientId ? { patient: request.patientId } : {}),
    ...(request.purposeOfUse
      ? {
          extensions: {
            ihe_iua: {
              purpose_of_use: {
                system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
                code: request.purposeOfUse,
              },
            },
          },
        }
      : {}),
  })
    .setProtectedHeader({ alg: DEV_ALGORITHM, ...(privateJwk.kid ? { kid: privateJwk.kid } : {}) })
    .setIssuer(request.organisationId)
    .setSubject(request.subject)
    .setAudience(request.audience)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds ?? 8 * 3600}s`);
  return jwt.sign(key);
}
