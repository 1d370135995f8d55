/** A small uPlot bar/line chart of completed and failed jobs per time bucket. */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  values: number[];
  /** CSS colour. */
  color: string;
}

/** Renders `series` over `times` (seconds since epoch); redraws when the data changes. */
export function Chart({
  times,
  series,
  title,
  height = 120,
}: {
  times: number[];
  series: ChartSeries[];
  title: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const width = Math.max(200, element.clientWidth);
    const dark = matchMedia("(prefers-color-scheme: dark)").matches;
    const axis = {
      stroke: dark ? "#aab" : "#556",
      grid: { stroke: dark ? "#333845" : "#e5e7ee", width: 1 },
      ticks: { stroke: dark ? "#333845" : "#e5e7ee", width: 1 },
    };
    const options: uPlot.Options = {
      width,
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [axis, { ...axis, size: 36 }],
      series: [
        {},
        ...series.map((item) => ({
          label: item.label,
          stroke: item.color,
          fill: `${item.color}33`,
          width: 2,
          points: { show: false },
        })),
      ],
    };
    const data = [times, ...series.map((item) => item.values)] as uPlot.AlignedData;
    plot.current?.destroy();
    plot.current = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(200, element.clientWidth), height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuild only when the set of series changes; data updates go through setData below.
  }, [series.map((item) => item.label).join("|"), height]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((item) => item.values)] as uPlot.AlignedData);
  }, [times, series]);

  return <div class="chart" ref={box} role="img" aria-label={title} />;
}
