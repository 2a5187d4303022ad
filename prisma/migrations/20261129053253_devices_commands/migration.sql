-- CreateEnum
CREATE TYPE "DeviceStatus" AS ENUM ('online', 'offline');

-- CreateEnum
CREATE TYPE "CommandStatus" AS ENUM ('queued', 'delivered', 'succeeded', 'failed', 'expired');

-- AlterTable
ALTER TABLE "devices" ADD COLUMN     "gateway_id" BIGINT,
ADD COLUMN     "offline_after_seconds" INTEGER,
ADD COLUMN     "retention_days" INTEGER,
ADD COLUMN     "status" "DeviceStatus" NOT NULL DEFAULT 'offline',
ADD COLUMN     "token_hash" TEXT;

-- CreateTable
CREATE TABLE "gateways" (
    "id" BIGSERIAL NOT NULL,
    "gateway_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gateways_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "commands" (
    "id" BIGSERIAL NOT NULL,
    "device_id" BIGINT NOT NULL,
    "name" TEXT NOT NULL,
    "params" JSONB NOT NULL DEFAULT '{}',
    "status" "CommandStatus" NOT NULL DEFAULT 'queued',
    "result" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "commands_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "gateways_gateway_id_key" ON "gateways"("gateway_id");

-- CreateIndex
CREATE UNIQUE INDEX "gateways_token_hash_key" ON "gateways"("token_hash");

-- CreateIndex
CREATE INDEX "commands_device_id_status_id_idx" ON "commands"("device_id", "status", "id");

-- CreateIndex
CREATE INDEX "commands_status_expires_at_idx" ON "commands"("status", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "devices_token_hash_key" ON "devices"("token_hash");

-- CreateIndex
CREATE INDEX "devices_gateway_id_idx" ON "devices"("gateway_id");

-- AddForeignKey
ALTER TABLE "devices" ADD CONSTRAINT "devices_gateway_id_fkey" FOREIGN KEY ("gateway_id") REFERENCES "gateways"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "commands" ADD CONSTRAINT "commands_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;
