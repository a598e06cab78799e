import {
  CircuitState,
  ConsecutiveBreaker,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import type { RedisCallConfig } from '../config/config.js';

export interface CallGuardOptions extends RedisCallConfig {
  /** The breaker opened: calls fail at once until a probe succeeds. */
  readonly onOpen?: () => void;
  /** A probe succeeded: calls go through again. */
  readonly onClose?: () => void;
}

/**
 * Bounds the calls to one outside service that must never hold a request up (Redis).
 * Each call races a timer of its own that wins against a server that accepted the
 * command and never answers (node-redis stops timing a command once it is on the
 * socket); after `breakerFailures` failures in a row the breaker opens and calls fail at
 * once, and every `breakerRetryMs` one call probes the service (callers arriving during
 * the probe wait for it, so no call waits longer than two deadlines).
 */
export class CallGuard {
  readonly #breaker: CircuitBreakerPolicy;
  readonly #policy: IPolicy;

  constructor(options: Readonly<CallGuardOptions>) {
    this.#breaker = circuitBreaker(handleAll, {
      halfOpenAfter: options.breakerRetryMs,
      breaker: new ConsecutiveBreaker(options.breakerFailures),
    });
    if (options.onOpen) this.#breaker.onBreak(options.onOpen);
    if (options.onClose) this.#breaker.onReset(options.onClose);
    // Aggressive: the timer's rejection wins the race; the abandoned call settles later unobserved.
    this.#policy = wrap(this.#breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
  }

  /** Runs `call` within the deadline. @throws when it fails, times out, or the breaker is open. */
  run<T>(call: () => Promise<T>): Promise<T> {
    return this.#policy.execute(() => call());
  }

  /** True while the breaker is open or probing: the service failed repeatedly and is bypassed. */
  get degraded(): boolean {
    return this.#breaker.state !== CircuitState.Closed;
  }
}
