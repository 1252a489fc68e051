import * as vega from "vega";
import type { TopLevelSpec } from "vega-lite";
import { compile } from "vega-lite";

/**
 * Charts are vega-lite specs compiled to vega and rendered to SVG headless (`renderer: "none"`,
 * https://vega.github.io/vega/usage/#view-toSVG): no canvas, no browser. Text widths are
 * estimated without canvas, which is close enough for axis labels.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

type Row = Record<string, string | number>;

export interface LineChartOptions {
  title: string;
  data: Row[];
  x: { field: string; title: string; log?: boolean };
  y: { field: string; title: string; log?: boolean };
  color?: { field: string; title: string };
  /** Dashed series (e.g. a theoretical bound) by the value of the color field. */
  dashed?: string[];
  points?: boolean;
}

export function lineChart(o: LineChartOptions): TopLevelSpec {
  const scale = (log?: boolean) => (log === true ? { type: "log" as const } : { zero: false });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: o.title,
    width: 520,
    height: 280,
    background: "white",
    data: { values: o.data },
    mark: { type: "line", point: o.points ?? true },
    encoding: {
      x: { field: o.x.field, type: "quantitative", title: o.x.title, scale: scale(o.x.log) },
      y: { field: o.y.field, type: "quantitative", title: o.y.title, scale: scale(o.y.log) },
      ...(o.color === undefined ? {} : { color: { field: o.color.field, type: "nominal", title: o.color.title } }),
      ...(o.dashed === undefined || o.color === undefined
        ? {}
        : {
            strokeDash: {
              condition: { test: `indexof(${JSON.stringify(o.dashed)}, datum[${JSON.stringify(o.color.field)}]) >= 0`, value: [6, 4] },
              value: [1, 0],
            },
          }),
    },
  };
}

export interface BoxPlotOptions {
  title: string;
  data: Row[];
  /** The category on the y axis (e.g. stage). */
  group: { field: string; title: string; sort?: string[] };
  value: { field: string; title: string; log?: boolean };
  color?: { field: string; title: string };
}

/** Distribution per category: box = P25..P75, whiskers = min..max. */
export function boxPlot(o: BoxPlotOptions): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: o.title,
    width: 520,
    background: "white",
    data: { values: o.data },
    mark: { type: "boxplot", extent: "min-max" },
    encoding: {
      y: { field: o.group.field, type: "nominal", title: o.group.title, ...(o.group.sort === undefined ? {} : { sort: o.group.sort }) },
      x: { field: o.value.field, type: "quantitative", title: o.value.title, scale: o.value.log === true ? { type: "log" } : { zero: true } },
      ...(o.color === undefined ? {} : { color: { field: o.color.field, type: "nominal", title: o.color.title } }),
    },
  };
}

export interface BarChartOptions {
  title: string;
  data: Row[];
  x: { field: string; title: string; sort?: string[] };
  y: { field: string; title: string; log?: boolean };
  color?: { field: string; title: string };
}

export function groupedBarChart(o: BarChartOptions): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: o.title,
    width: 520,
    height: 280,
    background: "white",
    data: { values: o.data },
    mark: "bar",
    encoding: {
      x: { field: o.x.field, type: "nominal", title: o.x.title, ...(o.x.sort === undefined ? {} : { sort: o.x.sort }) },
      y: { field: o.y.field, type: "quantitative", title: o.y.title, ...(o.y.log === true ? { scale: { type: "log" } } : {}) },
      ...(o.color === undefined ? {} : { color: { field: o.color.field, type: "nominal", title: o.color.title }, xOffset: { field: o.color.field } }),
    },
  };
}
