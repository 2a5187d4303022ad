-- AlterTable
ALTER TABLE "devices" ADD COLUMN     "connected_until" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "mqtt_connections" (
    "id" UUID NOT NULL,
    "server_id" TEXT NOT NULL,
    "device_key" BIGINT,
    "gateway_key" BIGINT,
    "client_id" TEXT NOT NULL,
    "connected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "mqtt_connections_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "mqtt_connections_device_key_idx" ON "mqtt_connections"("device_key");

-- CreateIndex
CREATE INDEX "mqtt_connections_gateway_key_idx" ON "mqtt_connections"("gateway_key");

-- CreateIndex
CREATE INDEX "mqtt_connections_lease_expires_at_idx" ON "mqtt_connections"("lease_expires_at");

-- AddForeignKey
ALTER TABLE "mqtt_connections" ADD CONSTRAINT "mqtt_connections_device_key_fkey" FOREIGN KEY ("device_key") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mqtt_connections" ADD CONSTRAINT "mqtt_connections_gateway_key_fkey" FOREIGN KEY ("gateway_key") REFERENCES "gateways"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand (schema.prisma cannot say it): the MQTT process's connection records.
-- Each function locks the row of the connection's owner (its device, or its gateway) first, so
-- the connects and disconnects of one owner, on any number of mqtt processes, happen one at a
-- time and each sees the others' committed rows.

-- A connection opens. {"missing": true}: no such device (open mode, before its first post) or
-- gateway. {"refused": true}: the owner holds p_max live connections already. Otherwise the
-- connection is recorded under a lease of p_lease_seconds, and a device's is marked online and
-- connected: {"device_id", "came_online", "last_seen_at"}.
CREATE OR REPLACE FUNCTION bocloud_mqtt_connect(
    p_id uuid, p_server text, p_client text, p_device_id text, p_gateway_key bigint,
    p_max integer, p_lease_seconds integer
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_device bigint;
    v_status text;
    v_live integer;
    v_seen timestamptz;
BEGIN
    IF p_device_id IS NOT NULL THEN
        SELECT d.id, d.status::text INTO v_device, v_status
        FROM devices d WHERE d.device_id = p_device_id FOR UPDATE;
        IF NOT FOUND THEN
            RETURN jsonb_build_object('missing', true);
        END IF;
        SELECT count(*) INTO v_live FROM mqtt_connections c
        WHERE c.device_key = v_device AND c.lease_expires_at > now();
    ELSE
        PERFORM 1 FROM gateways g WHERE g.id = p_gateway_key FOR UPDATE;
        IF NOT FOUND THEN
            RETURN jsonb_build_object('missing', true);
        END IF;
        SELECT count(*) INTO v_live FROM mqtt_connections c
        WHERE c.gateway_key = p_gateway_key AND c.device_key IS NULL AND c.lease_expires_at > now();
    END IF;
    IF v_live >= p_max THEN
        RETURN jsonb_build_object('refused', true);
    END IF;

    INSERT INTO mqtt_connections (id, server_id, client_id, device_key, gateway_key, lease_expires_at)
    VALUES (p_id, p_server, p_client, v_device, CASE WHEN v_device IS NULL THEN p_gateway_key END,
            now() + make_interval(secs => p_lease_seconds));
    IF v_device IS NULL THEN
        RETURN '{}'::jsonb;
    END IF;
    UPDATE devices d SET status = 'online', last_seen_at = now(),
        connected_until = GREATEST(d.connected_until, now() + make_interval(secs => p_lease_seconds))
    WHERE d.id = v_device
    RETURNING d.last_seen_at INTO v_seen;
    RETURN jsonb_build_object(
        'device_id', p_device_id, 'came_online', v_status <> 'online', 'last_seen_at', v_seen);
END
$$;

-- A connection closed (clean disconnect, dropped, keepalive timeout, kicked). A device with no
-- other live connection goes offline at once: {"device_id", "went_offline", "last_seen_at"};
-- '{}' otherwise (a gateway's, another connection holds the device, or the record is gone).
CREATE OR REPLACE FUNCTION bocloud_mqtt_disconnect(p_id uuid) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_device bigint;
    v_device_id text;
    v_status text;
    v_seen timestamptz;
BEGIN
    SELECT c.device_key INTO v_device FROM mqtt_connections c WHERE c.id = p_id;
    IF NOT FOUND THEN
        RETURN '{}'::jsonb;
    END IF;
    IF v_device IS NOT NULL THEN
        SELECT d.device_id, d.status::text INTO v_device_id, v_status
        FROM devices d WHERE d.id = v_device FOR UPDATE;
    END IF;
    DELETE FROM mqtt_connections c WHERE c.id = p_id;
    IF v_device_id IS NULL OR EXISTS (
        SELECT 1 FROM mqtt_connections c WHERE c.device_key = v_device AND c.lease_expires_at > now()
    ) THEN
        RETURN '{}'::jsonb;
    END IF;
    UPDATE devices d SET status = 'offline', connected_until = NULL, last_seen_at = now()
    WHERE d.id = v_device
    RETURNING d.last_seen_at INTO v_seen;
    RETURN jsonb_build_object(
        'device_id', v_device_id, 'went_offline', v_status = 'online', 'last_seen_at', v_seen);
END
$$;

-- The connections one process still holds: their leases, and their devices' connected_until,
-- move on. A device the sweeper marked offline meanwhile (the database was away for longer than
-- the lease) is online again. Returns {"missing": [ids of connections no longer recorded: their
-- device or gateway was deleted], "came_online": [{"device_id", "last_seen_at"}]}. Records whose
-- lease ended a day ago (of processes that died) are deleted.
CREATE OR REPLACE FUNCTION bocloud_mqtt_renew(p_ids uuid[], p_lease_seconds integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_until timestamptz := now() + make_interval(secs => p_lease_seconds);
    v_renewed uuid[];
    v_devices bigint[];
    v_online jsonb;
BEGIN
    WITH renewed AS (
        UPDATE mqtt_connections c SET lease_expires_at = v_until
        WHERE c.id = ANY(p_ids)
        RETURNING c.id, c.device_key
    )
    SELECT array_agg(r.id), array_agg(DISTINCT r.device_key) FILTER (WHERE r.device_key IS NOT NULL)
    INTO v_renewed, v_devices FROM renewed r;

    -- Locked in device_id order, as the store path locks them.
    WITH locked AS (
        SELECT d.id, d.status::text AS old_status FROM devices d
        WHERE d.id = ANY(v_devices)
          AND (d.status <> 'online' OR d.connected_until IS NULL OR d.connected_until < v_until)
        ORDER BY d.device_id FOR UPDATE
    ), updated AS (
        UPDATE devices d SET connected_until = v_until, status = 'online'
        FROM locked l WHERE d.id = l.id
        RETURNING d.device_id, d.last_seen_at, l.old_status
    )
    SELECT COALESCE(jsonb_agg(jsonb_build_object('device_id', u.device_id, 'last_seen_at', u.last_seen_at))
                    FILTER (WHERE u.old_status <> 'online'), '[]'::jsonb)
    INTO v_online FROM updated u;

    DELETE FROM mqtt_connections c WHERE c.lease_expires_at < now() - interval '1 day';

    RETURN jsonb_build_object(
        'missing', COALESCE(to_jsonb(ARRAY(
            SELECT x FROM unnest(p_ids) AS x WHERE x <> ALL(COALESCE(v_renewed, '{}'::uuid[])))), '[]'::jsonb),
        'came_online', v_online);
END
$$;
