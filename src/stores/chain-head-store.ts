import type { PrismaClient } from '../generated/control/client.js';

/** The control plane's row for the audit chain's checkpoint. */
export const AUDIT_CHAIN = 'audit';

/** An embedded ledger's head as checkpointed: height, head hash and the ledger key's signature. */
export interface StoredLedgerHead {
  readonly height: number;
  readonly hash: string;
  readonly signature: string | null;
  readonly updatedAt: Date;
}

/** The audit chain's checkpoint: its last event, and the newest batch anchored on the ledger. */
export interface AuditChainCheckpoint {
  readonly seq: bigint;
  readonly hash: string;
  readonly anchoredSeq: bigint | null;
  readonly anchorTxId: string | null;
  readonly anchorBlock: bigint | null;
}

/**
 * Chain heads kept in the control plane, outside the chains they describe (the table
 * `chain_heads`): an embedded ledger's head, and the audit chain's (which the audit log
 * moves itself, in the transaction of every append).
 */
export class ChainHeadStore {
  readonly #prisma: PrismaClient;

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  /** The recorded head of the embedded ledger named `ledgerId`, or null when none is recorded. */
  async ledgerHead(ledgerId: string): Promise<StoredLedgerHead | null> {
    const row = await this.#prisma.chainHead.findUnique({ where: { chain: ledgerChain(ledgerId) } });
    if (row === null) return null;
    return { height: Number(row.seq), hash: row.hash, signature: row.signature, updatedAt: row.updatedAt };
  }

  /** Records the ledger's head; an older head never replaces a newer one. One statement. */
  async recordLedgerHead(ledgerId: string, head: { height: number; hash: string; signature: string }): Promise<void> {
    const chain = ledgerChain(ledgerId);
    const seq = BigInt(head.height);
    await this.#prisma.$executeRaw`
      INSERT INTO chain_heads (chain, seq, hash, signature, updated_at)
      VALUES (${chain}, ${seq}, ${head.hash}, ${head.signature}, now())
      ON CONFLICT (chain) DO UPDATE
        SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, signature = EXCLUDED.signature, updated_at = EXCLUDED.updated_at
        WHERE chain_heads.seq < EXCLUDED.seq`;
  }

  /** The audit chain's checkpoint; null when its row is missing (it is created by the migration). */
  async auditHead(): Promise<AuditChainCheckpoint | null> {
    const row = await this.#prisma.chainHead.findUnique({ where: { chain: AUDIT_CHAIN } });
    if (row === null) return null;
    return {
      seq: row.seq,
      hash: row.hash,
      anchoredSeq: row.anchoredSeq,
      anchorTxId: row.anchorTxId,
      anchorBlock: row.anchorBlock,
    };
  }
}

function ledgerChain(ledgerId: string): string {
  return `ledger:${ledgerId}`;
}
