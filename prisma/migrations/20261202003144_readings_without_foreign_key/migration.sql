-- DropForeignKey
ALTER TABLE "readings" DROP CONSTRAINT "readings_sensor_id_fkey";

-- The foreign key's check ran as a trigger for every reading inserted: 11 µs a row here, more
-- than the rest of the insert (6.5 µs). Nothing else needs it: readings are only written by
-- bocloud_store, which takes the sensor from a join with its device, whose row it holds locked
-- (a device deleted meanwhile waits for the store's commit, or the store finds no device). What
-- the key's ON DELETE CASCADE did, a statement trigger does: a sensor's readings go with it.
CREATE FUNCTION bocloud_forget_sensor_readings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM readings r USING gone_sensors g WHERE r.sensor_id = g.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER "sensors_forget_readings" AFTER DELETE ON "sensors"
    REFERENCING OLD TABLE AS gone_sensors
    FOR EACH STATEMENT EXECUTE FUNCTION bocloud_forget_sensor_readings();

-- The store, as in the lean_readings migration, but with the devices locked before they are
-- checked (a device deleted between the check and the insert left a request stored in part),
-- and a reading that finds no sensor failing the statement, where the foreign key did.
CREATE OR REPLACE FUNCTION bocloud_store(
    p_auth text[], p_credential text[], p_received_at timestamptz[],
    p_r_req int[], p_r_device text[], p_r_type text[], p_r_num float8[], p_r_text text[],
    p_r_bool boolean[], p_r_ts timestamptz[]
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_kind text[];
    v_device text[];
    v_gateway bigint[];
    v_gateway_id text[];
    v_failures jsonb[];
    v_failed boolean[];
    v_register text[];
    v_existing text[];
    v_register_seen timestamptz[];
    v_existing_seen timestamptz[];
    v_devices jsonb;
    v_ok_devices text[];
    v_ids bigint[];
    v_sensor_ids bigint[];
    v_commands jsonb;
BEGIN
    -- The devices named, locked first (in device_id order, so concurrent batches never deadlock
    -- on them): one deleted meanwhile is either gone before the checks below or waits for the
    -- commit, so a request is refused or stored whole, never stored in part.
    PERFORM 1 FROM devices d WHERE d.device_id = ANY(p_r_device) ORDER BY d.device_id FOR UPDATE;

    -- Who wrote each request: a device (device_id), a gateway (key and id), anyone, or nobody.
    SELECT array_agg(w.kind ORDER BY q.i), array_agg(w.device ORDER BY q.i),
           array_agg(w.gateway ORDER BY q.i), array_agg(w.gateway_id ORDER BY q.i)
    INTO v_kind, v_device, v_gateway, v_gateway_id
    FROM unnest(p_auth, p_credential) WITH ORDINALITY AS q(auth, cred, i)
    LEFT JOIN LATERAL (
        SELECT 'open'::text AS kind, NULL::text AS device, NULL::bigint AS gateway, NULL::text AS gateway_id
        WHERE q.auth = 'open'
        UNION ALL SELECT 'device', d.device_id, NULL, NULL FROM devices d
        WHERE q.auth = 'token' AND d.token_hash = q.cred
        UNION ALL SELECT 'gateway', NULL, g.id, g.gateway_id FROM gateways g
        WHERE q.auth = 'token' AND g.token_hash = q.cred
        UNION ALL SELECT 'device', q.cred, NULL, NULL WHERE q.auth = 'device'
        UNION ALL SELECT 'gateway', NULL, g.id, g.gateway_id FROM gateways g
        WHERE q.auth = 'gateway' AND g.gateway_id = q.cred
    ) w ON true;

    -- The first reason each request may not be stored, if any (in the order of its readings).
    SELECT array_agg(f.failure ORDER BY q.i), array_agg(f.failure IS NOT NULL ORDER BY q.i)
    INTO v_failures, v_failed
    FROM generate_subscripts(p_auth, 1) AS q(i)
    LEFT JOIN (
        SELECT x.req, (array_agg(x.failure ORDER BY x.ord) FILTER (WHERE x.failure IS NOT NULL))[1]
            AS failure
        FROM (
            SELECT r.req, r.ord, CASE
                WHEN v_kind[r.req] IS NULL THEN jsonb_build_object('kind', 'unauthorized')
                WHEN v_kind[r.req] = 'device' AND r.dev <> v_device[r.req]
                    THEN jsonb_build_object('kind', 'forbidden', 'device', r.dev)
                WHEN v_kind[r.req] = 'device' AND d.id IS NULL
                    THEN jsonb_build_object('kind', 'missing', 'device', r.dev)
                WHEN v_kind[r.req] = 'gateway' AND d.gateway_key IS DISTINCT FROM v_gateway[r.req]
                    THEN jsonb_build_object('kind', 'forbidden', 'device', r.dev,
                                            'gateway', v_gateway_id[r.req])
            END AS failure
            FROM unnest(p_r_req, p_r_device) WITH ORDINALITY AS r(req, dev, ord)
            LEFT JOIN devices d ON d.device_id = r.dev
        ) x
        GROUP BY x.req
    ) f ON f.req = q.i;

    -- The devices of the requests that may be stored: seen now and online (registered first in
    -- open mode), with the status they had.
    SELECT array_agg(n.dev ORDER BY n.dev) FILTER (WHERE n.register),
           array_agg(n.dev ORDER BY n.dev) FILTER (WHERE NOT n.register),
           array_agg(n.seen ORDER BY n.dev) FILTER (WHERE n.register),
           array_agg(n.seen ORDER BY n.dev) FILTER (WHERE NOT n.register)
    INTO v_register, v_existing, v_register_seen, v_existing_seen
    FROM (
        SELECT r.dev, max(p_received_at[r.req]) AS seen, bool_or(v_kind[r.req] = 'open') AS register
        FROM unnest(p_r_req, p_r_device) AS r(req, dev)
        WHERE NOT v_failed[r.req]
        GROUP BY r.dev
    ) n;
    WITH registered AS (
        INSERT INTO devices AS d (device_id, name, last_seen_at, status)
        SELECT dev, dev, seen, 'online' FROM unnest(v_register, v_register_seen) AS x(dev, seen)
        ORDER BY dev
        ON CONFLICT (device_id) DO UPDATE
            SET last_seen_at = greatest(d.last_seen_at, EXCLUDED.last_seen_at), status = 'online'
        RETURNING d.device_id, (SELECT o.status::text FROM devices o WHERE o.id = d.id) AS old_status
    ),
    updated AS (
        UPDATE devices d SET last_seen_at = greatest(d.last_seen_at, x.seen), status = 'online'
        FROM unnest(v_existing, v_existing_seen) AS x(dev, seen)
        WHERE d.device_id = x.dev
        RETURNING d.device_id, (SELECT o.status::text FROM devices o WHERE o.id = d.id) AS old_status
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object('device_id', x.device_id, 'old_status', x.old_status)), '[]'),
           array_agg(x.device_id)
    INTO v_devices, v_ok_devices
    FROM (SELECT * FROM registered UNION ALL SELECT * FROM updated) x;

    INSERT INTO sensors (device_key, type)
    SELECT DISTINCT d.id, r.t
    FROM unnest(p_r_req, p_r_device, p_r_type) AS r(req, dev, t)
    JOIN devices d ON d.device_id = r.dev
    WHERE NOT v_failed[r.req]
      AND NOT EXISTS (SELECT 1 FROM sensors s WHERE s.device_key = d.id AND s.type = r.t)
    ORDER BY 1, 2
    ON CONFLICT (device_key, type) DO NOTHING;

    SELECT coalesce(jsonb_agg(to_jsonb(c) ORDER BY c.id), '[]'::jsonb) INTO v_commands
    FROM bocloud_take_commands(coalesce(v_ok_devices, '{}'), false) AS c;

    -- The table's statement trigger announces the ids this takes (bocloud_reading_horizon).
    WITH inserted AS (
        INSERT INTO readings (sensor_id, num_value, text_value, bool_value, ts, received_at)
        SELECT s.id, r.n, r.txt, r.b, coalesce(r.ts, p_received_at[r.req]),
               CASE WHEN r.ts IS NOT NULL THEN p_received_at[r.req] END
        FROM unnest(p_r_req, p_r_device, p_r_type, p_r_num, p_r_text, p_r_bool, p_r_ts)
             WITH ORDINALITY AS r(req, dev, t, n, txt, b, ts, ord)
        JOIN devices d ON d.device_id = r.dev
        JOIN sensors s ON s.device_key = d.id AND s.type = r.t
        WHERE NOT v_failed[r.req]
        ORDER BY r.ord
        RETURNING readings.id, readings.sensor_id
    )
    -- Ids are taken in the order of the rows, so sorted they follow the input.
    SELECT array_agg(inserted.id ORDER BY inserted.id), array_agg(inserted.sensor_id ORDER BY inserted.id)
    INTO v_ids, v_sensor_ids FROM inserted;
    IF coalesce(array_length(v_ids, 1), 0)
       <> (SELECT count(*) FROM unnest(p_r_req) AS r(req) WHERE NOT v_failed[r.req]) THEN
        -- Cannot happen with the devices locked above; if it did, the caller tries again.
        RAISE EXCEPTION 'bocloud_store: a reading found no sensor' USING ERRCODE = '40001';
    END IF;

    RETURN jsonb_build_object(
        'failures', to_jsonb(v_failures), 'devices', v_devices,
        'ids', coalesce(to_jsonb(v_ids), '[]'), 'sensor_ids', coalesce(to_jsonb(v_sensor_ids), '[]'),
        'commands', v_commands
    );
END
$$;
