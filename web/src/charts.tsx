// Bar charts with Chart.js (only the parts used are registered, to keep the bundle small). Every chart is
// drawn on a canvas with a text description; the pages show the same numbers in a table for screen readers.

import type { Chart, ChartDataset } from "chart.js";
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";

// Chart.js loads with the first chart (its own file); only the parts used are registered.
let library: Promise<typeof import("chart.js")> | null = null;

function loadCharts(): Promise<typeof import("chart.js")> {
  library ??= import("chart.js").then((m) => {
    m.Chart.register(m.BarController, m.BarElement, m.CategoryScale, m.LinearScale, m.Legend, m.Tooltip);
    m.Chart.defaults.color = "#c9d1d9";
    m.Chart.defaults.borderColor = "#30363d";
    m.Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    return m;
  });
  return library;
}

export const SERIES_COLORS: Record<string, string> = {
  easy: "#3fb950",
  medium: "#d29922",
  hard: "#f85149",
  all: "#58a6ff",
};

export interface Series {
  label: string;
  data: (number | null)[];
  color: string;
}

export function BarChart(props: {
  labels: string[];
  series: Series[];
  title: string;
  unit: string;
  description: string;
  max?: number;
  horizontal?: boolean;
}): JSX.Element {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<"bar", (number | null)[], string> | null>(null);

  useEffect(() => {
    let live = true;
    const datasets: ChartDataset<"bar", (number | null)[]>[] = props.series.map((s) => ({
      label: s.label,
      data: s.data,
      backgroundColor: s.color,
      borderColor: s.color,
      borderWidth: 1,
      borderRadius: 3,
      maxBarThickness: 42,
    }));
    void loadCharts().then((m) => {
      if (!live || !canvas.current) return;
      chart.current = new m.Chart<"bar", (number | null)[], string>(canvas.current, {
        type: "bar",
        data: { labels: props.labels, datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          indexAxis: props.horizontal ? "y" : "x",
          plugins: {
            legend: { display: props.series.length > 1 || props.series[0]?.label !== props.title, position: "bottom" },
            tooltip: {
              callbacks: {
                label: (item) => `${item.dataset.label ?? ""}: ${item.formattedValue} ${props.unit}`,
              },
            },
          },
          scales: {
            [props.horizontal ? "x" : "y"]: {
              beginAtZero: true,
              max: props.max,
              title: { display: true, text: props.unit },
            },
          },
        },
      });
    });
    return () => {
      live = false;
      chart.current?.destroy();
      chart.current = null;
    };
  }, [JSON.stringify(props.labels), JSON.stringify(props.series), props.unit, props.max, props.horizontal]);

  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={`${props.title}. ${props.description}`} />
      </div>
    </figure>
  );
}
