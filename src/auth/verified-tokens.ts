import type { Principal } from '../domain/principal.js';

interface Verified {
  readonly principal: Principal;
  /** The token's `exp`, in ms: the entry is never used at or after it. */
  readonly expiresAtMs: number;
}

/**
 * Tokens whose signature and claims verified, by their exact text, until their `exp`: a
 * client sending the same bearer token with every request pays one signature check, not
 * one per request. Bounded: the least recently used entry goes first. Only what the token
 * itself proves is kept; anything that can change while it is valid (which jurisdictions
 * vouch for a patient) is checked by the caller on every use.
 */
export class VerifiedTokens {
  readonly #max: number;
  readonly #entries = new Map<string, Verified>();

  constructor(max: number) {
    this.#max = max;
  }

  /** The principal a token verified to, while `nowMs` is before its `exp`. */
  get(token: string, nowMs: number): Principal | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    this.#entries.delete(token);
    if (nowMs >= entry.expiresAtMs) return undefined;
    // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
    this.#entries.set(token, entry);
    return entry.principal;
  }

  set(token: string, principal: Principal, expSeconds: number): void {
    if (this.#max <= 0) return;
    this.#entries.delete(token);
    this.#entries.set(token, { principal, expiresAtMs: expSeconds * 1000 });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
