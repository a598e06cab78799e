import { hkdfSync } from 'node:crypto';

/** The key access codes are hashed under, derived from the gateway's pseudonym secret (RFC 5869). */
export function accessCodeKey(secret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'meridian access codes', 32));
}
