-- CreateTable
CREATE TABLE "record_anchor_batches" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "merkle_root" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "tx_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "record_anchor_batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "record_anchors" (
    "batch_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "leaf_index" INTEGER NOT NULL,

    CONSTRAINT "record_anchors_pkey" PRIMARY KEY ("batch_id","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "record_anchor_batches_seq_key" ON "record_anchor_batches"("seq");

-- CreateIndex
CREATE INDEX "record_anchors_key_idx" ON "record_anchors"("key");

-- AddForeignKey
ALTER TABLE "record_anchors" ADD CONSTRAINT "record_anchors_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "record_anchor_batches"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
