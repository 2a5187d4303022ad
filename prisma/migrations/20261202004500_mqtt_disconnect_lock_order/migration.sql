-- A disconnect locked the device, then the connection row (its DELETE); a lease renewal locks
-- connection rows (its UPDATE), then their devices: the two could deadlock, and the disconnect
-- lost, the device stayed online until its lease ran out. Now the disconnect locks the
-- connection first, in the renewal's order.
CREATE OR REPLACE FUNCTION bocloud_mqtt_disconnect(p_id uuid) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_device bigint;
    v_device_id text;
    v_status text;
    v_seen timestamptz;
BEGIN
    SELECT c.device_key INTO v_device FROM mqtt_connections c WHERE c.id = p_id FOR UPDATE;
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
