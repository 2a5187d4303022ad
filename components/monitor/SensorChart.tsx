"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** A uPlot time-series of [epoch seconds[], values[]], sized to its container. */
export function SensorChart(props: { times: number[]; values: number[]; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const chart = new uPlot(
      {
        width: Math.max(100, el.clientWidth),
        height: Math.max(80, el.clientHeight),
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [
          { stroke: "#8b98a5", grid: { stroke: "#26313d" }, ticks: { stroke: "#26313d" } },
          { stroke: "#8b98a5", grid: { stroke: "#26313d" }, ticks: { stroke: "#26313d" } },
        ],
        series: [{}, { stroke: "#3fb68b", width: 2, points: { show: false } }],
      },
      [[], []],
      el,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => {
      chart.setSize({
        width: Math.max(100, el.clientWidth),
        height: Math.max(80, el.clientHeight),
      });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData([props.times, props.values]);
  }, [props.times, props.values]);

  return (
    <div
      className="chart"
      ref={container}
      role="img"
      aria-label={`Chart of ${props.label}`}
      data-points={props.times.length}
    />
  );
}
