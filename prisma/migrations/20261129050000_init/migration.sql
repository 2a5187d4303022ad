-- CreateTable
CREATE TABLE "devices" (
    "id" BIGSERIAL NOT NULL,
    "device_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3),

    CONSTRAINT "devices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sensors" (
    "id" BIGSERIAL NOT NULL,
    "device_id" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sensors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "readings" (
    "id" BIGSERIAL NOT NULL,
    "sensor_id" BIGINT NOT NULL,
    "device_id" BIGINT NOT NULL,
    "num_value" DOUBLE PRECISION,
    "text_value" TEXT,
    "bool_value" BOOLEAN,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "readings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "devices_device_id_key" ON "devices"("device_id");

-- CreateIndex
CREATE UNIQUE INDEX "sensors_device_id_type_key" ON "sensors"("device_id", "type");

-- CreateIndex
CREATE INDEX "readings_sensor_id_ts_id_idx" ON "readings"("sensor_id", "ts" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "readings_device_id_ts_id_idx" ON "readings"("device_id", "ts" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "sensors" ADD CONSTRAINT "sensors_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "readings" ADD CONSTRAINT "readings_sensor_id_fkey" FOREIGN KEY ("sensor_id") REFERENCES "sensors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "readings" ADD CONSTRAINT "readings_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Not expressible in schema.prisma: a reading holds exactly one value, of the JSON type the device sent.
ALTER TABLE "readings" ADD CONSTRAINT "readings_one_value_check" CHECK (num_nonnulls("num_value", "text_value", "bool_value") = 1);
