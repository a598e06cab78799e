import type { Logger } from 'pino';
import type { HeadCheckpoint, RecordedHead, SignedLedgerHead } from '../ledger/head-checkpoint.js';
import type { ChainHeadStore } from './chain-head-store.js';

/** Where the sources are named in messages. */
export const LEDGER_HEAD_SOURCE = "the control plane's ledger head checkpoint";
export const AUDIT_ANCHOR_SOURCE = "the control plane's newest anchored audit batch";

/**
 * The embedded ledger's head checkpoint in the control-plane database: the signed head the
 * ledger records after its commits, and the ledger position of the newest anchored audit
 * batch. Both live outside the ledger's folder, so cutting its log back is noticed at the next open.
 */
export class ControlPlaneHeadCheckpoint implements HeadCheckpoint {
  readonly #heads: ChainHeadStore;
  readonly #logger: Pick<Logger, 'error'> | undefined;

  constructor(heads: ChainHeadStore, logger?: Pick<Logger, 'error'>) {
    this.#heads = heads;
    this.#logger = logger;
  }

  async recorded(ledgerId: string): Promise<readonly RecordedHead[]> {
    const [ledger, audit] = await Promise.all([this.#heads.ledgerHead(ledgerId), this.#heads.auditHead()]);
    const heads: RecordedHead[] = [];
    if (ledger) {
      heads.push({
        source: LEDGER_HEAD_SOURCE,
        height: ledger.height,
        hash: ledger.hash,
        ...(ledger.signature !== null ? { signature: ledger.signature } : {}),
      });
    }
    if (audit?.anchorBlock != null && audit.anchorTxId !== null) {
      heads.push({ source: AUDIT_ANCHOR_SOURCE, height: Number(audit.anchorBlock), txId: audit.anchorTxId });
    }
    return heads;
  }

  async record(ledgerId: string, head: SignedLedgerHead): Promise<void> {
    try {
      await this.#heads.recordLedgerHead(ledgerId, head);
    } catch (err) {
      // The commit is durable in the log either way; a checkpoint behind the log is only less protection.
      this.#logger?.error({ err, height: head.height }, 'ledger head checkpoint could not be recorded');
    }
  }
}
