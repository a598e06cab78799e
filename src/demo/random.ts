import { createHash } from 'node:crypto';

/** A weighted choice: `weight` is relative to the other weights of the list. */
export interface Weighted<T> {
  readonly value: T;
  readonly weight: number;
}

const DAY_MS = 86_400_000;

/**
 * A small seeded pseudo-random generator (sfc32). Not for secrets: demo data only,
 * where the same seed must always give the same data.
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number | string) {
    const bytes = createHash('sha256').update(String(seed)).digest();
    this.#a = bytes.readUInt32LE(0);
    this.#b = bytes.readUInt32LE(4);
    this.#c = bytes.readUInt32LE(8);
    this.#d = bytes.readUInt32LE(12);
    // sfc32 mixes poorly in its first outputs.
    for (let i = 0; i < 12; i++) this.next();
  }

  /**
   * An independent stream for one purpose (one patient, one region, ...): asking one
   * stream for more numbers never shifts another, so adding data keeps what exists.
   */
  static derive(...parts: readonly (string | number)[]): Random {
    return new Random(parts.join('\u001f'));
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max) rounded to `decimals` places. */
  float(min: number, max: number, decimals: number): number {
    const factor = 10 ** decimals;
    return Math.round((min + this.next() * (max - min)) * factor) / factor;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  weighted<T>(items: readonly Weighted<T>[]): T {
    const total = items.reduce((sum, item) => sum + item.weight, 0);
    let r = this.next() * total;
    for (const item of items) {
      r -= item.weight;
      if (r < 0) return item.value;
    }
    const last = items.at(-1);
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last.value;
  }

  /** Up to `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0)
      out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0] as T);
    return out;
  }

  /** A moment in [from, to), to the second. */
  dateBetween(from: Date, to: Date): Date {
    const span = Math.max(0, to.getTime() - from.getTime());
    return new Date(Math.floor((from.getTime() + this.next() * span) / 1000) * 1000);
  }

  /** A moment `minDays`..`maxDays` days after `from`, to the second. */
  daysAfter(from: Date, minDays: number, maxDays: number): Date {
    return this.dateBetween(new Date(from.getTime() + minDays * DAY_MS), new Date(from.getTime() + maxDays * DAY_MS));
  }
}

/** Lower-case hex of a stable hash of `parts`: ids derived from a seed, equal on every run. */
export function stableHex(length: number, ...parts: readonly (string | number)[]): string {
  return createHash('sha256').update(parts.join('\u001f')).digest('hex').slice(0, length);
}
