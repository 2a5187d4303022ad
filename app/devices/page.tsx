import type { Metadata } from "next";
import { DeviceRegistry } from "@/components/devices/DeviceRegistry.tsx";
import "../monitor/monitor.css";
import "./devices.css";

export const metadata: Metadata = { title: "Devices · BoCloud" };

export default function DevicesPage() {
  return <DeviceRegistry />;
}
