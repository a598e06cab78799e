/** Bounds of an exponential backoff. */
export interface BackoffOptions {
  /** The first wait's upper bound, in milliseconds. */
  readonly baseMs: number;
  /** No wait is longer. */
  readonly maxMs: number;
}

/**
 * The wait before retry number `attempt` (0 first): exponential with "equal jitter", a random
 * point in the upper half of `min(maxMs, baseMs * 2^attempt)`, so retries of many gateways after
 * one outage spread out while each still waits at least half its step.
 */
export function backoffDelay(attempt: number, options: Readonly<BackoffOptions>, random = Math.random): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + random() * (step / 2));
}
