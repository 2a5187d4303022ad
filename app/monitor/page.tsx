import type { Metadata } from "next";
import { Monitor } from "@/components/monitor/Monitor.tsx";
import { requirePageOperator } from "@/lib/auth/page-session.ts";
import "./monitor.css";

export const metadata: Metadata = { title: "Monitor · BoCloud" };

export default async function MonitorPage() {
  const { username, role } = await requirePageOperator("/monitor");
  return <Monitor operator={{ username, role }} />;
}
