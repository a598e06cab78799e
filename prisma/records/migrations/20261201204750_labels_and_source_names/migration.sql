-- AlterTable: a record keeps every sensitivity label it carries (it was one), and the labels it had
ALTER TABLE "records" ADD COLUMN     "source_org_name" TEXT;
ALTER TABLE "records" ALTER COLUMN "sensitivity" TYPE TEXT[]
  USING CASE WHEN "sensitivity" IS NULL THEN ARRAY[]::TEXT[] ELSE ARRAY["sensitivity"] END;
ALTER TABLE "records" ALTER COLUMN "sensitivity" SET DEFAULT ARRAY[]::TEXT[];
