-- CreateEnum
CREATE TYPE "AlarmRuleKind" AS ENUM ('threshold', 'silence');

-- CreateEnum
CREATE TYPE "AlarmSeverity" AS ENUM ('critical', 'major', 'minor', 'warning');

-- CreateEnum
CREATE TYPE "AlarmStatus" AS ENUM ('active', 'acknowledged', 'cleared');

-- CreateEnum
CREATE TYPE "WebhookFormat" AS ENUM ('standard', 'slack');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('pending', 'delivered', 'failed');

-- CreateTable
CREATE TABLE "alarm_rules" (
    "id" BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "AlarmRuleKind" NOT NULL,
    "severity" "AlarmSeverity" NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "device_key" BIGINT,
    "sensor_type" TEXT,
    "condition" JSONB,
    "for_seconds" INTEGER NOT NULL DEFAULT 0,
    "clear_condition" JSONB,
    "clear_for_seconds" INTEGER NOT NULL DEFAULT 0,
    "silence_seconds" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alarm_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alarms" (
    "id" BIGSERIAL NOT NULL,
    "rule_id" BIGINT,
    "rule_name" TEXT NOT NULL,
    "kind" "AlarmRuleKind" NOT NULL,
    "severity" "AlarmSeverity" NOT NULL,
    "status" "AlarmStatus" NOT NULL DEFAULT 'active',
    "device_key" BIGINT NOT NULL,
    "sensor_id" BIGINT,
    "open_key" TEXT,
    "count" INTEGER NOT NULL DEFAULT 1,
    "first_value" JSONB,
    "last_value" JSONB,
    "started_ts" TIMESTAMPTZ(3) NOT NULL,
    "last_ts" TIMESTAMPTZ(3) NOT NULL,
    "cleared_ts" TIMESTAMPTZ(3),
    "raised_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by" TEXT,
    "ack_note" TEXT,
    "cleared_at" TIMESTAMPTZ(3),
    "cleared_by" TEXT,
    "clear_note" TEXT,

    CONSTRAINT "alarms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alarm_states" (
    "rule_id" BIGINT NOT NULL,
    "sensor_id" BIGINT NOT NULL,
    "pending_since" TIMESTAMPTZ(3),
    "clearing_since" TIMESTAMPTZ(3),

    CONSTRAINT "alarm_states_pkey" PRIMARY KEY ("rule_id","sensor_id")
);

-- CreateTable
CREATE TABLE "alarm_cursor" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "last_reading_id" BIGINT NOT NULL,
    "changes" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "alarm_cursor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhooks" (
    "id" BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "format" "WebhookFormat" NOT NULL DEFAULT 'standard',
    "rule_id" BIGINT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "webhook_id" BIGINT NOT NULL,
    "alarm_id" BIGINT,
    "message_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_status" INTEGER,
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "alarm_rules_device_key_idx" ON "alarm_rules"("device_key");

-- CreateIndex
CREATE INDEX "alarm_rules_sensor_type_idx" ON "alarm_rules"("sensor_type");

-- CreateIndex
CREATE UNIQUE INDEX "alarms_open_key_key" ON "alarms"("open_key");

-- CreateIndex
CREATE INDEX "alarms_status_id_idx" ON "alarms"("status", "id");

-- CreateIndex
CREATE INDEX "alarms_device_key_id_idx" ON "alarms"("device_key", "id");

-- CreateIndex
CREATE INDEX "alarms_rule_id_sensor_id_cleared_at_idx" ON "alarms"("rule_id", "sensor_id", "cleared_at");

-- CreateIndex
CREATE INDEX "alarms_sensor_id_started_ts_idx" ON "alarms"("sensor_id", "started_ts");

-- CreateIndex
CREATE INDEX "alarm_states_sensor_id_idx" ON "alarm_states"("sensor_id");

-- CreateIndex
CREATE INDEX "webhooks_rule_id_idx" ON "webhooks"("rule_id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_message_id_key" ON "webhook_deliveries"("message_id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_webhook_id_id_idx" ON "webhook_deliveries"("status", "webhook_id", "id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_webhook_id_id_idx" ON "webhook_deliveries"("webhook_id", "id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_alarm_id_idx" ON "webhook_deliveries"("alarm_id");

-- AddForeignKey
ALTER TABLE "alarm_rules" ADD CONSTRAINT "alarm_rules_device_key_fkey" FOREIGN KEY ("device_key") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alarms" ADD CONSTRAINT "alarms_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alarm_rules"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alarms" ADD CONSTRAINT "alarms_device_key_fkey" FOREIGN KEY ("device_key") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alarms" ADD CONSTRAINT "alarms_sensor_id_fkey" FOREIGN KEY ("sensor_id") REFERENCES "sensors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alarm_states" ADD CONSTRAINT "alarm_states_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alarm_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alarm_states" ADD CONSTRAINT "alarm_states_sensor_id_fkey" FOREIGN KEY ("sensor_id") REFERENCES "sensors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alarm_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_alarm_id_fkey" FOREIGN KEY ("alarm_id") REFERENCES "alarms"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Written by hand: what schema.prisma cannot say.

-- A rule names its sensors (device and type, a type, or a device) and has what its kind needs.
ALTER TABLE "alarm_rules" ADD CONSTRAINT "alarm_rules_scope_check"
    CHECK ("device_key" IS NOT NULL OR "sensor_type" IS NOT NULL);
ALTER TABLE "alarm_rules" ADD CONSTRAINT "alarm_rules_kind_check"
    CHECK (("kind" = 'threshold' AND "condition" IS NOT NULL AND "silence_seconds" IS NULL)
        OR ("kind" = 'silence' AND "condition" IS NULL AND "silence_seconds" > 0));
ALTER TABLE "alarm_rules" ADD CONSTRAINT "alarm_rules_durations_check"
    CHECK ("for_seconds" >= 0 AND "clear_for_seconds" >= 0);
-- An open alarm has its key, a cleared one has none.
ALTER TABLE "alarms" ADD CONSTRAINT "alarms_open_key_check"
    CHECK (("status" = 'cleared') = ("open_key" IS NULL));

-- The evaluator's one row. Readings stored before alarms existed are not evaluated: it starts
-- after the newest one.
ALTER TABLE "alarm_cursor" ADD CONSTRAINT "alarm_cursor_one_row_check" CHECK ("id" = 1);
INSERT INTO "alarm_cursor" ("id", "last_reading_id") SELECT 1, COALESCE(max("id"), 0) FROM "readings";
