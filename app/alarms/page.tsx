import type { Metadata } from "next";
import { AlarmsAdmin } from "@/components/alarms/AlarmsAdmin.tsx";
import { requirePageOperator } from "@/lib/auth/page-session.ts";
import "../monitor/monitor.css";
import "../devices/devices.css";

export const metadata: Metadata = { title: "Alarms · BoCloud" };

export default async function AlarmsPage() {
  const { username, role } = await requirePageOperator("/alarms");
  return <AlarmsAdmin operator={{ username, role }} />;
}
