-- DropIndex
DROP INDEX "patient_locations_region_local_id_key";

-- AlterTable
ALTER TABLE "patient_locations" DROP CONSTRAINT "patient_locations_pkey",
ADD CONSTRAINT "patient_locations_pkey" PRIMARY KEY ("region", "local_id");

-- CreateTable
CREATE TABLE "patient_identifiers" (
    "identifier_hash" TEXT NOT NULL,
    "global_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "patient_identifiers_pkey" PRIMARY KEY ("identifier_hash")
);

-- CreateTable
CREATE TABLE "patient_match_reviews" (
    "id" TEXT NOT NULL,
    "global_id" TEXT NOT NULL,
    "candidate_id" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "local_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolution" TEXT,
    "resolved_by" TEXT,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "patient_match_reviews_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patient_index_events" (
    "seq" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "global_id" TEXT NOT NULL,
    "other_id" TEXT,
    "body" JSONB NOT NULL,

    CONSTRAINT "patient_index_events_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "patient_identifiers_global_id_idx" ON "patient_identifiers"("global_id");

-- CreateIndex
CREATE INDEX "patient_match_reviews_resolution_created_at_idx" ON "patient_match_reviews"("resolution", "created_at");

-- CreateIndex
CREATE INDEX "patient_index_events_global_id_idx" ON "patient_index_events"("global_id");

-- CreateIndex
CREATE INDEX "patient_locations_global_id_idx" ON "patient_locations"("global_id");
