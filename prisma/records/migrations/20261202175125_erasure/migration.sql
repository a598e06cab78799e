-- AlterTable
ALTER TABLE "record_anchors" ADD COLUMN     "leaf_hash" TEXT;
