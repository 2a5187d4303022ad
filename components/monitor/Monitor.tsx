"use client";

import { type ChangeEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import ReactGridLayout, {
  type Layout,
  useContainerWidth,
  verticalCompactor,
} from "react-grid-layout";
import "react-grid-layout/css/styles.css";
import "react-resizable/css/styles.css";
import { SignOut } from "../auth/SignOut.tsx";
import { AlarmsPanel } from "./AlarmsPanel.tsx";
import { CommandsPanel } from "./CommandsPanel.tsx";
import { ComparePanel } from "./ComparePanel.tsx";
import { DevicePanel } from "./DevicePanel.tsx";
import {
  applyPositions,
  closePanel,
  compareSensor,
  defaultLayout,
  GRID_COLS,
  loadLayout,
  type MonitorLayout,
  openPanel,
  type Panel,
  type PanelRequest,
  parseLayout,
  saveLayout,
  setComparedSensors,
} from "./layout-store.ts";
import { LiveProvider, useConnectionState } from "./live-context.tsx";
import { LiveStream } from "./live-stream.ts";
import { SensorPanel } from "./SensorPanel.tsx";
import { StatusPanel } from "./StatusPanel.tsx";
import { StreamPanel } from "./StreamPanel.tsx";

/** Below this width the panels stack in one column and cannot be dragged. */
const NARROW_BELOW_PX = 900;
const ROW_HEIGHT = 30;

export function Monitor({ operator }: { operator: { username: string; role: string } }) {
  const live = useMemo(() => new LiveStream(), []);
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);

  // null until localStorage has been read, so the server render and the client agree.
  const [layout, setLayout] = useState<MonitorLayout | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => setLayout(loadLayout(window.localStorage)), []);

  const update = useCallback((change: (l: MonitorLayout) => MonitorLayout) => {
    setLayout((current) => {
      if (!current) return current;
      const next = change(current);
      if (next !== current) saveLayout(window.localStorage, next);
      return next;
    });
  }, []);

  const open = useCallback((req: PanelRequest) => update((l) => openPanel(l, req)), [update]);
  const close = useCallback((id: string) => update((l) => closePanel(l, id)), [update]);

  return (
    <LiveProvider value={live}>
      <div className="monitor">
        <Toolbar
          layout={layout}
          onReset={() => update(() => defaultLayout())}
          onOpen={open}
          operator={operator}
          onImport={(l) => update(() => l)}
          onNotice={setNotice}
        />
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {layout && (
          <Grid
            layout={layout}
            update={update}
            open={open}
            close={close}
            admin={operator.role === "admin"}
          />
        )}
      </div>
    </LiveProvider>
  );
}

function Grid(props: {
  layout: MonitorLayout;
  update: (change: (l: MonitorLayout) => MonitorLayout) => void;
  open: (req: PanelRequest) => void;
  close: (id: string) => void;
  admin: boolean;
}) {
  const { width, containerRef, mounted } = useContainerWidth();
  const narrow = width < NARROW_BELOW_PX;
  const { layout, update } = props;

  const gridLayout: Layout = useMemo(() => {
    if (!narrow)
      return layout.panels.map(({ id, x, y, w, h }) => ({ i: id, x, y, w, h, minW: 2, minH: 4 }));
    // Narrow: one column in the operator's reading order; the wide layout is left as it is.
    let y = 0;
    return [...layout.panels]
      .sort((a, b) => a.y - b.y || a.x - b.x)
      .map((p) => {
        const item = { i: p.id, x: 0, y, w: 1, h: p.h };
        y += p.h;
        return item;
      });
  }, [layout, narrow]);

  const onLayoutChange = useCallback(
    (positions: Layout) => {
      if (!narrow) update((l) => applyPositions(l, positions));
    },
    [narrow, update],
  );

  return (
    <div ref={containerRef} className="grid-container">
      {mounted && (
        <ReactGridLayout
          width={width}
          layout={gridLayout}
          gridConfig={{ cols: narrow ? 1 : GRID_COLS, rowHeight: ROW_HEIGHT, margin: [10, 10] }}
          dragConfig={{
            enabled: !narrow,
            handle: ".panel-drag-handle",
            cancel: "button, input, select, a",
          }}
          resizeConfig={{ enabled: !narrow, handles: ["se"] }}
          compactor={verticalCompactor}
          onLayoutChange={onLayoutChange}
        >
          {layout.panels.map((p) => (
            <div key={p.id} data-panel-id={p.id} className="grid-item">
              <PanelContent
                panel={p}
                open={props.open}
                close={() => props.close(p.id)}
                update={update}
                admin={props.admin}
              />
            </div>
          ))}
        </ReactGridLayout>
      )}
    </div>
  );
}

function PanelContent(props: {
  panel: Panel;
  open: (req: PanelRequest) => void;
  close: () => void;
  update: (change: (l: MonitorLayout) => MonitorLayout) => void;
  admin: boolean;
}) {
  const { panel } = props;
  switch (panel.kind) {
    case "stream":
      return <StreamPanel onOpen={props.open} onClose={props.close} />;
    case "devices":
      return <StatusPanel onOpen={props.open} onClose={props.close} />;
    case "commands":
      return <CommandsPanel onClose={props.close} />;
    case "alarms":
      return <AlarmsPanel canClear={props.admin} onOpen={props.open} onClose={props.close} />;
    case "device":
      return <DevicePanel deviceId={panel.deviceId} onOpen={props.open} onClose={props.close} />;
    case "sensor":
      return (
        <SensorPanel
          sensorId={panel.sensorId}
          onClose={props.close}
          onCompare={(id) => props.update((l) => compareSensor(l, id))}
        />
      );
    case "compare":
      return (
        <ComparePanel
          sensorIds={panel.sensorIds}
          onChange={(ids) => props.update((l) => setComparedSensors(l, ids))}
          onClose={props.close}
        />
      );
  }
}

function Toolbar(props: {
  layout: MonitorLayout | null;
  onReset: () => void;
  onOpen: (req: PanelRequest) => void;
  operator: { username: string; role: string };
  onImport: (layout: MonitorLayout) => void;
  onNotice: (text: string | null) => void;
}) {
  const fileInput = useRef<HTMLInputElement>(null);
  const state = useConnectionState();

  const exportLayout = () => {
    if (!props.layout) return;
    const blob = new Blob([JSON.stringify(props.layout, null, 2)], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "bocloud-layout.json";
    a.click();
    URL.revokeObjectURL(a.href);
  };

  const importLayout = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file) return;
    const layout = parseLayout(await file.text());
    if (layout) {
      props.onImport(layout);
      props.onNotice(null);
    } else props.onNotice(`${file.name} is not a BoCloud layout; the layout is unchanged.`);
  };

  return (
    <header className="toolbar">
      <h1>
        <a href="/">BoCloud</a> <span className="muted">monitor</span>
      </h1>
      <span
        className={`connection connection-${state}`}
        role="status"
        aria-label="Live stream connection"
      >
        {state === "live"
          ? "● Live"
          : state === "reconnecting"
            ? "● Reconnecting…"
            : "● Connecting…"}
      </span>
      <div className="toolbar-actions">
        <button type="button" onClick={() => props.onOpen({ kind: "stream" })}>
          Stream
        </button>
        <button type="button" onClick={() => props.onOpen({ kind: "devices" })}>
          Devices
        </button>
        <button type="button" onClick={() => props.onOpen({ kind: "commands" })}>
          Commands
        </button>
        <button type="button" onClick={() => props.onOpen({ kind: "alarms" })}>
          Alarms
        </button>
        <button type="button" onClick={() => props.onOpen({ kind: "compare" })}>
          Compare
        </button>
        <a className="button" href="/devices">
          Manage devices
        </a>
        <a className="button" href="/alarms">
          Alarm rules
        </a>
        <button type="button" onClick={props.onReset}>
          Reset layout
        </button>
        <button type="button" onClick={exportLayout}>
          Export layout
        </button>
        <button type="button" onClick={() => fileInput.current?.click()}>
          Import layout
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          onChange={importLayout}
          hidden
          aria-label="Layout file to import"
        />
        <SignOut {...props.operator} />
      </div>
    </header>
  );
}
