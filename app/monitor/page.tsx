import type { Metadata } from "next";
import { Monitor } from "@/components/monitor/Monitor.tsx";
import "./monitor.css";

export const metadata: Metadata = { title: "Monitor · BoCloud" };

export default function MonitorPage() {
  return <Monitor />;
}
