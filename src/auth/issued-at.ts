import type { JWTPayload } from 'jose';
import { MeridianError } from '../domain/errors.js';

/**
 * Refuses a token issued later than now plus the allowed clock skew: jose checks `iat` only
 * against a maximum age, so a token minted for the future (to outlive a key's revocation,
 * or from a skewed issuer clock) would otherwise pass.
 */
export function checkIssuedAt(payload: JWTPayload, skewSeconds: number, nowMs: number = Date.now()): void {
  if (typeof payload.iat === 'number' && payload.iat > nowMs / 1000 + skewSeconds) {
    throw new MeridianError('UNAUTHENTICATED', "Authentication failed: the token's iat claim is in the future.");
  }
}
