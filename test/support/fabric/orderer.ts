import type { Ledger } from './ledger.js';
import type { SubmittedTransaction } from './submitted-transaction.js';

/**
 * Orders submitted transactions into blocks. By default each transaction becomes its own block,
 * committed on a later turn of the event loop: like Fabric's orderer, Submit is answered before
 * the commit, so clients must wait for commit status. A test can hold transactions and cut them
 * into one block to get several transactions (and events) per block.
 */
export class Orderer {
  readonly #ledger: Ledger;
  #pending: SubmittedTransaction[] = [];
  #holding = false;
  #scheduled: NodeJS.Immediate | undefined;

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
  }

  broadcast(transaction: SubmittedTransaction): void {
    this.#pending.push(transaction);
    if (!this.#holding) {
      this.#scheduled ??= setImmediate(() => {
        this.#scheduled = undefined;
        this.#cutOneBlockEach();
      });
    }
  }

  /** Keeps submitted transactions pending until cutBlock(). */
  hold(): void {
    this.#holding = true;
  }

  /** Commits every pending transaction, in submission order, as one block; resumes one block per transaction. */
  cutBlock(): number | undefined {
    this.#holding = false;
    const transactions = this.#takePending();
    return transactions.length > 0 ? this.#ledger.commitBlock(transactions).number : undefined;
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  stop(): void {
    clearImmediate(this.#scheduled);
    this.#pending = [];
  }

  #cutOneBlockEach(): void {
    if (!this.#holding) {
      this.#takePending().forEach((transaction) => this.#ledger.commitBlock([transaction]));
    }
  }

  #takePending(): SubmittedTransaction[] {
    const transactions = this.#pending;
    this.#pending = [];
    return transactions;
  }
}
