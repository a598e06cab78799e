-- CreateTable
CREATE TABLE "access_codes" (
    "id" TEXT NOT NULL,
    "patient_id" TEXT NOT NULL,
    "code_hash" TEXT NOT NULL,
    "organisation_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "failed_attempts" INTEGER NOT NULL DEFAULT 0,
    "locked_at" TIMESTAMPTZ(3),

    CONSTRAINT "access_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "care_relationships" (
    "id" TEXT NOT NULL,
    "patient_id" TEXT NOT NULL,
    "organisation_id" TEXT NOT NULL,
    "opened_by" TEXT NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "access_code_id" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "open_tx_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "end_tx_id" TEXT,

    CONSTRAINT "care_relationships_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "access_codes_patient_id_expires_at_idx" ON "access_codes"("patient_id", "expires_at");

-- CreateIndex
CREATE INDEX "care_relationships_patient_id_idx" ON "care_relationships"("patient_id");
