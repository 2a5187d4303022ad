import type { LiveEvent } from "@/lib/events.ts";
import type { WireReading } from "@/lib/reading.ts";

export type ConnectionState = "connecting" | "live" | "reconnecting";
type Listener = (readings: WireReading[]) => void;

const BACKFILL = 100;
const RETRY_MS = 2000;

/**
 * The page's one EventSource on /api/stream, shared by every panel. The browser resumes it
 * with Last-Event-ID after a network error; when the server answers with an error instead
 * (and EventSource gives up) it is reopened here from the last id received, so a panel never
 * misses a reading.
 */
export class LiveStream {
  private source: EventSource | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly eventListeners = new Set<(event: LiveEvent) => void>();
  private readonly stateListeners = new Set<() => void>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private lastId: string | undefined;
  /** Readings arrive one event at a time; panels get them batched per animation frame. */
  private batch: WireReading[] = [];
  private flushScheduled = false;
  state: ConnectionState = "connecting";

  constructor(private readonly baseUrl = "/api/stream") {}

  /** Opens the stream with the newest `backfill` readings first (0: only what comes next). */
  start(backfill = BACKFILL): void {
    this.open(`${this.baseUrl}?backfill=${backfill}`);
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = undefined;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Status, command and alarm changes, as they come. */
  subscribeEvents(listener: (event: LiveEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  subscribeState(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private open(url: string): void {
    const source = new EventSource(url);
    this.source = source;
    source.onopen = () => this.setState("live");
    source.addEventListener("reading", (e) => {
      const event = e as MessageEvent<string>;
      this.lastId = event.lastEventId;
      this.batch.push(JSON.parse(event.data) as WireReading);
      this.scheduleFlush();
    });
    for (const type of ["status", "command", "alarm"]) {
      source.addEventListener(type, (e) => {
        const event = JSON.parse((e as MessageEvent<string>).data) as LiveEvent;
        for (const listener of this.eventListeners) listener(event);
      });
    }
    source.onerror = () => {
      this.setState("reconnecting");
      if (source.readyState !== EventSource.CLOSED) return; // the browser retries by itself
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(async () => {
        // The server refused the stream: if the session is over, sign in again.
        const me = await fetch("/api/auth/me", { cache: "no-store" }).catch(() => null);
        if (me?.status === 401) {
          window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
          return;
        }
        if (this.source !== source) return;
        const resume = this.lastId ? `last_event_id=${this.lastId}` : `backfill=${BACKFILL}`;
        this.open(`${this.baseUrl}?${resume}`);
      }, RETRY_MS);
    };
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const flush = () => {
      this.flushScheduled = false;
      const readings = this.batch;
      this.batch = [];
      for (const listener of this.listeners) listener(readings);
    };
    // Hidden tabs get no animation frames; a timer keeps them current.
    if (typeof document !== "undefined" && document.visibilityState === "visible") {
      requestAnimationFrame(flush);
    } else setTimeout(flush, 50);
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const l of this.stateListeners) l();
  }
}
