import { execFile, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { groupedBarChart, lineChart } from "../lib/charts.js";
import type { Experiment, ExperimentContext, RawResult, RenderedSection } from "../lib/experiment.js";
import { mb, ms, num, pct, table } from "../lib/markdown.js";
import { summarize } from "../lib/stats.js";
import { generateTerraformRepo, type GenerateOptions, type Manifest } from "../generators/terraform-repo.js";
import { cliAvailable, measureCli, measureStartup, type CliFigures, type StartupFigures } from "./scale-cli.js";
import { processSection } from "./scale-process.js";
import type { ScaleWorkerResult } from "./scale-worker.js";
import { parseWorkerOutput } from "./scale-worker.js";

/**
 * Experiment 3, repository scale: for each size, a synthetic repository is generated, then a
 * fresh child process indexes it cold (empty parse cache), warm (same cache), after one file
 * changed, matches a sample of its resources cold and warm, and builds the prompt of its most
 * connected resource with and without the context budget. `terraform fmt -recursive -check`
 * over the same tree is the yardstick: the cost of the cheapest thing any Terraform tool does.
 */
interface SizeCase extends Pick<GenerateOptions, "resources" | "files" | "moduleDepth"> {
  label: string;
  /** A monorepo: this many root modules side by side (stacks/root-NN), the resources split evenly. */
  roots?: number;
  /**
   * Paired whole-process runs (fmt, check, match) in a full run: fewer at the large sizes, where
   * one pair takes minutes on a loaded 2-core machine; the report says how many each size had.
   */
  pairs?: number;
}

// Resources include the companions controls look up (split S3 settings, security group rules).
const FULL_SIZES: SizeCase[] = [
  { label: "1k", resources: 1000, files: 100, moduleDepth: 3 },
  { label: "5k", resources: 5000, files: 500, moduleDepth: 3 },
  { label: "20k", resources: 20_000, files: 2000, moduleDepth: 3, pairs: 2 },
  { label: "50k", resources: 50_000, files: 5000, moduleDepth: 3, pairs: 2 },
  { label: "monorepo 20 roots", resources: 20_000, files: 2000, moduleDepth: 2, roots: 20, pairs: 2 },
  // Everything in one file: the huge-file case for prompt truncation and parse cost.
  { label: "huge-file", resources: 2000, files: 1, moduleDepth: 0 },
];
const QUICK_SIZES: SizeCase[] = [
  { label: "1k", resources: 1000, files: 100, moduleDepth: 3 },
  { label: "monorepo 4 roots", resources: 1000, files: 100, moduleDepth: 2, roots: 4 },
  { label: "huge-file", resources: 500, files: 1, moduleDepth: 0 },
];

export interface ScaleCaseResult {
  size: SizeCase;
  generateMs: number;
  worker: ScaleWorkerResult | null;
  workerError?: string;
  fmt: { ms: number; runs: number[] } | null;
  /** Whole-process `check` and `match` beside fmt (scale-cli.ts); null without dist/ or terraform. */
  cli?: CliFigures | null;
  /** 1-minute load average when the size started (the machine is shared). */
  load?: number;
}

export interface ScaleData {
  generator: string;
  promptBuilder: string;
  budgetTokens: number;
  terraform: string | null;
  cases: ScaleCaseResult[];
  startup?: StartupFigures | null;
  /** Why the whole-process figures are missing, when they are. */
  cliMissing?: string;
  missing?: string;
}

const BUDGET_TOKENS = 24_000;

async function run(ctx: ExperimentContext): Promise<ScaleData> {
  const sizes = ctx.quick ? QUICK_SIZES : FULL_SIZES;
  const base = { generator: "bench/generators/terraform-repo.ts", promptBuilder: "src/remediation/llm/prompt.ts (buildPrompt)", budgetTokens: BUDGET_TOKENS, terraform: ctx.machine.terraform };
  const cases: ScaleCaseResult[] = [];
  const cliMissing = cliAvailable() ?? (ctx.machine.terraform === null ? "terraform is not on PATH (no fmt yardstick)" : undefined);
  for (const size of sizes) {
    const dir = join(ctx.workDir, size.label.replaceAll(" ", "-"));
    mkdirSync(dir, { recursive: true });
    const load = loadavg()[0] ?? 0;
    ctx.progress.step(`${size.label}: generating ${size.resources} resources in ${size.files} files, modules ${size.moduleDepth} deep${size.roots === undefined ? "" : `, ${size.roots} roots`}`);
    let t = performance.now();
    const manifest = await generate(dir, size);
    const generateMs = Math.round(performance.now() - t);
    const manifestPath = join(ctx.workDir, `${size.label.replaceAll(" ", "-")}.manifest.json`);
    writeFileSync(manifestPath, JSON.stringify(manifest));
    // fmt first: the worker appends a comment to one file, and fmt must see the generated tree.
    const fmt = ctx.machine.terraform === null ? null : await timeFmt(dir, ctx.quick || size.resources >= 20_000 ? 1 : 3);
    ctx.progress.step(`${size.label}: indexing and matching in a child process`);
    t = performance.now();
    const result: ScaleCaseResult = { size, generateMs, worker: null, fmt, load };
    try {
      result.worker = await runWorker(dir, manifestPath, size.resources, ctx.quick ? 30 : 100, (line) => ctx.progress.tick(line), size.resources >= 20_000 ? 1 : 3);
      const w = result.worker;
      ctx.progress.step(
        `${size.label}: ${w.resources} resources, cold ${ms(w.cold.ms)}, warm ${ms(w.warm.ms)}, match p50 ${ms(w.matchWarm.p50)}, catalogue ${ms(w.catalogueMs)}, peak RSS ${num(w.peakRssMb)} MB`,
      );
    } catch (error) {
      result.workerError = error instanceof Error ? error.message : String(error);
      ctx.progress.warn(`${size.label}: ${result.workerError}`);
    }
    const target = manifest.resources.filter((r) => !r.idOnly)[Math.floor(manifest.resources.length / 2)] ?? manifest.resources[0];
    if (cliMissing === undefined && target !== undefined && size.label !== "huge-file") {
      ctx.progress.step(`${size.label}: whole-process check and match beside terraform fmt`);
      result.cli = await measureCli(dir, ["--arn", target.arn], ctx.quick ? 1 : (size.pairs ?? 3), (line) => ctx.progress.tick(line));
      ctx.progress.step(`${size.label}: check ${ms(result.cli.checkMs)} (${num(result.cli.checkRatio, 2)}× fmt), match ${ms(result.cli.matchMs)} (${num(result.cli.matchRatio, 2)}× fmt) → ${result.cli.matchStatus}`);
    }
    cases.push(result);
  }
  const startup = cliAvailable() === undefined ? await measureStartup(ctx.quick ? 3 : 7) : null;
  return { ...base, cases, startup, ...(cliMissing === undefined ? {} : { cliMissing }) };
}

/** One repository, or a monorepo of `roots` generated repositories under stacks/ (their manifests joined). */
async function generate(dir: string, size: SizeCase): Promise<Manifest> {
  const options = { moduleDepth: size.moduleDepth, companions: true };
  if (size.roots === undefined) return generateTerraformRepo(dir, { ...options, resources: size.resources, files: size.files, seed: 1 });
  const parts: Manifest[] = [];
  for (let r = 0; r < size.roots; r++) {
    const stack = String(r + 1).padStart(2, "0");
    const rel = `stacks/root-${stack}`;
    const part = await generateTerraformRepo(join(dir, rel), { ...options, resources: Math.round(size.resources / size.roots), files: Math.max(1, Math.round(size.files / size.roots)), seed: r + 1, env: `stack${stack}` });
    parts.push({ ...part, resources: part.resources.map((m) => ({ ...m, file: `${rel}/${m.file}` })) });
  }
  return { root: dir, files: parts.reduce((n, p) => n + p.files, 0), resources: parts.flatMap((p) => p.resources) };
}

function runWorker(dir: string, manifest: string, resources: number, queries: number, onLine: (line: string) => void, coldRuns: number): Promise<ScaleWorkerResult> {
  const script = join(import.meta.dirname, "scale-worker.ts");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, "--dir", dir, "--manifest", manifest, "--queries", String(queries), "--budget", String(BUDGET_TOKENS), "--stress", String(Math.min(resources, 2000)), "--cold-runs", String(coldRuns)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      onLine(chunk.toString().trim().split("\n").pop() ?? "");
    });
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`worker exited ${code}: ${stderr.trim().slice(-2000)}`));
      else {
        try {
          resolve(parseWorkerOutput(stdout));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    });
  });
}

async function timeFmt(dir: string, runs: number): Promise<{ ms: number; runs: number[] } | null> {
  const binary = process.env.TERRAFIX_TERRAFORM_BIN ?? "terraform";
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const ok = await new Promise<boolean>((resolve) => {
      // Exit code 3 means "some files are not formatted": still a complete run.
      execFile(binary, ["fmt", "-recursive", "-check", "-list=false", dir], { timeout: 600_000 }, (error) => {
        const code = (error as (Error & { code?: number | string }) | null)?.code;
        resolve(error === null || code === 3);
      });
    });
    if (!ok) return null;
    times.push(Math.round((performance.now() - t) * 10) / 10);
  }
  return { ms: summarize(times).p50, runs: times };
}

function render(raw: RawResult<ScaleData>): RenderedSection {
  const d = raw.data;
  if (d.missing !== undefined) {
    return { markdown: `**Not run**: ${d.missing}. The experiment needs the synthetic repository generator.`, charts: [], headline: [] };
  }
  const done = d.cases.filter((c): c is ScaleCaseResult & { worker: ScaleWorkerResult } => c.worker !== null);
  const rows = done.map((c) => {
    const w = c.worker;
    return [
      c.size.label,
      w.resources,
      `${w.files} / ${num(w.bytes / 1024)} KB`,
      ms(w.cold.ms),
      ms(w.coldWarmProcess.ms),
      ms(w.warm.ms),
      pct(w.warm.hitRate),
      `${ms(w.oneFileChanged.ms)} (${pct(w.oneFileChanged.hitRate)})`,
      `${ms(w.matchCold.p50)} / ${ms(w.matchCold.p95)}`,
      `${ms(w.matchWarm.p50)} / ${ms(w.matchWarm.p95)}`,
      `${pct(w.matchAccuracy)} of ${w.queries}`,
      mb(w.peakRssMb * 1024 * 1024),
      c.fmt === null ? "—" : ms(c.fmt.ms),
      c.fmt === null ? "—" : `${num(w.cold.ms / c.fmt.ms, 1)}× / ${num(w.warm.ms / c.fmt.ms, 2)}×`,
    ];
  });
  const failed = d.cases.filter((c) => c.worker === null).map((c) => `- ${c.size.label}: ${c.workerError ?? "no result"}`);
  const prompts = done
    .filter((c) => c.worker.prompt !== null)
    .map((c) => {
      const p = c.worker.prompt!;
      return [
        c.size.label,
        `\`${p.target}\``,
        p.contextBlocks,
        `${num(p.fullTokens, 0)} tok (${num(p.fullChars / 1024)} KB)`,
        `${num(p.truncatedTokens, 0)} tok (${num(p.truncatedChars / 1024)} KB)`,
        `${p.included} / ${p.truncated} / ${p.omitted}`,
        p.overBudget ? "yes" : "no",
      ];
    });
  const points = done.flatMap((c) => {
    const w = c.worker;
    if (c.size.label === "huge-file" || c.size.roots !== undefined) return [];
    return [
      { resources: w.resources, ms: Math.max(w.cold.ms, 0.1), series: "index, cold (new process)" },
      { resources: w.resources, ms: Math.max(w.coldWarmProcess.ms, 0.1), series: "index, cold (running daemon)" },
      { resources: w.resources, ms: Math.max(w.warm.ms, 0.1), series: "index, warm" },
      { resources: w.resources, ms: Math.max(w.oneFileChanged.ms, 0.1), series: "index, 1 file changed" },
      { resources: w.resources, ms: Math.max(w.matchWarm.p50 * w.queries, 0.1), series: `match ×${w.queries}, warm` },
      ...(c.fmt === null ? [] : [{ resources: w.resources, ms: c.fmt.ms, series: "terraform fmt -check" }]),
    ];
  });
  const rss = done.filter((c) => c.size.label !== "huge-file" && c.size.roots === undefined).map((c) => ({ resources: c.worker.resources, mb: c.worker.peakRssMb, series: "peak RSS" }));
  const largest = [...done].filter((c) => c.size.label !== "huge-file" && c.size.roots === undefined).sort((a, b) => b.worker.resources - a.worker.resources)[0];
  const headline: string[] = largest === undefined ? [] : [
    `Scale: indexing ${largest.worker.resources} resources takes ${ms(largest.worker.cold.ms)} in a new process, ${ms(largest.worker.coldWarmProcess.ms)} cold in a running daemon and ${ms(largest.worker.warm.ms)} warm (${pct(largest.worker.warm.hitRate)} parse-cache hits); one match ${ms(largest.worker.matchWarm.p50)} (P50); peak RSS ${num(largest.worker.peakRssMb)} MB.`,
  ];
  const whole = processSection(d);
  headline.push(...whole.headline);
  const markdown = [
    `Generator: \`${d.generator}\`; prompt builder: \`${d.promptBuilder}\`, budget ${d.budgetTokens.toLocaleString("en-US")} tokens (estimated as characters / 4); terraform: ${d.terraform ?? "not installed (no fmt yardstick)"}.`,
    "Each size runs in a fresh Node process (peak RSS is that process's `maxRSS`, including Node itself). *Cold (new process)* = the first index in a fresh process, empty parse cache (JIT warm-up and first hcl2json use included; the tree-sitter grammar load is excluded); *cold (running daemon)* = empty parse cache in a process that has indexed before (a repository a running daemon has not seen yet); *warm* = the same checkout again (median of 5); *1 file changed* = after a one-file commit. Match times are per query (P50 / P95) over resources sampled across the repository; accuracy = share of queries whose expected address is the single match.",
    table(
      ["size", "resources", "files / bytes", "index cold (new process)", "index cold (running daemon)", "index warm", "warm hits", "1 file changed (hits)", "match cold P50/P95", "match warm P50/P95", "match accuracy", "peak RSS", "fmt -check", "index ÷ fmt (cold / warm)"],
      rows,
    ),
    ...(failed.length > 0 ? ["Sizes that did not complete:", failed.join("\n")] : []),
    whole.markdown,
    "### Prompt size before and after truncation",
    "A huge file per size: one bucket fed by a KMS key and a log bucket, referenced by as many `aws_s3_object` blocks as the size has resources (at most 2,000), all in one `main.tf`. The prompt holds the target block, then its context nearest first: *full* ignores the budget, *truncated* is what the model receives (blocks beyond the budget are cut at a line with a marker, the rest listed by address).",
    prompts.length > 0
      ? table(["size", "target", "context blocks", "full", "truncated", "included / cut / listed only", "over budget"], prompts)
      : "_No prompt figures._",
  ].join("\n\n");
  return {
    markdown,
    headline,
    charts: [
      {
        file: "index-time",
        title: "Index and match time against repository size",
        spec: lineChart({
          title: "Index and match time against repository size (log–log)",
          data: points,
          x: { field: "resources", title: "resources", log: true },
          y: { field: "ms", title: "milliseconds", log: true },
          color: { field: "series", title: "" },
          dashed: ["terraform fmt -check"],
        }),
      },
      {
        file: "peak-rss",
        title: "Peak RSS against repository size",
        spec: lineChart({
          title: "Peak RSS of the indexing process",
          data: rss,
          x: { field: "resources", title: "resources", log: true },
          y: { field: "mb", title: "MB" },
          color: { field: "series", title: "" },
        }),
      },
      ...(done.length > 0
        ? [
            {
              file: "prompt-size",
              title: "Prompt size before and after truncation",
              spec: groupedBarChart({
                title: "Prompt tokens for a huge file, full and truncated to the budget",
                data: done
                  .filter((c) => c.worker.prompt !== null)
                  .flatMap((c) => [
                    { size: c.size.label, tokens: c.worker.prompt!.fullTokens, kind: "full" },
                    { size: c.size.label, tokens: c.worker.prompt!.truncatedTokens, kind: "truncated" },
                  ]),
                x: { field: "size", title: "repository", sort: done.map((c) => c.size.label) },
                y: { field: "tokens", title: "estimated tokens", log: true },
                color: { field: "kind", title: "" },
              }),
            },
          ]
        : []),
    ],
  };
}

export const scaleExperiment: Experiment<ScaleData> = { name: "scale", title: "Experiment 3 — repository scale", run, render };
