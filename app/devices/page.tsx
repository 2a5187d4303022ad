import type { Metadata } from "next";
import { DeviceRegistry } from "@/components/devices/DeviceRegistry.tsx";
import { requirePageOperator } from "@/lib/auth/page-session.ts";
import { config } from "@/lib/config.ts";
import "../monitor/monitor.css";
import "./devices.css";

export const metadata: Metadata = { title: "Devices · BoCloud" };

export default async function DevicesPage() {
  const { username, role } = await requirePageOperator("/devices");
  return (
    <DeviceRegistry operator={{ username, role }} connect={{ mqttPort: config().MQTT_PORT }} />
  );
}
