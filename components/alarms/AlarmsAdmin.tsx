"use client";

import { useCallback, useEffect, useState } from "react";
import type { WireRule, WireWebhook } from "@/lib/alarms/wire.ts";
import { callApi } from "../devices/api.ts";
import { useDevices } from "../devices/use-devices.ts";
import { PageHeader } from "../forms/PageHeader.tsx";
import { HistorySection } from "./HistorySection.tsx";
import { RulesSection } from "./RulesSection.tsx";
import { WebhooksSection } from "./WebhooksSection.tsx";

/** /alarms: the rules, the webhooks (admins) and the history. */
export function AlarmsAdmin({ operator }: { operator: { username: string; role: string } }) {
  const admin = operator.role === "admin";
  const { devices } = useDevices();
  const [rules, setRules] = useState<WireRule[]>([]);
  const [webhooks, setWebhooks] = useState<WireWebhook[]>([]);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    setRules((await callApi<{ rules: WireRule[] }>("GET", "/api/alarm-rules")).rules);
    if (admin)
      setWebhooks((await callApi<{ webhooks: WireWebhook[] }>("GET", "/api/webhooks")).webhooks);
  }, [admin]);
  useEffect(() => {
    reload().catch((err: Error) => setError(err.message));
  }, [reload]);

  /** Runs a change, shows its error if any, reloads; true when it worked. */
  const act = async (action: () => Promise<unknown>): Promise<boolean> => {
    setError(null);
    let ok = true;
    try {
      await action();
    } catch (err) {
      setError((err as Error).message);
      ok = false;
    }
    await reload().catch(() => {});
    return ok;
  };

  return (
    <main className="registry">
      <PageHeader
        page="alarms"
        links={[
          { href: "/monitor", label: "Monitor" },
          { href: "/devices", label: "Devices" },
        ]}
        operator={operator}
        error={error}
      />
      {!admin && (
        <p className="notice">
          You are a viewer: you can see rules and alarms and acknowledge alarms on the monitor; only
          an admin can change rules and webhooks.
        </p>
      )}
      <RulesSection rules={rules} devices={devices} admin={admin} act={act} />
      {admin && <WebhooksSection webhooks={webhooks} rules={rules} act={act} />}
      <HistorySection devices={devices} />
    </main>
  );
}
