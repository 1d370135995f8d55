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

/**
 * Renders `series` as bars over `times` (seconds since epoch) on an x axis spanning `span`
 * (the whole window, so a young server's few buckets sit at the right end instead of being
 * stretched over the width); redraws when the data changes.
 */
export function Chart({
  times,
  series,
  title,
  span,
  height = 120,
}: {
  times: number[];
  series: ChartSeries[];
  title: string;
  span: [number, number];
  height?: number;
}) {
  const spanRef = useRef(span);
  spanRef.current = span;
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
    const bars = uPlot.paths.bars!({ size: [0.7, 24], align: 1 });
    const options: uPlot.Options = {
      width,
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: () => spanRef.current },
        y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      },
      axes: [axis, { ...axis, size: 36 }],
      series: [
        {},
        ...series.map((item) => ({
          label: item.label,
          stroke: item.color,
          fill: `${item.color}99`,
          width: 1,
          paths: bars,
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
