"use client";

import { useEffect, useState } from "react";
import type { WireReading } from "@/lib/reading.ts";
import { formatValue } from "../monitor/format.ts";
import type { LiveStream } from "../monitor/live-stream.ts";

/** Where a device reaches BoCloud: this page's origin for HTTP, MQTT_PORT on its host for MQTT. */
export interface ConnectTarget {
  mqttPort: number;
}

/** The shell commands that connect a device (its token, or a placeholder once it is not shown). */
export function connectCommands(opts: {
  origin: string;
  host: string;
  mqttPort: number;
  deviceId: string;
  token: string | null;
}): { curl: string; publish: string; commands: string } {
  const token = opts.token ?? "<token>";
  const mqtt = `-h ${opts.host} -p ${opts.mqttPort} -u '${token}' -q 1`;
  const body = JSON.stringify({ device_id: opts.deviceId, sensors: { temperature: 21.5 } });
  return {
    curl: `curl -X POST '${opts.origin}/api/data' -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '${body}'`,
    publish: `mosquitto_pub ${mqtt} -t v1/devices/me/telemetry -m '{"temperature": 21.5}'`,
    commands: `mosquitto_sub ${mqtt} -t 'v1/devices/me/rpc/request/+' -v`,
  };
}

function Command({ label, text, testId }: { label: string; text: string; testId: string }) {
  return (
    <div className="connect-command">
      <div className="connect-command-head">
        <span>{label}</span>
        <button type="button" onClick={() => navigator.clipboard?.writeText(text)}>
          Copy
        </button>
      </div>
      <pre data-testid={testId}>{text}</pre>
    </div>
  );
}

/**
 * How to connect a device, ready to copy: right after it is created (or its token rotated),
 * with its token; later, from its row, with a placeholder. Says when its first reading arrives.
 */
export function ConnectHelp(props: {
  deviceId: string;
  token: string | null;
  target: ConnectTarget;
  live: LiveStream;
  onClose: () => void;
}) {
  const { deviceId, live } = props;
  const [latest, setLatest] = useState<WireReading | null>(null);
  const [where, setWhere] = useState<{ origin: string; host: string } | null>(null);
  useEffect(() => setWhere({ origin: location.origin, host: location.hostname }), []);
  useEffect(() => {
    setLatest(null);
    return live.subscribe((readings) => {
      const mine = readings.filter((r) => r.device_id === deviceId).at(-1);
      if (mine) setLatest(mine);
    });
  }, [live, deviceId]);
  if (!where) return null;
  const commands = connectCommands({ ...where, ...props.target, deviceId, token: props.token });

  return (
    <section className="connect-help" aria-label={`Connect ${deviceId}`}>
      <h2>
        Connect <strong>{deviceId}</strong>
      </h2>
      {props.token ? (
        <p>
          Its token is shown only now: copy it into the device (or one of these commands).
          <code data-testid="new-token">{props.token}</code>
        </p>
      ) : (
        <p className="muted">
          Its token was shown once, when it was made: put it in place of &lt;token&gt;, or rotate it
          for a new one.
        </p>
      )}
      <Command label="HTTP (curl)" text={commands.curl} testId="connect-curl" />
      <Command label="MQTT (mosquitto_pub)" text={commands.publish} testId="connect-mqtt" />
      <Command
        label="Its commands (mosquitto_sub)"
        text={commands.commands}
        testId="connect-commands"
      />
      <p className="connect-status" role="status" data-testid="connect-status">
        {latest
          ? `Live: ${latest.sensor_type} = ${formatValue(latest.value)} just arrived.`
          : "Waiting for its first reading…"}
      </p>
      <div className="secret-actions">
        <button type="button" onClick={props.onClose}>
          Done
        </button>
      </div>
    </section>
  );
}
