-- One name, one meaning: `device_id` / `gateway_id` are the text ids the API uses; the internal
-- numeric keys that point at devices and gateways become `device_key` / `gateway_key` (renamed in
-- place, no data moves). The SQL functions that name those columns are recreated.

ALTER TABLE "sensors" RENAME COLUMN "device_id" TO "device_key";
ALTER TABLE "readings" RENAME COLUMN "device_id" TO "device_key";
ALTER TABLE "commands" RENAME COLUMN "device_id" TO "device_key";
ALTER TABLE "devices" RENAME COLUMN "gateway_id" TO "gateway_key";

ALTER INDEX "sensors_device_id_type_key" RENAME TO "sensors_device_key_type_key";
ALTER INDEX "readings_device_id_ts_id_idx" RENAME TO "readings_device_key_ts_id_idx";
ALTER INDEX "commands_device_id_status_id_idx" RENAME TO "commands_device_key_status_id_idx";
ALTER INDEX "devices_gateway_id_idx" RENAME TO "devices_gateway_key_idx";

ALTER TABLE "sensors" RENAME CONSTRAINT "sensors_device_id_fkey" TO "sensors_device_key_fkey";
ALTER TABLE "readings" RENAME CONSTRAINT "readings_device_id_fkey" TO "readings_device_key_fkey";
ALTER TABLE "commands" RENAME CONSTRAINT "commands_device_id_fkey" TO "commands_device_key_fkey";
ALTER TABLE "devices" RENAME CONSTRAINT "devices_gateway_id_fkey" TO "devices_gateway_key_fkey";

CREATE OR REPLACE FUNCTION bocloud_take_commands(p_device_ids text[], p_redeliver boolean)
RETURNS TABLE (
    id bigint, device_id text, name text, params jsonb, status "CommandStatus", result jsonb,
    created_at timestamptz, expires_at timestamptz, delivered_at timestamptz, completed_at timestamptz
)
LANGUAGE sql AS $$
    UPDATE commands c SET status = 'delivered', delivered_at = COALESCE(c.delivered_at, now())
    FROM devices d
    WHERE c.device_key = d.id AND d.device_id = ANY(p_device_ids)
      AND (c.status = 'queued' OR (p_redeliver AND c.status = 'delivered'))
      AND (c.expires_at IS NULL OR c.expires_at > now())
    RETURNING c.id, d.device_id, c.name, c.params, c.status, c.result,
              c.created_at, c.expires_at, c.delivered_at, c.completed_at
$$;

-- One request's readings: the p_r_* arrays hold one element per reading, in the request's
-- order. Marks the devices seen and online (registering new ones when p_register), creates
-- sensors on first use, takes the devices' pending commands, and inserts the readings under
-- the advisory lock 1114588012, so ids are consecutive, follow the input order and commit in
-- id order. Returns {missing} when a device is not registered (and p_register is false), or
-- {devices: [{device_id, old_status}], sensor_ids, ids, commands}.
CREATE OR REPLACE FUNCTION bocloud_store_readings(
    p_device_ids text[], p_register boolean, p_received_at timestamptz,
    p_r_device text[], p_r_type text[], p_r_num float8[], p_r_text text[], p_r_bool boolean[],
    p_r_ts timestamptz[]
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_missing text;
    v_devices jsonb;
    v_sensor_ids bigint[];
    v_ids bigint[];
    v_commands jsonb;
BEGIN
    IF NOT p_register THEN
        SELECT x INTO v_missing FROM unnest(p_device_ids) AS x
        WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.device_id = x) LIMIT 1;
        IF v_missing IS NOT NULL THEN
            RETURN jsonb_build_object('missing', v_missing);
        END IF;
    END IF;

    -- Sorted, so two requests that name the same devices lock their rows in the same order.
    -- The subquery in RETURNING reads the statement's snapshot: the status before the update.
    IF p_register THEN
        WITH up AS (
            INSERT INTO devices (device_id, name, last_seen_at, status)
            SELECT x, x, p_received_at, 'online' FROM unnest(p_device_ids) AS x ORDER BY x
            ON CONFLICT (device_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, status = 'online'
            RETURNING devices.device_id, (SELECT o.status::text FROM devices o WHERE o.id = devices.id) AS old_status
        )
        SELECT jsonb_agg(jsonb_build_object('device_id', up.device_id, 'old_status', up.old_status)) INTO v_devices FROM up;
    ELSE
        WITH up AS (
            UPDATE devices SET last_seen_at = p_received_at, status = 'online'
            WHERE devices.device_id = ANY(p_device_ids)
            RETURNING devices.device_id, (SELECT o.status::text FROM devices o WHERE o.id = devices.id) AS old_status
        )
        SELECT jsonb_agg(jsonb_build_object('device_id', up.device_id, 'old_status', up.old_status)) INTO v_devices FROM up;
    END IF;

    INSERT INTO sensors (device_key, type)
    SELECT DISTINCT d.id, r.t
    FROM unnest(p_r_device, p_r_type) AS r(dev, t)
    JOIN devices d ON d.device_id = r.dev
    WHERE NOT EXISTS (SELECT 1 FROM sensors s WHERE s.device_key = d.id AND s.type = r.t)
    ORDER BY 1, 2
    ON CONFLICT (device_key, type) DO NOTHING;

    SELECT array_agg(s.id ORDER BY r.ord) INTO v_sensor_ids
    FROM unnest(p_r_device, p_r_type) WITH ORDINALITY AS r(dev, t, ord)
    JOIN devices d ON d.device_id = r.dev
    JOIN sensors s ON s.device_key = d.id AND s.type = r.t;

    SELECT COALESCE(jsonb_agg(to_jsonb(c) ORDER BY c.id), '[]'::jsonb) INTO v_commands
    FROM bocloud_take_commands(p_device_ids, false) AS c;

    PERFORM pg_advisory_xact_lock(1114588012);
    WITH inserted AS (
        INSERT INTO readings (sensor_id, device_key, num_value, text_value, bool_value, ts, received_at)
        SELECT s.id, d.id, r.n, r.txt, r.b, r.ts, p_received_at
        FROM unnest(p_r_device, p_r_type, p_r_num, p_r_text, p_r_bool, p_r_ts)
             WITH ORDINALITY AS r(dev, t, n, txt, b, ts, ord)
        JOIN devices d ON d.device_id = r.dev
        JOIN sensors s ON s.device_key = d.id AND s.type = r.t
        ORDER BY r.ord
        RETURNING readings.id
    )
    SELECT array_agg(inserted.id ORDER BY inserted.id) INTO v_ids FROM inserted;

    RETURN jsonb_build_object(
        'devices', v_devices, 'sensor_ids', to_jsonb(v_sensor_ids), 'ids', to_jsonb(v_ids),
        'commands', v_commands
    );
END
$$;
