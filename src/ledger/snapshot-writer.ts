import type { Logger } from 'pino';
import { writeFileDurably } from './durable-file.js';

/**
 * Writes state snapshots to their file one at a time (each atomically: written, synced,
 * renamed over), off the commit path. A failed write is logged and leaves the previous
 * snapshot in place: a snapshot only spares a replay, so losing one loses nothing committed.
 */
export class SnapshotWriter {
  readonly #file: string;
  readonly #logger: Pick<Logger, 'warn'> | undefined;
  #writing: Promise<void> | null = null;
  #height: number;

  constructor(options: Readonly<{ file: string; height: number; logger?: Pick<Logger, 'warn'> }>) {
    this.#file = options.file;
    this.#height = options.height;
    this.#logger = options.logger;
  }

  /** The height of the newest snapshot written or being written. */
  get height(): number {
    return this.#height;
  }

  /** Whether a write is under way: the next one is then better left to a later commit. */
  get busy(): boolean {
    return this.#writing !== null;
  }

  /**
   * Encodes the snapshot at `height` now (so it holds the state as it is at this call), and
   * writes it after any write under way; never throws or rejects.
   */
  write(height: number, encode: () => string): Promise<void> {
    let text: string;
    try {
      text = encode();
    } catch (err) {
      this.#logger?.warn({ err, height }, 'the embedded ledger could not encode its state snapshot');
      return Promise.resolve();
    }
    const before = this.#height;
    this.#height = height;
    const previous = this.#writing ?? Promise.resolve();
    const writing: Promise<void> = previous
      .then(() => writeFileDurably(this.#file, text, 0o600))
      .catch((err: unknown) => {
        // Written again at the next interval or at shutdown.
        if (this.#height === height) this.#height = before;
        this.#logger?.warn({ err, height }, 'the embedded ledger could not write its state snapshot');
      })
      .finally(() => {
        if (this.#writing === writing) this.#writing = null;
      });
    this.#writing = writing;
    return writing;
  }

  /** Resolves when no write is under way. */
  async idle(): Promise<void> {
    while (this.#writing) await this.#writing;
  }
}
