"use client";

import { useCallback, useEffect, useState } from "react";
import type { WireDevice } from "@/lib/devices/wire.ts";
import { fetchJson } from "../monitor/format.ts";

/**
 * The devices of /api/devices, loaded on mount. `loaded` is false until the first answer;
 * `reload` loads them again and never rejects: a failure is in `error`.
 */
export function useDevices(): {
  devices: WireDevice[];
  loaded: boolean;
  error: string | null;
  reload: (signal?: AbortSignal) => Promise<void>;
} {
  const [devices, setDevices] = useState<WireDevice[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async (signal?: AbortSignal) => {
    try {
      const body = await fetchJson<{ devices: WireDevice[] }>("/api/devices", signal);
      setDevices(body.devices);
      setLoaded(true);
      setError(null);
    } catch (err) {
      if (!signal?.aborted) setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    const abort = new AbortController();
    void reload(abort.signal);
    return () => abort.abort();
  }, [reload]);

  return { devices, loaded, error, reload };
}
