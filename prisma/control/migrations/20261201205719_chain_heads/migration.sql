-- CreateTable
CREATE TABLE "chain_heads" (
    "chain" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "signature" TEXT,
    "anchored_seq" BIGINT,
    "anchor_tx_id" TEXT,
    "anchor_block" BIGINT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "chain_heads_pkey" PRIMARY KEY ("chain")
);
-- The audit chain's checkpoint starts at the chain's current head: every append locks and
-- moves this row, and a missing row stops appends instead of silently starting a new head.
INSERT INTO "chain_heads" ("chain", "seq", "hash", "updated_at")
SELECT 'audit',
       COALESCE((SELECT "seq" FROM "audit_events" ORDER BY "seq" DESC LIMIT 1), 0),
       COALESCE((SELECT "hash" FROM "audit_events" ORDER BY "seq" DESC LIMIT 1), repeat('0', 64)),
       CURRENT_TIMESTAMP;
