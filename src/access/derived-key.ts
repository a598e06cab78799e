import { hkdfSync } from 'node:crypto';

/** A 32-byte key for one use (`info`), derived from the gateway's pseudonym secret (RFC 5869). */
export function derivedKey(secret: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
}
