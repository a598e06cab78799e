import { certificateHash, type LogInvoker } from './log-entry.js';

/** An invoker's certificate as an entry names it, or why it cannot be had. */
export type ResolvedCertificate = { readonly pem: string } | { readonly problem: string };

/**
 * The invoker certificates a log has carried so far, by hash. An entry names its invoker's
 * certificate by hash and carries it only the first time (see `LogInvoker`), so reading an
 * entry needs the certificates of the entries before it: from the log itself on a full
 * replay, from the state snapshot when only the log's tail is replayed.
 */
export class LogCertificates {
  readonly #byHash = new Map<string, string>();
  /** The hash of each certificate known, so a log repeating one hashes it once. */
  readonly #hashes = new Map<string, string>();

  /** Every certificate known, once each. */
  get pems(): string[] {
    return [...this.#byHash.values()];
  }

  has(hash: string): boolean {
    return this.#byHash.has(hash);
  }

  /** Keeps a certificate; returns its hash. */
  add(pem: string): string {
    const known = this.#hashes.get(pem);
    if (known !== undefined) return known;
    const hash = certificateHash(pem);
    this.#byHash.set(hash, pem);
    this.#hashes.set(pem, hash);
    return hash;
  }

  /**
   * The certificate `invoker` names: the one it carries (which must have the hash it is named
   * by), else one an earlier entry carried.
   */
  resolve(invoker: LogInvoker): ResolvedCertificate {
    if (!('certificateHash' in invoker)) return { pem: invoker.certificate };
    if (invoker.certificate !== undefined) {
      if (certificateHash(invoker.certificate) !== invoker.certificateHash) {
        return { problem: 'invoker certificate does not match the hash it is named by' };
      }
      return { pem: invoker.certificate };
    }
    const known = this.#byHash.get(invoker.certificateHash);
    if (known === undefined) {
      return { problem: `invoker certificate ${invoker.certificateHash} is not in the log before it` };
    }
    return { pem: known };
  }
}
