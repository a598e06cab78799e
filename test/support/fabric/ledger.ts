import { peer } from '@hyperledger/fabric-protos';
import type { EndorsingPeer } from './endorsing-peer.js';
import type { SubmittedTransaction } from './submitted-transaction.js';
import { WorldState } from './world-state.js';

const Code = peer.TxValidationCode;

export type TxValidationCode = peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap];

/** A transaction as its block records it: invalid ones stay in the block, with their code, but change nothing. */
export interface CommittedTransaction {
  readonly txId: string;
  readonly blockNumber: number;
  readonly code: TxValidationCode;
  /** Emitted only when the transaction is VALID. */
  readonly event: peer.ChaincodeEvent | null;
}

export interface Block {
  readonly number: number;
  readonly transactions: readonly CommittedTransaction[];
}

type BlockListener = (block: Block) => void;

/**
 * The channel's blocks and world state on the gateway's peer, with the committer's validation:
 * endorsement check, then MVCC (each read version must still be current, including against
 * writes of earlier valid transactions in the same block). Block 0 is the genesis block.
 */
export class Ledger {
  readonly #endorser: EndorsingPeer;
  readonly #blocks: Block[] = [{ number: 0, transactions: [] }];
  /** First occurrence of each transaction id, as Fabric's block index keeps it. */
  readonly #transactions = new Map<string, CommittedTransaction>();
  readonly #listeners = new Set<BlockListener>();
  #state = new WorldState();

  constructor(endorser: EndorsingPeer) {
    this.#endorser = endorser;
  }

  get height(): number {
    return this.#blocks.length;
  }

  /** The committed state now; later commits do not change the returned snapshot. */
  get state(): WorldState {
    return this.#state;
  }

  blocksFrom(blockNumber: number): readonly Block[] {
    return this.#blocks.slice(blockNumber);
  }

  transaction(txId: string): CommittedTransaction | undefined {
    return this.#transactions.get(txId);
  }

  /** Listens for each block as it is committed; returns the unsubscribe function. */
  onBlock(listener: BlockListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once `txId` is committed (at once if it already is); rejects when `signal` aborts. */
  waitForTransaction(txId: string, signal: AbortSignal): Promise<CommittedTransaction> {
    const committed = this.transaction(txId);
    if (committed) {
      return Promise.resolve(committed);
    }
    return new Promise((resolve, reject) => {
      const stop = (): void => {
        unsubscribe();
        reject(new Error(`stopped waiting for transaction ${txId}`));
      };
      const unsubscribe = this.onBlock(() => {
        const transaction = this.transaction(txId);
        if (transaction) {
          unsubscribe();
          signal.removeEventListener('abort', stop);
          resolve(transaction);
        }
      });
      signal.addEventListener('abort', stop, { once: true });
    });
  }

  /** Validates `transactions` in order and commits them as the next block. */
  commitBlock(transactions: readonly SubmittedTransaction[]): Block {
    const blockNumber = this.height;
    const inBlock = new Set<string>();
    const writtenInBlock = new Set<string>();
    const committed = transactions.map((transaction, txNumber): CommittedTransaction => {
      const duplicate = inBlock.has(transaction.txId) || this.#transactions.has(transaction.txId);
      inBlock.add(transaction.txId);
      const code = duplicate ? Code.DUPLICATE_TXID : this.#validate(transaction, writtenInBlock);
      if (code === Code.VALID) {
        this.#state = this.#state.apply(transaction.rwset.writes, { blockNumber, txNumber });
        transaction.rwset.writes.forEach((write) => writtenInBlock.add(write.key));
      }
      return { txId: transaction.txId, blockNumber, code, event: code === Code.VALID ? transaction.event : null };
    });
    const block: Block = { number: blockNumber, transactions: committed };
    this.#blocks.push(block);
    committed
      .filter((transaction) => !this.#transactions.has(transaction.txId) && transaction.code !== Code.DUPLICATE_TXID)
      .forEach((transaction) => this.#transactions.set(transaction.txId, transaction));
    [...this.#listeners].forEach((listener) => {
      listener(block);
    });
    return block;
  }

  #validate(transaction: SubmittedTransaction, writtenInBlock: ReadonlySet<string>): TxValidationCode {
    if (!this.#endorser.hasEndorsed(transaction.proposalResponsePayload, transaction.endorsements)) {
      return Code.ENDORSEMENT_POLICY_FAILURE;
    }
    // Like Fabric, any key an earlier valid transaction of this block wrote or deleted is a conflict,
    // even where the versions alone would not show it (a delete leaves no version behind).
    const stale = transaction.rwset.reads.some(
      (read) => writtenInBlock.has(read.key) || (this.#state.get(read.key)?.version ?? null) !== read.version,
    );
    return stale ? Code.MVCC_READ_CONFLICT : Code.VALID;
  }
}
