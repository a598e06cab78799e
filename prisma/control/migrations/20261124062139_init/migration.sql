-- CreateTable
CREATE TABLE "organisations" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "jurisdiction" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organisations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patient_locations" (
    "global_id" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "local_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "patient_locations_pkey" PRIMARY KEY ("global_id","region")
);

-- CreateTable
CREATE TABLE "personas" (
    "name" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "organisation_id" TEXT NOT NULL,
    "patient_id" TEXT,

    CONSTRAINT "personas_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "patient_locations_region_local_id_key" ON "patient_locations"("region", "local_id");

-- AddForeignKey
ALTER TABLE "personas" ADD CONSTRAINT "personas_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
