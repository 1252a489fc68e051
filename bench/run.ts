/**
 * `npm run bench` (tsx bench/run.ts): the three experiments of issue 8 and their report.
 *
 *   tsx bench/run.ts [--only scale|throughput|resilience[,...]] [--quick] [--out DIR]
 *
 * Results go to bench/results/<YYYY-MM-DD>/ (UTC): `<experiment>.json` (raw figures),
 * `<experiment>-<chart>.svg`, and `report.md`, rendered from every JSON in the folder, so running
 * one experiment again refreshes its section and keeps the others. Progress goes to stderr.
 * Benchmarks print figures; they never assert a time.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { renderSvg } from "./lib/charts.js";
import type { Experiment, ExperimentName, RawResult } from "./lib/experiment.js";
import { machineInfo, machineMarkdown, type MachineInfo } from "./lib/machine.js";
import { createProgress } from "./lib/progress.js";
import { scaleExperiment, type ScaleData } from "./experiments/scale.js";
import { throughputExperiment, type ThroughputData } from "./experiments/throughput.js";
import { targetsMarkdown } from "./lib/targets.js";
import { resilienceExperiment } from "./experiments/resilience.js";

const EXPERIMENTS: Experiment<never>[] = [throughputExperiment, resilienceExperiment, scaleExperiment] as unknown as Experiment<never>[];

interface Args {
  only: ExperimentName[];
  quick: boolean;
  out: string;
  keepWork: boolean;
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: "string" },
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      "keep-work": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help === true) {
    process.stdout.write("usage: tsx bench/run.ts [--only scale|throughput|resilience[,...]] [--quick] [--out DIR] [--keep-work]\n");
    process.exit(0);
  }
  const names = EXPERIMENTS.map((e) => e.name);
  const only = (values.only ?? names.join(","))
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const name of only) {
    if (!names.includes(name as ExperimentName)) throw new Error(`unknown experiment '${name}' (expected ${names.join(", ")})`);
  }
  const date = new Date().toISOString().slice(0, 10);
  return {
    only: only as ExperimentName[],
    quick: values.quick === true,
    out: resolve(values.out ?? join(import.meta.dirname, "results", date)),
    keepWork: values["keep-work"] === true,
  };
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const progress = createProgress();
  const machine = machineInfo();
  mkdirSync(args.out, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), "terrafix-bench-"));
  progress.section("bench");
  progress.step(`${args.quick ? "quick" : "full"} run of ${args.only.join(", ")} → ${relative(process.cwd(), args.out) || "."}`);
  let failures = 0;
  try {
    for (const experiment of EXPERIMENTS.filter((e) => args.only.includes(e.name))) {
      progress.section(experiment.name);
      const started = performance.now();
      const startedAt = new Date().toISOString();
      try {
        const expWork = join(workDir, experiment.name);
        mkdirSync(expWork, { recursive: true });
        const data = await experiment.run({ quick: args.quick, progress, machine, workDir: expWork });
        const raw: RawResult = { experiment: experiment.name, startedAt, durationMs: Math.round(performance.now() - started), quick: args.quick, data };
        writeFileSync(join(args.out, `${experiment.name}.json`), `${JSON.stringify({ machine, ...raw }, null, 2)}\n`);
        progress.step(`done in ${Math.round(raw.durationMs / 1000)} s`);
      } catch (error) {
        failures += 1;
        progress.warn(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
    progress.section("report");
    const report = await writeReport(args.out, machine);
    progress.step(`wrote ${relative(process.cwd(), report)}`);
  } finally {
    if (args.keepWork) progress.step(`scratch kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
  process.exitCode = failures > 0 ? 1 : 0;
}

/** Renders report.md and the charts from every experiment JSON present in `out`. */
export async function writeReport(out: string, machine: MachineInfo): Promise<string> {
  const sections: string[] = [];
  const headline: string[] = [];
  const data: Partial<Record<ExperimentName, unknown>> = {};
  for (const experiment of EXPERIMENTS) {
    const file = join(out, `${experiment.name}.json`);
    if (!existsSync(file)) continue;
    const raw = JSON.parse(readFileSync(file, "utf8")) as RawResult<never> & { machine?: MachineInfo };
    data[experiment.name] = raw.data;
    const rendered = experiment.render(raw);
    const figures: string[] = [];
    for (const chart of rendered.charts) {
      const name = `${experiment.name}-${chart.file}.svg`;
      writeFileSync(join(out, name), await renderSvg(chart.spec));
      figures.push(`![${chart.title}](${name})`);
    }
    headline.push(...rendered.headline.map((line) => `- ${line}`));
    sections.push(
      [
        `## ${experiment.title}`,
        `_${raw.quick ? "Quick" : "Full"} run started ${raw.startedAt}, ${Math.round(raw.durationMs / 1000)} s. Raw figures: [${experiment.name}.json](${experiment.name}.json)._`,
        rendered.markdown,
        ...figures,
      ].join("\n\n"),
    );
  }
  const report = [
    `# TerraFix benchmark report — ${out.split(/[\\/]/).pop() ?? ""}`,
    "## Machine",
    machineMarkdown(machine),
    "## Headline figures",
    headline.length > 0 ? headline.join("\n") : "_No experiment results in this folder yet._",
    ...(data.scale !== undefined || data.throughput !== undefined ? [targetsMarkdown(data.scale as ScaleData | undefined, data.throughput as ThroughputData | undefined)] : []),
    // Accuracy on public corpora is written by hand from `npm run eval` runs; keep it beside the figures.
    ...(existsSync(join(out, "accuracy.md")) ? ["## Accuracy\n\nMatch accuracy on public corpora: [accuracy.md](accuracy.md)."] : []),
    ...sections,
    "---\n_Generated by `npm run bench` (bench/run.ts). Benchmarks measure; they assert nothing._",
  ].join("\n\n");
  const path = join(out, "report.md");
  writeFileSync(path, `${report}\n`);
  return path;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  });
}
