-- CreateTable
CREATE TABLE "policy_versions" (
    "jurisdiction" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "document" JSONB NOT NULL,
    "content_hash" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "approver" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "approved_at" TIMESTAMPTZ(3),
    "activated_at" TIMESTAMPTZ(3),
    "record_tx_id" TEXT NOT NULL,
    "approve_tx_id" TEXT,
    "activate_tx_id" TEXT,

    CONSTRAINT "policy_versions_pkey" PRIMARY KEY ("jurisdiction","version")
);

-- CreateIndex
CREATE INDEX "policy_versions_status_idx" ON "policy_versions"("status");
