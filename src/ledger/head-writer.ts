import { headDigest, type HeadCheckpoint, type LedgerHead } from './head-checkpoint.js';
import type { LedgerKey } from './ledger-key.js';

/**
 * Records the embedded ledger's head in its checkpoint after commits, group-committed:
 * while one write is under way, later heads wait and only the newest is written next, so
 * a burst of commits costs one checkpoint write per round trip, not one per commit.
 */
export class HeadWriter {
  readonly #checkpoint: HeadCheckpoint;
  readonly #ledgerId: string;
  readonly #key: LedgerKey;
  #pending: LedgerHead | null = null;
  #waiters: { height: number; resolve: () => void }[] = [];
  #busy = false;
  #idle: Promise<void> = Promise.resolve();
  #settle: (() => void) | null = null;

  constructor(checkpoint: HeadCheckpoint, ledgerId: string, key: LedgerKey) {
    this.#checkpoint = checkpoint;
    this.#ledgerId = ledgerId;
    this.#key = key;
  }

  /** Resolves once a head at least as high as `head` has been recorded (or its write has failed). */
  advance(head: LedgerHead): Promise<void> {
    if (this.#pending === null || head.height > this.#pending.height) this.#pending = head;
    const recorded = new Promise<void>((resolve) => this.#waiters.push({ height: head.height, resolve }));
    this.#kick();
    return recorded;
  }

  /** Resolves when no write is under way or waiting. */
  idle(): Promise<void> {
    return this.#idle;
  }

  #kick(): void {
    if (this.#busy) return;
    this.#busy = true;
    if (this.#settle === null) this.#idle = new Promise((resolve) => (this.#settle = resolve));
    // #drain never rejects.
    void this.#drain().finally(() => {
      this.#busy = false;
      if (this.#pending !== null) {
        this.#kick();
        return;
      }
      const settle = this.#settle;
      this.#settle = null;
      settle?.();
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending !== null) {
      const head = this.#pending;
      this.#pending = null;
      const signature = this.#key.sign(headDigest(this.#ledgerId, head));
      try {
        await this.#checkpoint.record(this.#ledgerId, { ...head, signature });
      } catch {
        // The checkpoint reports its own failures; the next commit records a newer head.
      }
      this.#waiters = this.#waiters.filter((w) => {
        if (w.height > head.height) return true;
        w.resolve();
        return false;
      });
    }
  }
}
