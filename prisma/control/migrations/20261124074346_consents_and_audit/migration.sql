-- CreateTable
CREATE TABLE "consents" (
    "id" TEXT NOT NULL,
    "patient_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "document" JSONB NOT NULL,
    "content_hash" TEXT NOT NULL,
    "granted_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "grant_tx_id" TEXT NOT NULL,
    "revoke_tx_id" TEXT,

    CONSTRAINT "consents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "seq" BIGSERIAL NOT NULL,
    "id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "patient_id" TEXT NOT NULL,
    "requester_org" TEXT NOT NULL,
    "requester_subject" TEXT NOT NULL,
    "requester_jurisdiction" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "break_glass" BOOLEAN NOT NULL DEFAULT false,
    "body" JSONB NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "batch_id" TEXT,
    "reviewed_at" TIMESTAMPTZ(3),
    "reviewed_by" TEXT,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "consents_patient_id_status_idx" ON "consents"("patient_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_id_key" ON "audit_events"("id");

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_hash_key" ON "audit_events"("hash");

-- CreateIndex
CREATE INDEX "audit_events_patient_id_at_idx" ON "audit_events"("patient_id", "at");

-- CreateIndex
CREATE INDEX "audit_events_requester_jurisdiction_at_idx" ON "audit_events"("requester_jurisdiction", "at");

-- CreateIndex
CREATE INDEX "audit_events_break_glass_reviewed_at_idx" ON "audit_events"("break_glass", "reviewed_at");

-- CreateIndex
CREATE INDEX "audit_events_batch_id_idx" ON "audit_events"("batch_id");
