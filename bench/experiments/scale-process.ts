import { mb, ms, num, table } from "../lib/markdown.js";
import type { ScaleCaseResult, ScaleData } from "./scale.js";
import type { ScaleWorkerResult } from "./scale-worker.js";

type Done = ScaleCaseResult & { worker: ScaleWorkerResult };

/**
 * Growth exponent k of t ≈ c·n^k between two sizes (log–log slope), and over all single-root
 * sizes by least squares. Above 1 means superlinear; the issue's quadratic catalogue had ≈ 2.1.
 */
export function growthExponent(points: readonly { n: number; t: number }[]): number {
  const usable = points.filter((p) => p.n > 0 && p.t > 0);
  if (usable.length < 2) return Number.NaN;
  const xs = usable.map((p) => Math.log(p.n));
  const ys = usable.map((p) => Math.log(p.t));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * ((ys[i] ?? 0) - my);
    sxx += (x - mx) ** 2;
  });
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

/** First pair's ratio (empty parse cache) / median of the later pairs (filled cache). */
function coldWarm(ratios: readonly number[]): string {
  const [first, ...rest] = ratios;
  const later = rest.length === 0 ? Number.NaN : [...rest].sort((a, b) => a - b)[Math.floor((rest.length - 1) / 2)];
  return `${num(first, 2)}× / ${num(later, 2)}×`;
}

/** Single-root sizes with both figures, smallest first (the monorepo and the huge file are other shapes). */
export function ladder(d: ScaleData): Done[] {
  return d.cases
    .filter((c): c is Done => c.worker !== null && c.size.roots === undefined && c.size.label !== "huge-file")
    .sort((a, b) => a.worker.resources - b.worker.resources);
}

/** The whole-process table of the scale section: `check`, `match`, the catalogue and fmt, per size. */
export function processSection(d: ScaleData): { markdown: string; headline: string[] } {
  const done = d.cases.filter((c): c is Done => c.worker !== null && c.size.label !== "huge-file");
  const rows = done.map((c) => {
    const w = c.worker;
    const cli = c.cli ?? null;
    return [
      c.size.label,
      w.resources,
      `${num(c.load ?? Number.NaN, 1)}${cli === null ? "" : ` / ${cli.pairs.map((p) => num(p.load, 1)).join(", ")}`}`,
      cli === null ? "—" : ms(cli.fmtMs),
      cli === null ? "—" : `${ms(cli.checkMs)} (${num(cli.checkRatio, 2)}×)`,
      cli === null ? "—" : coldWarm(cli.pairs.map((p) => p.check.ms / p.fmt.ms)),
      cli === null ? "—" : `${ms(cli.matchMs)} (${num(cli.matchRatio, 2)}×)`,
      cli === null ? "—" : coldWarm(cli.pairs.map((p) => p.match.ms / p.fmt.ms)),
      cli === null ? "—" : cli.matchStatus,
      ms(w.catalogueMs),
      `${ms(w.cold.ms)} / ${ms(w.warm.ms)}`,
      `${ms(w.matchCold.p50)} / ${ms(w.matchWarm.p50)}`,
      `${mb(w.peakRssMb * 1024 * 1024)} / ${cli?.checkRssMb == null ? "—" : mb(cli.checkRssMb * 1024 * 1024)}`,
    ];
  });
  const steps = ladder(d);
  const exponents = steps.slice(1).map((c, i) => {
    const prev = steps[i]!;
    return `${prev.size.label} → ${c.size.label}: ${num(growthExponent([{ n: prev.worker.resources, t: prev.worker.catalogueMs }, { n: c.worker.resources, t: c.worker.catalogueMs }]), 2)}`;
  });
  const overall = growthExponent(steps.map((c) => ({ n: c.worker.resources, t: c.worker.catalogueMs })));
  const matchOverall = growthExponent(steps.map((c) => ({ n: c.worker.resources, t: c.worker.matchWarm.p50 })));
  const s = d.startup ?? null;
  const markdown = [
    "### Whole process against `terraform fmt -check -recursive`",
    d.cliMissing !== undefined
      ? `_Whole-process figures not measured: ${d.cliMissing}._`
      : "Each size: 3 pairs (20k, 50k and the monorepo: 2, as one pair takes minutes on this loaded machine; quick run: 1), each running `terraform fmt -check -recursive`, `node dist/main.js check --repo DIR --json` and `node dist/main.js match --repo DIR --arn ARN --json` one after the other, so a pair shares the moment's load; figures are medians, ratios (×) are medians of each pair's own ratio to fmt. Each size's CLI runs get a new `TERRAFIX_WORK_DIR`: the first pair starts with an empty persistent parse cache (*cold*), later pairs find it filled by the first (*warm*, their median). *Catalogue* = `runCatalogue` over the index, once, in the worker (what `check` runs after indexing). *Index* and *match* are in-process (the worker, lazy validation as the daemon indexes): cold = first index in a new process / warm = the same checkout again; match = P50 per query on the first and on a later pass. *Peak RSS*: the worker (index + 200 matches) / the `check` process (GNU time `%M`).",
    table(["size", "resources", "load (1 min): start / pairs", "fmt -check", "check (÷ fmt)", "check ÷ fmt: cold / warm", "match (÷ fmt)", "match ÷ fmt: cold / warm", "match answer", "catalogue", "index cold / warm", "match P50 cold / warm", "peak RSS worker / check"], rows),
    `Catalogue growth exponent (t ∝ n^k): ${exponents.join("; ") || "—"}; least squares over ${steps.map((c) => c.size.label).join(", ") || "—"}: **${num(overall, 2)}**. Warm match P50 growth exponent over the same sizes: ${num(matchOverall, 2)}.`,
    s === null ? "" : `CLI start-up (median of ${s.runs}): \`bin/terrafix.js --version\` ${ms(s.binVersionMs)}, \`node dist/main.js --version\` ${ms(s.versionMs)}, \`--help\` ${ms(s.helpMs)}; a bare \`node -e ""\` ${ms(s.bareNodeMs)}.`,
  ].filter((line) => line !== "");
  const big = steps[steps.length - 1];
  const headline =
    big?.cli == null
      ? []
      : [`Whole process at ${big.worker.resources.toLocaleString("en-US")} resources: \`check\` ${ms(big.cli.checkMs)} = ${num(big.cli.checkRatio, 2)}× \`terraform fmt -check\`, \`match\` ${ms(big.cli.matchMs)} = ${num(big.cli.matchRatio, 2)}×; catalogue growth exponent ${num(overall, 2)}.`];
  return { markdown: markdown.join("\n\n"), headline };
}
