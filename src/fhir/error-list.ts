import { MeridianError } from '../domain/errors.js';

const DEFAULT_MAX_ERRORS = 100;

/** Collects errors for the whole bundle, keeping the first `max` and counting the rest. */
export class ErrorList {
  readonly #max: number;
  readonly messages: string[] = [];
  count = 0;

  constructor(max: number = DEFAULT_MAX_ERRORS) {
    this.#max = max;
  }

  add(message: string): void {
    this.count++;
    if (this.messages.length < this.#max) this.messages.push(message);
  }

  /** Throws BAD_USER_INPUT listing the errors, if there are any. */
  throwIfAny(): void {
    if (this.count === 0) return;
    const more = this.count - this.messages.length;
    throw new MeridianError(
      'BAD_USER_INPUT',
      `invalid FHIR bundle: ${this.count} error${this.count === 1 ? '' : 's'}, the first: ${this.messages[0] ?? ''}`,
      { errors: [...this.messages, ...(more > 0 ? [`… and ${more} more`] : [])], errorCount: this.count },
    );
  }
}
