// Which PostgreSQL this install uses. DATABASE_URL decides when it is set (a URL, or
// `embedded`). Without it, the first run decides — the PostgreSQL on localhost if one answers,
// else an embedded one in the data folder — and the choice is kept there for every later start:
// an install that began on an external server never moves to an empty embedded one because its
// server is down one day (it waits for it, answering 503), and an embedded install keeps its data.
import { Socket } from "node:net";
import { DEFAULT_DATABASE_URL } from "../../lib/config.ts";
import type { Remembered } from "./data-dir.ts";

export type DatabaseChoice =
  | { kind: "external"; url: string; why: string }
  | { kind: "embedded"; why: string };

export interface ChoiceInputs {
  /** DATABASE_URL as set (undefined or empty: not configured). */
  configured: string | undefined;
  remembered: Remembered;
  /** The data folder already holds an embedded cluster. */
  embeddedDataExists: boolean;
  /** The server a first run without DATABASE_URL looks for. */
  localUrl: string;
  localServerAnswers: () => Promise<boolean>;
}

export interface Decision {
  choice: DatabaseChoice;
  /** What to keep in the data folder, when it changes. */
  remember?: Pick<Remembered, "database" | "url">;
  warning?: string;
}

const EMBEDDED_UNUSED =
  "DATABASE_URL is set, so the embedded PostgreSQL in the data folder (this install's database " +
  "until now) is not used.";

export async function decideDatabase(inputs: ChoiceInputs): Promise<Decision> {
  const { configured, remembered, embeddedDataExists, localUrl } = inputs;
  const wasEmbedded = remembered.database === "embedded" || embeddedDataExists;
  if (configured === "embedded") {
    return {
      choice: { kind: "embedded", why: "DATABASE_URL=embedded" },
      remember: remembered.database === "embedded" ? undefined : { database: "embedded" },
      warning:
        remembered.database === "external"
          ? `DATABASE_URL=embedded, but this install used the PostgreSQL at ${remembered.url} until now: its data stays there.`
          : undefined,
    };
  }
  if (configured) {
    return {
      choice: { kind: "external", url: configured, why: "DATABASE_URL" },
      warning: wasEmbedded ? EMBEDDED_UNUSED : undefined,
    };
  }
  if (wasEmbedded) {
    return {
      choice: { kind: "embedded", why: "this install's database since its first run" },
      remember: remembered.database === "embedded" ? undefined : { database: "embedded" },
    };
  }
  if (remembered.database === "external") {
    return {
      choice: {
        kind: "external",
        url: remembered.url ?? localUrl,
        why: "this install's database since its first run",
      },
    };
  }
  if (await inputs.localServerAnswers()) {
    return {
      choice: { kind: "external", url: localUrl, why: "first run: a PostgreSQL answers there" },
      remember: { database: "external", url: localUrl },
    };
  }
  return {
    choice: {
      kind: "embedded",
      why: `first run: no DATABASE_URL, and nothing answers at ${hostPort(localUrl)}`,
    },
    remember: { database: "embedded" },
  };
}

/** The server a first run looks for: the default URL, on PGPORT when that is set. */
export function localDatabaseUrl(env: Record<string, string | undefined>): string {
  const url = new URL(DEFAULT_DATABASE_URL);
  if (env.PGPORT && /^\d{1,5}$/.test(env.PGPORT)) url.port = env.PGPORT;
  return url.toString();
}

export function hostPort(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || 5432}`;
}

/** Whether anything accepts a TCP connection at the URL's host and port within `timeoutMs`. */
export function answers(url: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(Number(port || 5432), hostname, () => done(true));
  });
}
