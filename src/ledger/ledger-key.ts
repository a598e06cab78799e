import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileDurably } from './durable-file.js';

/**
 * The embedded ledger's own Ed25519 key: it signs the hash of every transaction it commits,
 * so an edited log cannot be re-chained by anyone who does not hold the key.
 */
export class LedgerKey {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;

  private constructor(privateKey: KeyObject, publicKey: KeyObject) {
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
  }

  static generate(): LedgerKey {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return new LedgerKey(privateKey, publicKey);
  }

  /** The key `save(file)` wrote (PKCS#8 PEM). */
  static async load(file: string): Promise<LedgerKey> {
    const privateKey = createPrivateKey(await readFile(file, 'utf8'));
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 private key`);
    return new LedgerKey(privateKey, createPublicKey(privateKey));
  }

  async save(file: string): Promise<void> {
    await writeFileDurably(file, this.#privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
  }

  /** `sha256:<hex>` of the public key (SPKI DER), for an operator to compare against a known value. */
  get fingerprint(): string {
    const der = this.#publicKey.export({ type: 'spki', format: 'der' });
    return `sha256:${createHash('sha256').update(der).digest('hex')}`;
  }

  /** Base64 Ed25519 signature over the 32 bytes of a hex SHA-256 digest. */
  sign(hashHex: string): string {
    return sign(null, Buffer.from(hashHex, 'hex'), this.#privateKey).toString('base64');
  }

  verify(hashHex: string, signature: string): boolean {
    return verify(null, Buffer.from(hashHex, 'hex'), this.#publicKey, Buffer.from(signature, 'base64'));
  }
}
