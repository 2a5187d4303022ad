import { z } from "zod";

// The monitor's layout: which panels are open and where. Kept in localStorage under a
// versioned key; anything unreadable falls back to the default layout.

export const LAYOUT_STORAGE_KEY = "bocloud.monitor.layout.v1";
const LAYOUT_VERSION = 1;
export const GRID_COLS = 12;

const position = {
  x: z
    .number()
    .int()
    .min(0)
    .max(GRID_COLS - 1),
  y: z.number().int().min(0).max(10_000),
  w: z.number().int().min(1).max(GRID_COLS),
  h: z.number().int().min(2).max(200),
};

const panelSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("stream"), id: z.literal("stream"), ...position }),
  z.object({ kind: z.literal("devices"), id: z.literal("devices"), ...position }),
  z.object({ kind: z.literal("commands"), id: z.literal("commands"), ...position }),
  z.object({ kind: z.literal("alarms"), id: z.literal("alarms"), ...position }),
  z.object({
    kind: z.literal("compare"),
    id: z.literal("compare"),
    sensorIds: z.array(z.number().int().positive()).max(8),
    ...position,
  }),
  z.object({
    kind: z.literal("device"),
    id: z.string(),
    deviceId: z.string().min(1).max(64),
    ...position,
  }),
  z.object({
    kind: z.literal("sensor"),
    id: z.string(),
    sensorId: z.number().int().positive(),
    ...position,
  }),
]);

export type Panel = z.infer<typeof panelSchema>;
export type PanelPosition = Pick<Panel, "x" | "y" | "w" | "h">;

const layoutSchema = z.object({
  version: z.literal(LAYOUT_VERSION),
  panels: z
    .array(panelSchema)
    .max(50)
    .refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, "panel ids must be unique"),
});

export type MonitorLayout = z.infer<typeof layoutSchema>;

export function defaultLayout(): MonitorLayout {
  return {
    version: LAYOUT_VERSION,
    panels: [
      { kind: "stream", id: "stream", x: 0, y: 0, w: 8, h: 12 },
      { kind: "devices", id: "devices", x: 8, y: 0, w: 4, h: 12 },
      { kind: "alarms", id: "alarms", x: 0, y: 12, w: 6, h: 9 },
      { kind: "commands", id: "commands", x: 6, y: 12, w: 6, h: 9 },
    ],
  };
}

/** Parses a stored or imported layout; null when it is not one this version understands. */
export function parseLayout(json: string | null): MonitorLayout | null {
  if (!json) return null;
  try {
    const result = layoutSchema.safeParse(JSON.parse(json));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

export function loadLayout(storage: Pick<Storage, "getItem">): MonitorLayout {
  try {
    return parseLayout(storage.getItem(LAYOUT_STORAGE_KEY)) ?? defaultLayout();
  } catch {
    return defaultLayout(); // storage itself unavailable (privacy mode)
  }
}

export function saveLayout(storage: Pick<Storage, "setItem">, layout: MonitorLayout): void {
  try {
    storage.setItem(LAYOUT_STORAGE_KEY, JSON.stringify(layout));
  } catch {
    // Full or unavailable storage: the layout just is not kept.
  }
}

export type PanelRequest =
  | { kind: "stream" | "devices" | "commands" | "alarms" | "compare" }
  | { kind: "device"; deviceId: string }
  | { kind: "sensor"; sensorId: number };

function panelId(req: PanelRequest): string {
  if (req.kind === "device") return `device:${req.deviceId}`;
  if (req.kind === "sensor") return `sensor:${req.sensorId}`;
  return req.kind;
}

const NEW_PANEL_SIZE = { w: 6, h: 10 };

function overlaps(a: PanelPosition, b: PanelPosition): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** The first free spot for a new panel, scanning top to bottom, left to right. */
function freeSpot(panels: readonly PanelPosition[]): PanelPosition {
  for (let y = 0; ; y++) {
    for (let x = 0; x + NEW_PANEL_SIZE.w <= GRID_COLS; x += NEW_PANEL_SIZE.w) {
      const spot = { x, y, ...NEW_PANEL_SIZE };
      if (!panels.some((p) => overlaps(p, spot))) return spot;
    }
  }
}

/** Opens a panel in the first free spot, or leaves the layout as it is when it is open already. */
export function openPanel(layout: MonitorLayout, req: PanelRequest): MonitorLayout {
  const id = panelId(req);
  if (layout.panels.some((p) => p.id === id)) return layout;
  const spot = freeSpot(layout.panels);
  const panel: Panel =
    req.kind === "device"
      ? { kind: "device", id, deviceId: req.deviceId, ...spot }
      : req.kind === "sensor"
        ? { kind: "sensor", id, sensorId: req.sensorId, ...spot }
        : req.kind === "compare"
          ? { kind: "compare", id: "compare", sensorIds: [], ...spot }
          : ({ kind: req.kind, id: req.kind, ...spot } as Panel);
  return { ...layout, panels: [...layout.panels, panel] };
}

export function closePanel(layout: MonitorLayout, id: string): MonitorLayout {
  return { ...layout, panels: layout.panels.filter((p) => p.id !== id) };
}

/** Takes the grid's positions back into the panels (the grid owns x, y, w, h while dragging). */
export function applyPositions(
  layout: MonitorLayout,
  positions: readonly ({ i: string } & PanelPosition)[],
): MonitorLayout {
  const byId = new Map(positions.map((p) => [p.i, p]));
  let changed = false;
  const panels = layout.panels.map((panel) => {
    const p = byId.get(panel.id);
    if (!p || (p.x === panel.x && p.y === panel.y && p.w === panel.w && p.h === panel.h))
      return panel;
    changed = true;
    return { ...panel, x: p.x, y: p.y, w: p.w, h: p.h };
  });
  return changed ? { ...layout, panels } : layout;
}

/** Sets the sensors of the compare panel, opening it if needed. */
export function setComparedSensors(layout: MonitorLayout, sensorIds: number[]): MonitorLayout {
  const opened = openPanel(layout, { kind: "compare" });
  return {
    ...opened,
    panels: opened.panels.map((p) =>
      p.kind === "compare" ? { ...p, sensorIds: [...new Set(sensorIds)].slice(0, 8) } : p,
    ),
  };
}

/** Adds a sensor to the compare panel (opening it). */
export function compareSensor(layout: MonitorLayout, sensorId: number): MonitorLayout {
  const current = layout.panels.find((p) => p.kind === "compare");
  const ids = current?.kind === "compare" ? current.sensorIds : [];
  return setComparedSensors(layout, ids.includes(sensorId) ? ids : [...ids, sensorId]);
}
