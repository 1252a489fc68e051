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
  verdict: "reached" | "not reached" | "not measured";
}

function judge(value: number | undefined | null, limit: number, strict = false): Row["verdict"] {
  if (value === undefined || value === null || Number.isNaN(value)) return "not measured";
  return (strict ? value < limit : value <= limit) ? "reached" : "not reached";
}

function byLabel(scale: ScaleData | undefined, label: string): ScaleCaseResult | undefined {
  return scale?.cases.find((c) => c.size.label === label);
}

export function targetRows(scale: ScaleData | undefined, throughput: ThroughputData | undefined): Row[] {
  const rows: Row[] = [];
  for (const label of ["20k", "50k"]) {
    const cli = byLabel(scale, label)?.cli ?? undefined;
    rows.push({
      target: `\`check\` ≤ 2× \`terraform fmt\` at ${label}`,
      figure: cli === undefined || cli === null ? "—" : `${num(cli.checkRatio, 2)}× (check ${ms(cli.checkMs)}, fmt ${ms(cli.fmtMs)})`,
      verdict: judge(cli?.checkRatio, 2),
    });
  }
  const m20 = byLabel(scale, "20k")?.cli ?? undefined;
  rows.push({
    target: "`match` ≤ 1.5× `terraform fmt` at 20k",
    figure: m20 === undefined || m20 === null ? "—" : `${num(m20.matchRatio, 2)}× (match ${ms(m20.matchMs)}, fmt ${ms(m20.fmtMs)})`,
    verdict: judge(m20?.matchRatio, 1.5),
  });
  const m5 = byLabel(scale, "5k")?.cli ?? undefined;
  rows.push({ target: "`match` < 1 s at 5k", figure: m5 === undefined || m5 === null ? "—" : ms(m5.matchMs), verdict: judge(m5?.matchMs, 1000, true) });
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
  const check = big?.cli?.checkRssMb ?? undefined;
  const peak = worker === undefined ? undefined : Math.max(worker, check ?? 0);
  rows.push({
    target: "peak RSS < 500 MB at 50k",
    figure: worker === undefined ? "—" : `worker (index + matches) ${num(worker, 0)} MB, \`check\` process ${check === undefined || check === null ? "—" : `${num(check, 0)} MB`}`,
    verdict: judge(peak, 500, true),
  });
  return rows;
}

export function targetsMarkdown(scale: ScaleData | undefined, throughput: ThroughputData | undefined): string {
  const rows = targetRows(scale, throughput);
  return [
    "## Targets (issue 17)",
    "Judged on this folder's figures (medians of paired runs for the ratios); measured, never asserted.",
    table(["target", "measured", "verdict"], rows.map((r) => [r.target, r.figure, r.verdict === "reached" ? "**reached**" : r.verdict])),
  ].join("\n\n");
}
