import { describe, expect, it } from "vitest";
import {
  applyPositions,
  closePanel,
  defaultLayout,
  LAYOUT_STORAGE_KEY,
  loadLayout,
  openPanel,
  parseLayout,
} from "./layout-store.ts";

const storageWith = (value: string | null) => ({
  getItem: (k: string) => (k === LAYOUT_STORAGE_KEY ? value : null),
});

describe("monitor layout", () => {
  it("falls back to the default layout for missing, corrupt or old data", () => {
    for (const stored of [
      null,
      "{not json",
      '{"version":0,"panels":[]}',
      '{"version":1,"panels":[{"kind":"x"}]}',
      "42",
    ]) {
      expect(loadLayout(storageWith(stored))).toEqual(defaultLayout());
    }
  });

  it("falls back when storage itself throws", () => {
    expect(
      loadLayout({
        getItem: () => {
          throw new Error("denied");
        },
      }),
    ).toEqual(defaultLayout());
  });

  it("round-trips a layout through JSON", () => {
    const layout = openPanel(openPanel(defaultLayout(), { kind: "device", deviceId: "gh-1" }), {
      kind: "sensor",
      sensorId: 7,
    });
    expect(parseLayout(JSON.stringify(layout))).toEqual(layout);
  });

  it("opens new panels side by side in the first free spot, once each", () => {
    let layout = openPanel(defaultLayout(), { kind: "device", deviceId: "gh-1" });
    layout = openPanel(layout, { kind: "sensor", sensorId: 7 });
    layout = openPanel(layout, { kind: "sensor", sensorId: 7 });
    const [device, sensor] = layout.panels.slice(-2);
    expect(layout.panels).toHaveLength(defaultLayout().panels.length + 2);
    expect(device).toMatchObject({ id: "device:gh-1", x: 0, y: 21 });
    expect(sensor).toMatchObject({ id: "sensor:7", x: 6, y: 21 });
  });

  it("reopens a closed standard panel", () => {
    const closed = closePanel(defaultLayout(), "commands");
    expect(openPanel(closed, { kind: "commands" }).panels.map((p) => p.id)).toContain("commands");
  });

  it("closes a panel and takes positions back from the grid", () => {
    const layout = openPanel(defaultLayout(), { kind: "device", deviceId: "gh-1" });
    expect(closePanel(layout, "device:gh-1")).toEqual(defaultLayout());
    const moved = applyPositions(layout, [{ i: "stream", x: 2, y: 3, w: 5, h: 6 }]);
    expect(moved.panels[0]).toMatchObject({ x: 2, y: 3, w: 5, h: 6 });
    expect(applyPositions(moved, [{ i: "stream", x: 2, y: 3, w: 5, h: 6 }])).toBe(moved);
  });

  it("refuses duplicate panel ids in an imported layout", () => {
    const layout = defaultLayout();
    expect(
      parseLayout(JSON.stringify({ ...layout, panels: [...layout.panels, layout.panels[0]] })),
    ).toBeNull();
  });
});
