-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN     "patient_commitment" TEXT;

-- CreateTable
CREATE TABLE "patient_keys" (
    "global_id" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "legacy_ledger_ref" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "patient_keys_pkey" PRIMARY KEY ("global_id")
);

-- CreateTable
CREATE TABLE "erasures" (
    "id" TEXT NOT NULL,
    "patient_id" TEXT,
    "requested_by" TEXT NOT NULL,
    "basis" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL,
    "ledger_tx_id" TEXT,
    "completed_at" TIMESTAMPTZ(3),
    "receipt" JSONB,

    CONSTRAINT "erasures_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "erasures_patient_id_idx" ON "erasures"("patient_id");

-- Patients already in the index get their own key (two v4 UUIDs from the server's strong random
-- source: 244 random bits), known to the ledger by their global id.
INSERT INTO "patient_keys" ("global_id", "secret", "legacy_ledger_ref")
SELECT DISTINCT ON ("global_id") "global_id", replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), true
FROM "patient_locations"
ON CONFLICT DO NOTHING;
