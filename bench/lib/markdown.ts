/** Small helpers to write readable Markdown tables and figures. */
export function table(headers: string[], rows: (string | number)[][], align?: ("l" | "r")[]): string {
  const a = align ?? headers.map((_, i) => (i === 0 ? "l" : "r"));
  const line = (cells: (string | number)[]): string => `| ${cells.map((c) => String(c).replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(headers), `|${a.map((x) => (x === "r" ? "---:" : ":---")).join("|")}|`, ...rows.map(line)].join("\n");
}

/** A figure with a sensible number of significant digits; "—" for missing values. */
export function num(value: number | undefined | null, digits = 1): string {
  if (value === undefined || value === null || Number.isNaN(value)) return "—";
  if (!Number.isFinite(value)) return "∞";
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(Math.max(0, digits - 1));
  return value.toFixed(abs < 1 && value !== 0 ? Math.max(digits, 2) : digits);
}

export function ms(value: number | undefined | null): string {
  if (value === undefined || value === null || Number.isNaN(value)) return "—";
  return value >= 10_000 ? `${num(value / 1000, 1)} s` : `${num(value, 1)} ms`;
}

export function pct(value: number | undefined | null): string {
  return value === undefined || value === null || Number.isNaN(value) ? "—" : `${(value * 100).toFixed(1)}%`;
}

export function mb(bytes: number | undefined | null): string {
  return bytes === undefined || bytes === null || Number.isNaN(bytes) ? "—" : `${num(bytes / (1024 * 1024), 1)} MB`;
}
