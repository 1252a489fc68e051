import type { CliFigures } from "../experiments/scale-cli.js";
import type { ScaleCaseResult, ScaleData } from "../experiments/scale.js";
import type { ThroughputData } from "../experiments/throughput.js";
import { ms, num, table } from "./markdown.js";

/**
 * Issue 17's speed targets, judged from the scale and throughput figures of one results folder.
 * Each row says reached / not reached / not measured with the figure it was judged on; the
 * benchmarks only print this, nothing asserts it.
 */
interface Row {
  target: string;
  figure: string;
  verdict: string;
}

function judge(value: number | undefined | null, limit: number, strict = false): "reached" | "not reached" | "not measured" {
  if (value === undefined || value === null || Number.isNaN(value)) return "not measured";
  return (strict ? value < limit : value <= limit) ? "reached" : "not reached";
}

function byLabel(scale: ScaleData | undefined, label: string): ScaleCaseResult | undefined {
  return scale?.cases.find((c) => c.size.label === label);
}

export function targetRows(scale: ScaleData | undefined, throughput: ThroughputData | undefined): Row[] {
  const rows: Row[] = [];
  // A CLI call on a tree the parse cache has not seen (cold) and a repeated call (warm): both judged.
  const both = (cli: CliFigures | null | undefined, pick: "check" | "match", limit: number): Pick<Row, "figure" | "verdict"> => {
    // Results written before cold/warm were recorded have no `cold`.
    if (cli === undefined || cli === null || (cli.cold as CliFigures["cold"] | undefined) === undefined) return { figure: "—", verdict: "not measured" };
    const ratio = pick === "check" ? "checkRatio" : "matchRatio";
    const time = pick === "check" ? "checkMs" : "matchMs";
    const warm = cli.warm;
    const figure = `cold ${num(cli.cold[ratio], 2)}× (${ms(cli.cold[time])}), warm ${warm === null ? "—" : `${num(warm[ratio], 2)}× (${ms(warm[time])})`}; fmt ${ms(cli.fmtMs)}`;
    const cold = judge(cli.cold[ratio], limit);
    const again = judge(warm?.[ratio], limit);
    return { figure, verdict: cold === again ? cold : `cold ${cold}, warm ${again}` };
  };
  for (const label of ["20k", "50k"]) rows.push({ target: `\`check\` ≤ 2× \`terraform fmt\` at ${label}`, ...both(byLabel(scale, label)?.cli, "check", 2) });
  rows.push({ target: "`match` ≤ 1.5× `terraform fmt` at 20k", ...both(byLabel(scale, "20k")?.cli, "match", 1.5) });
  const m5raw = byLabel(scale, "5k")?.cli ?? undefined;
  const m5 = (m5raw?.cold) === undefined ? undefined : m5raw;
  const m5cold = judge(m5?.cold.matchMs, 1000, true);
  const m5warm = judge(m5?.warm?.matchMs, 1000, true);
  rows.push({
    target: "`match` < 1 s at 5k",
    figure: m5 === undefined || m5 === null ? "—" : `cold ${ms(m5.cold.matchMs)}, warm ${ms(m5.warm?.matchMs)}`,
    verdict: m5cold === m5warm ? m5cold : `cold ${m5cold}, warm ${m5warm}`,
  });
  const startup = scale?.startup ?? undefined;
  rows.push({
    target: "`terrafix --version` < 0.3 s",
    figure: startup === undefined || startup === null ? "—" : `${ms(startup.binVersionMs)} (bin/terrafix.js; \`node dist/main.js\` ${ms(startup.versionMs)}, bare node ${ms(startup.bareNodeMs)})`,
    verdict: judge(startup?.binVersionMs, 300, true),
  });
  const at20 = (throughput?.levels ?? []).filter((l) => l.concurrency === 20 && l.local !== undefined);
  const worstOf = (pick: (l: (typeof at20)[number]) => number | undefined) => [...at20].sort((a, b) => (pick(b) ?? 0) - (pick(a) ?? 0))[0];
  const worst = worstOf((l) => l.local?.p95);
  const context = (l: (typeof at20)[number]): string => `P95 index ${ms(l.stages.index?.p95)}, match ${ms(l.stages.match?.p95)}, verify ${ms(l.stages.verify?.p95)}; ${l.jobs} jobs, pacing ${l.pacing ? "on" : "off"}, load ${num(l.load ?? Number.NaN, 1)}`;
  rows.push({
    target: "local stages (index + match + verify) P95 < 100 ms per job at concurrency 20",
    figure: worst?.local === undefined ? "—" : `${ms(worst.local.p95)} (${context(worst)})`,
    verdict: judge(worst?.local?.p95, 100, true),
  });
  const worstIm = worstOf((l) => l.indexMatch?.p95);
  rows.push({
    target: "the same without verify (index + match) P95 < 100 ms per job at concurrency 20",
    figure: worstIm?.indexMatch === undefined ? "—" : `${ms(worstIm.indexMatch.p95)} (P50 ${ms(worstIm.indexMatch.p50)})`,
    verdict: judge(worstIm?.indexMatch?.p95, 100, true),
  });
  const big = byLabel(scale, "50k");
  const worker = big?.worker?.peakRssMb;
  const pairs = big?.cli?.pairs ?? [];
  const coldRss = pairs[0]?.check.rssMb ?? undefined;
  const warmRss = pairs.length > 1 ? Math.max(...pairs.slice(1).map((p) => p.check.rssMb ?? 0)) : undefined;
  const coldVerdict = judge(coldRss, 500, true);
  const warmVerdict = judge(warmRss, 500, true);
  rows.push({
    target: "peak RSS < 500 MB at 50k (the `check` process)",
    figure: `\`check\` cold ${coldRss === undefined ? "—" : `${num(coldRss, 0)} MB`}, warm ${warmRss === undefined ? "—" : `${num(warmRss, 0)} MB`}; the in-process worker (two parse caches alive at once, 200 matches) ${worker === undefined ? "—" : `${num(worker, 0)} MB`}`,
    verdict: coldVerdict === warmVerdict ? coldVerdict : `cold ${coldVerdict}, warm ${warmVerdict}`,
  });
  return rows;
}

export function targetsMarkdown(scale: ScaleData | undefined, throughput: ThroughputData | undefined): string {
  const rows = targetRows(scale, throughput);
  return [
    "## Targets (issue 17)",
    "Judged on this folder's figures (medians of paired runs for the ratios); measured, never asserted.",
    table(["target", "measured", "verdict"], rows.map((r) => [r.target, r.figure, r.verdict.replaceAll("not reached", "NOT REACHED").replace(/\breached\b/g, "**reached**").replaceAll("NOT REACHED", "not reached")])),
  ].join("\n\n");
}
