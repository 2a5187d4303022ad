"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  name: string;
  color: string;
  /** Epoch seconds, increasing. */
  times: number[];
  values: (number | null)[];
  /** With min and max, a band is drawn between them around `values` (the average). */
  min?: (number | null)[];
  max?: (number | null)[];
}

/** Threshold lines and shaded alarm periods drawn on the chart (see alarmMarks). */
export interface ChartMarks {
  thresholds: { value: number; color: string; dashed: boolean }[];
  /** Epoch seconds; `to` null: still open. */
  periods: { from: number; to: number | null; color: string }[];
}

const NO_MARKS: ChartMarks = { thresholds: [], periods: [] };

/**
 * A uPlot plugin: alarm periods shaded behind the series, threshold lines over them. It reads
 * the marks from a ref, so new marks need a redraw, not a new chart.
 */
function marksPlugin(marks: { current: ChartMarks }): uPlot.Plugin {
  return {
    hooks: {
      drawClear: [
        (u) => {
          const { ctx } = u;
          const { left, top, width, height } = u.bbox;
          ctx.save();
          for (const p of marks.current.periods) {
            const x0 = Math.max(left, u.valToPos(p.from, "x", true));
            const x1 = Math.min(
              left + width,
              u.valToPos(p.to ?? u.scales.x.max ?? p.from, "x", true),
            );
            if (x1 <= x0) continue;
            ctx.fillStyle = `${p.color}2e`;
            ctx.fillRect(x0, top, x1 - x0, height);
          }
          ctx.restore();
        },
      ],
      draw: [
        (u) => {
          const { ctx } = u;
          const { left, width } = u.bbox;
          ctx.save();
          ctx.lineWidth = 1.5 * devicePixelRatio;
          for (const t of marks.current.thresholds) {
            const y = u.valToPos(t.value, "y", true);
            ctx.strokeStyle = t.color;
            ctx.setLineDash(t.dashed ? [6 * devicePixelRatio, 4 * devicePixelRatio] : []);
            ctx.beginPath();
            ctx.moveTo(left, y);
            ctx.lineTo(left + width, y);
            ctx.stroke();
          }
          ctx.restore();
        },
      ],
    },
  };
}

const AXIS = { stroke: "#8b98a5", grid: { stroke: "#26313d" }, ticks: { stroke: "#26313d" } };

/** Several series on one time axis, aligned with uPlot.join. */
function toPlot(series: ChartSeries[]) {
  const tables = series.map(
    (s) =>
      (s.min && s.max
        ? [s.times, s.values, s.min, s.max]
        : [s.times, s.values]) as uPlot.AlignedData,
  );
  const data = tables.length === 0 ? ([[]] as uPlot.AlignedData) : uPlot.join(tables);
  const opts: uPlot.Series[] = [{}];
  const bands: uPlot.Band[] = [];
  for (const s of series) {
    opts.push({
      label: s.name,
      stroke: s.color,
      width: 2,
      points: { show: false },
      spanGaps: true,
    });
    if (s.min && s.max) {
      const minIdx = opts.length;
      opts.push({
        label: `${s.name} min`,
        stroke: "transparent",
        points: { show: false },
        spanGaps: true,
      });
      opts.push({
        label: `${s.name} max`,
        stroke: "transparent",
        points: { show: false },
        spanGaps: true,
      });
      bands.push({ series: [minIdx + 1, minIdx], fill: `${s.color}33` });
    }
  }
  return { data, opts, bands };
}

/**
 * A uPlot chart sized to its container. Dragging across it asks for that time range
 * (`onZoom`); the owner loads finer data for it.
 */
export function TimeSeriesChart(props: {
  series: ChartSeries[];
  label: string;
  onZoom?: (fromMs: number, toMs: number) => void;
  attributes?: Record<string, string | number>;
  marks?: ChartMarks;
}) {
  const container = useRef<HTMLDivElement>(null);
  const onZoom = useRef(props.onZoom);
  onZoom.current = props.onZoom;
  const marks = useRef(props.marks ?? NO_MARKS);
  marks.current = props.marks ?? NO_MARKS;
  const { data, opts, bands } = toPlot(props.series);
  const shape = opts.map((o) => `${o.label}:${o.stroke}`).join("|");

  // biome-ignore lint/correctness/useExhaustiveDependencies: the plot is rebuilt only when the set of series changes
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const chart = new uPlot(
      {
        width: Math.max(100, el.clientWidth),
        height: Math.max(80, el.clientHeight),
        legend: { show: false },
        cursor: { drag: { x: true, y: false, setScale: false } },
        scales: {
          x: { time: true },
          // Threshold lines stay in view: the value axis reaches them.
          y: {
            range: (_u, min, max) => {
              const values = marks.current.thresholds.map((t) => t.value);
              if (min !== null && max !== null) values.push(min, max);
              if (values.length === 0) return [0, 1];
              return uPlot.rangeNum(Math.min(...values), Math.max(...values), 0.1, true);
            },
          },
        },
        plugins: [marksPlugin(marks)],
        axes: [AXIS, AXIS],
        series: opts,
        bands,
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 5) return;
              const from = u.posToVal(u.select.left, "x") * 1000;
              const to = u.posToVal(u.select.left + u.select.width, "x") * 1000;
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              onZoom.current?.(Math.round(from), Math.round(to));
            },
          ],
        },
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() => {
      chart.setSize({
        width: Math.max(100, el.clientWidth),
        height: Math.max(80, el.clientHeight),
      });
    });
    resize.observe(el);
    plot.current = chart;
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [shape]);

  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    plot.current?.setData(data);
  });

  return (
    <div
      className="chart"
      ref={container}
      role="img"
      aria-label={`Chart of ${props.label}`}
      data-points={data[0].length}
      data-series={props.series.length}
      data-thresholds={props.marks?.thresholds.length ?? 0}
      data-alarm-periods={props.marks?.periods.length ?? 0}
      {...Object.fromEntries(
        Object.entries(props.attributes ?? {}).map(([k, v]) => [`data-${k}`, v]),
      )}
    />
  );
}
