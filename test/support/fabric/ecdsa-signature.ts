import { verify, type KeyObject } from 'node:crypto';

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P256_HALF_ORDER = P256_ORDER >> 1n;

/**
 * Verifies a Fabric signature: ECDSA P-256 over SHA-256 of `data`, DER-encoded. Like a Fabric
 * peer, it refuses a high-S signature, so a client that skips low-S normalisation fails here
 * as it would against a real network.
 */
export function isValidFabricSignature(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    return false;
  }
  const s = derSignatureS(signature);
  if (s === undefined || s > P256_HALF_ORDER) {
    return false;
  }
  return verify('sha256', data, publicKey, signature);
}

/** The S of `SEQUENCE { INTEGER r, INTEGER s }`, or undefined when it is not that shape. */
function derSignatureS(signature: Uint8Array): bigint | undefined {
  if (signature[0] !== 0x30 || signature[1] !== signature.length - 2) {
    return undefined;
  }
  const r = readDerInteger(signature, 2);
  const s = r && readDerInteger(signature, r.next);
  return s && s.next === signature.length ? s.value : undefined;
}

function readDerInteger(bytes: Uint8Array, offset: number): { value: bigint; next: number } | undefined {
  const length = bytes[offset + 1];
  if (bytes[offset] !== 0x02 || length === undefined || length === 0 || offset + 2 + length > bytes.length) {
    return undefined;
  }
  const body = bytes.subarray(offset + 2, offset + 2 + length);
  return { value: BigInt(`0x${Buffer.from(body).toString('hex')}`), next: offset + 2 + length };
}
