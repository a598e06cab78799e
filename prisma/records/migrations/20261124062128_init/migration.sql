-- CreateTable
CREATE TABLE "records" (
    "key" TEXT NOT NULL,
    "resource_type" TEXT NOT NULL,
    "resource_id" TEXT NOT NULL,
    "patient_id" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "sensitivity" TEXT,
    "source_org" TEXT NOT NULL,
    "last_updated" TIMESTAMPTZ(3) NOT NULL,
    "content_hash" TEXT NOT NULL,
    "resource" JSONB NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "records_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "records_patient_id_category_last_updated_idx" ON "records"("patient_id", "category", "last_updated");

-- CreateIndex
CREATE INDEX "records_patient_id_resource_type_idx" ON "records"("patient_id", "resource_type");
