-- CreateTable
CREATE TABLE "notification_channels" (
    "id" TEXT NOT NULL,
    "patient_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "sealed_secret" TEXT NOT NULL,
    "every_access" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "removed_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" TEXT NOT NULL,
    "audit_event_id" TEXT NOT NULL,
    "patient_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_deliveries" (
    "notification_id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "last_error" TEXT,

    CONSTRAINT "notification_deliveries_pkey" PRIMARY KEY ("notification_id","channel_id")
);

-- CreateIndex
CREATE INDEX "notification_channels_patient_id_idx" ON "notification_channels"("patient_id");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_audit_event_id_key" ON "notifications"("audit_event_id");

-- CreateIndex
CREATE INDEX "notifications_patient_id_created_at_idx" ON "notifications"("patient_id", "created_at");

-- CreateIndex
CREATE INDEX "notification_deliveries_next_attempt_at_idx" ON "notification_deliveries"("next_attempt_at");

-- AddForeignKey
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_notification_id_fkey" FOREIGN KEY ("notification_id") REFERENCES "notifications"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "notification_channels"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
