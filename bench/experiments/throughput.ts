import { loadavg } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/observability/logger.js";
import { boxPlot, lineChart } from "../lib/charts.js";
import { loadDaemon, type DaemonModule, type FinishedJob } from "../lib/daemon.js";
import type { Experiment, ExperimentContext, RawResult, RenderedSection } from "../lib/experiment.js";
import { buildFleet, spreadTargets, type Fleet, type FleetRepoSpec } from "../lib/fleet.js";
import { startHarness } from "../lib/harness.js";
import { realisticLatency } from "../lib/latency.js";
import { ms, num, pct, table } from "../lib/markdown.js";
import { summarize, type Summary } from "../lib/stats.js";
import { burstStream, testsAt } from "../generators/failures.js";
import { countPulls, cpuMs, serviceMs, STAGES } from "./daemon-figures.js";

/**
 * Experiment 1, throughput and latency: the real daemon (buildRuntime + one poll cycle) against
 * the fakes with the latency models, at several worker-pool sizes. Each level starts from fresh
 * fakes, a fresh state store and an empty clone cache, with the same failures.
 */
export interface Level {
  concurrency: number;
  pacing: boolean;
  jobs: number;
  wallMs: number;
  perMinute: number;
  outcomes: Record<string, number>;
  stages: Record<string, Summary>;
  endToEnd: Summary;
  service: Summary;
  cpuUtilisation: number;
  /** CPU ms per job of this process (TerraFix and the in-process fakes) and of its git/terraform children. */
  cpuPerJobMs?: number;
  childCpuPerJobMs?: number;
  /** Per job: index + match + verify, the stages that wait on no remote service. */
  local?: Summary;
  /** Per job: index + match (what the shared index and the lookups address; verify runs terraform fmt). */
  indexMatch?: Summary;
  /** 1-minute load average at the start of the level (the machine is shared). */
  load?: number;
  pulls: number;
  duplicatePulls: number;
  githubWrites: number;
  bedrockCalls: number;
  samples: { stage: string; ms: number }[];
}

export interface ThroughputData {
  unavailable?: string;
  latency: string;
  repos: { name: string; resources: number; bytes: number }[];
  levels: Level[];
}

/** Stages that wait on no remote service (workspace waits on git, generate on the model, publish on GitHub). */
export const LOCAL_STAGES = ["index", "match", "verify"] as const;

const REPOS: FleetRepoSpec[] = [
  { name: "svc-small", resources: 10, files: 3, moduleDepth: 1 },
  { name: "svc-medium", resources: 100, files: 12, moduleDepth: 2 },
  { name: "platform-large", resources: 500, files: 40, moduleDepth: 3 },
];

async function run(ctx: ExperimentContext): Promise<ThroughputData> {
  const scale = ctx.quick ? 0.25 : 0.5;
  const latency = realisticLatency(scale);
  const daemon = await loadDaemon();
  if ("unavailable" in daemon) {
    ctx.progress.warn(`daemon not available: ${daemon.unavailable}`);
    return { unavailable: daemon.unavailable, latency: latency.describe(), repos: [], levels: [] };
  }
  ctx.progress.step("generating repositories");
  const fleet = await buildFleet(ctx.workDir, REPOS);
  // Pacing on is production; pacing off shows what the rest of the pipeline could do.
  const plan: { concurrency: number; pacing: boolean; jobs: number }[] = ctx.quick
    ? [1, 5, 20].map((concurrency) => ({ concurrency, pacing: false, jobs: 20 }))
    : [
        ...[1, 5, 20].map((concurrency) => ({ concurrency, pacing: true, jobs: 16 })),
        ...[1, 5, 10, 20].map((concurrency) => ({ concurrency, pacing: false, jobs: 24 })),
      ];
  const levels: Level[] = [];
  for (const [i, step] of plan.entries()) {
    ctx.progress.step(`concurrency ${step.concurrency}, GitHub write pacing ${step.pacing ? "on" : "off"}: ${step.jobs} failures`);
    const level = await runLevel(ctx, daemon, fleet, { ...step, scale, index: i });
    ctx.progress.step(
      `→ ${num(level.perMinute)} jobs/min, end-to-end P50 ${ms(level.endToEnd.p50)}, outcomes ${JSON.stringify(level.outcomes)}`,
    );
    levels.push(level);
  }
  return { latency: latency.describe(), repos: fleet.repos.map((r) => ({ name: r.name, resources: r.resources, bytes: r.bytes })), levels };
}

async function runLevel(
  ctx: ExperimentContext,
  daemon: DaemonModule,
  fleet: Fleet,
  o: { concurrency: number; pacing: boolean; jobs: number; scale: number; index: number },
): Promise<Level> {
  const work = join(ctx.workDir, `level-${o.index}`);
  const harness = await startHarness({ repos: fleet.repos, latency: realisticLatency(o.scale, 100 + o.index), work, pacing: o.pacing, seed: o.index + 1 });
  const targets = spreadTargets(fleet.targets, o.jobs);
  const stream = burstStream(targets, { count: targets.length, windowMs: 0 });
  harness.vanta.setTests(testsAt(stream, 0));
  const finished: FinishedJob[] = [];
  let t0 = 0;
  const runtime = await daemon.buildRuntime(
    daemon.loadConfig({ env: harness.env({ TERRAFIX_CONCURRENCY: String(o.concurrency), TERRAFIX_QUEUE_SIZE: "100" }) }),
    { logger: silentLogger(), onJobFinished: (job, result) => {
      finished.push({ atMs: performance.now() - t0, job, result });
      ctx.progress.tick(`${finished.length}/${targets.length} jobs finished`);
    } },
  );
  try {
    const load = loadavg()[0] ?? 0;
    const cpu = cpuMs();
    const own = process.cpuUsage();
    t0 = performance.now();
    await runtime.daemon.runOnce();
    const wallMs = performance.now() - t0;
    const usedMs = cpuMs() - cpu;
    const ownUsage = process.cpuUsage(own);
    const ownMs = (ownUsage.user + ownUsage.system) / 1000;
    const outcomes: Record<string, number> = {};
    for (const f of finished) outcomes[f.result.outcome.type] = (outcomes[f.result.outcome.type] ?? 0) + 1;
    const stages: Record<string, Summary> = {};
    const samples: Level["samples"] = [];
    for (const stage of STAGES) {
      const values = finished.map((f) => f.result.timings[stage]).filter((v): v is number => typeof v === "number");
      if (values.length === 0) continue;
      stages[stage] = summarize(values);
      for (const v of values) samples.push({ stage, ms: Math.max(v, 0.1) });
    }
    for (const f of finished) samples.push({ stage: "end to end", ms: f.atMs });
    const pulls = countPulls(harness.github, fleet.repos);
    const last = Math.max(0, ...finished.map((f) => f.atMs));
    return {
      concurrency: o.concurrency,
      pacing: o.pacing,
      jobs: finished.length,
      wallMs: Math.round(wallMs),
      perMinute: finished.length === 0 ? 0 : (finished.length / last) * 60_000,
      outcomes,
      stages,
      endToEnd: summarize(finished.map((f) => f.atMs)),
      service: summarize(finished.map((f) => serviceMs(f.result.timings))),
      cpuUtilisation: usedMs / wallMs / ctx.machine.cores,
      cpuPerJobMs: finished.length === 0 ? Number.NaN : ownMs / finished.length,
      childCpuPerJobMs: finished.length === 0 ? Number.NaN : Math.max(0, usedMs - ownMs) / finished.length,
      local: summarize(finished.map((f) => LOCAL_STAGES.reduce((sum, stage) => sum + (f.result.timings[stage] ?? 0), 0))),
      indexMatch: summarize(finished.map((f) => (f.result.timings.index ?? 0) + (f.result.timings.match ?? 0))),
      load,
      pulls: pulls.total,
      duplicatePulls: pulls.duplicates,
      githubWrites: harness.github.state.requests.filter((r) => r.method !== "GET").length,
      bedrockCalls: harness.bedrock.requests.length,
      samples,
    };
  } finally {
    await runtime.daemon.gracefulShutdown(0).catch(() => undefined);
    await runtime.close();
    await harness.close();
  }
}

/** Jobs a minute the latency model and concurrency allow (Little's law with the uncontended job time). */
function latencyBound(level: Level, uncontendedMs: number): number {
  // More workers than jobs cannot help: the bound uses the concurrency the jobs can fill.
  return (Math.min(level.concurrency, level.jobs) / uncontendedMs) * 60_000;
}

/**
 * GitHub's write pacing (octokit's throttling plugin, as GitHub asks): writes at least 1 s apart,
 * pull-request creations 3 s apart, so a job making w writes takes max(w, 3) s of the pacer.
 * https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#pause-between-mutative-requests
 */
function pacingBound(level: Level): number {
  if (!level.pacing || level.pulls === 0) return Number.POSITIVE_INFINITY;
  const writesPerJob = level.githubWrites / level.pulls;
  return 60 / Math.max(writesPerJob, 3);
}

function render(raw: RawResult<ThroughputData>): RenderedSection {
  const d = raw.data;
  if (d.unavailable !== undefined) {
    return { markdown: `**Daemon not available** — not run: ${d.unavailable}`, charts: [], headline: ["Throughput: daemon not available, not measured."] };
  }
  const series = (pacing: boolean) => d.levels.filter((l) => l.pacing === pacing);
  const groups = [true, false].map((pacing) => series(pacing)).filter((g) => g.length > 0);
  const rows: (string | number)[][] = [];
  const points: { concurrency: number; perMinute: number; series: string }[] = [];
  const bottlenecks: string[] = [];
  for (const group of groups) {
    const base = group.find((l) => l.concurrency === 1) ?? group[0]!;
    const uncontended = base.service.mean;
    for (const level of group) {
      const lb = latencyBound(level, uncontended);
      const pb = pacingBound(level);
      const bound = Math.min(lb, pb);
      const efficiency = level.perMinute / bound;
      const label = level.pacing ? "pacing on" : "pacing off";
      points.push({ concurrency: level.concurrency, perMinute: level.perMinute, series: `measured, ${label}` });
      points.push({ concurrency: level.concurrency, perMinute: bound, series: `bound, ${label}` });
      rows.push([
        `${level.concurrency} (${label})`,
        level.jobs,
        num(level.perMinute),
        `${num(lb)} / ${Number.isFinite(pb) ? num(pb) : "—"}`,
        pct(efficiency),
        `${ms(level.endToEnd.p50)} / ${ms(level.endToEnd.p95)} / ${ms(level.endToEnd.p99)}`,
        ms(level.service.mean),
        pct(level.cpuUtilisation),
        `${ms(level.cpuPerJobMs)} / ${ms(level.childCpuPerJobMs)}`,
        level.local === undefined ? "—" : `${ms(level.local.p50)} / ${ms(level.local.p95)}`,
        level.indexMatch === undefined ? "—" : `${ms(level.indexMatch.p50)} / ${ms(level.indexMatch.p95)}`,
        `${ms(level.stages.index?.p95)} / ${ms(level.stages.match?.p95)} / ${ms(level.stages.verify?.p95)}`,
        num(level.load ?? Number.NaN, 1),
        Object.entries(level.outcomes).map(([k, v]) => `${k} ${v}`).join(", "),
        `${level.pulls} (${level.duplicatePulls} dup.)`,
      ]);
    }
    const top = group[group.length - 1]!;
    bottlenecks.push(bottleneck(top, base, latencyBound(top, uncontended), pacingBound(top)));
  }
  const stageLevel = groups[0]!.find((l) => l.concurrency === 5) ?? groups[0]![0]!;
  const stageRows = Object.entries(stageLevel.stages).map(([stage, s]) => [stage, s.count, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.mean)]);
  const best = [...d.levels].sort((a, b) => b.perMinute - a.perMinute)[0];
  const pacedTop = series(true).sort((a, b) => b.concurrency - a.concurrency)[0];
  const headline = [
    ...(pacedTop === undefined ? [] : [`Throughput with GitHub write pacing: ${num(pacedTop.perMinute)} failures/min at concurrency ${pacedTop.concurrency}.`]),
    ...(best === undefined ? [] : [`Peak throughput ${num(best.perMinute)} failures/min (concurrency ${best.concurrency}, pacing ${best.pacing ? "on" : "off"}); end-to-end P95 ${ms(best.endToEnd.p95)}.`]),
    `Bottleneck: ${bottlenecks.join("; ")}.`,
  ];
  const markdown = [
    `Latency model: ${d.latency}. Repositories: ${d.repos.map((r) => `${r.name} (${r.resources} resources, ${num(r.bytes / 1024)} KB)`).join(", ")}; the failing resources are S3 buckets spread over them, fixed through the model path (\`TERRAFIX_GENERATOR=llm\`, the fake model answers with a correct fix). Each level: fresh fakes, state store and clone cache; one poll, then every job to completion (\`daemon.runOnce\`).`,
    "*Throughput* = jobs / time to the last job's end. *Bound* = min(min(concurrency, jobs) / mean uncontended job time (concurrency 1), GitHub write pacing: max(writes per job, 3) s per job). *End to end* = from the start of the cycle (poll included) to the job's end, so it includes queueing.",
    "*CPU per job*: this process (TerraFix together with the in-process fakes of Vanta, GitHub and Bedrock, which cannot be told apart here) / its git and terraform child processes. *Local stages* = index + match + verify per job, the stages that wait on no remote service (P50 / P95), then each one's P95.",
    table(["concurrency", "jobs", "jobs/min", "bound: latency / pacing", "efficiency", "end to end P50/P95/P99", "mean job time", "CPU (incl. git)", "CPU per job: process / children", "local stages P50 / P95", "index + match P50 / P95", "P95 index / match / verify", "load (1 min)", "outcomes", "PRs"], rows),
    `### Stage latency (concurrency ${stageLevel.concurrency}, pacing ${stageLevel.pacing ? "on" : "off"})`,
    table(["stage", "jobs", "P50", "P95", "P99", "mean"], stageRows),
    `**Bottleneck**: ${bottlenecks.join("; ")}.`,
  ].join("\n\n");
  return {
    markdown,
    headline,
    charts: [
      {
        file: "throughput",
        title: "Throughput against concurrency",
        spec: lineChart({
          title: "Failures per minute against worker-pool size",
          data: points,
          x: { field: "concurrency", title: "concurrency (workers)" },
          y: { field: "perMinute", title: "failures per minute" },
          color: { field: "series", title: "" },
          dashed: ["bound, pacing on", "bound, pacing off"],
        }),
      },
      {
        file: "latency",
        title: "Latency distribution per stage",
        spec: boxPlot({
          title: `Latency per stage and end to end (concurrency ${stageLevel.concurrency}, pacing ${stageLevel.pacing ? "on" : "off"})`,
          data: stageLevel.samples,
          group: { field: "stage", title: "stage", sort: [...STAGES, "end to end"] },
          value: { field: "ms", title: "milliseconds (log)", log: true },
        }),
      },
    ],
  };
}

/**
 * Names what limits the highest concurrency of a series: the pacing bound when throughput sits
 * on it, otherwise the stage whose time grew most from concurrency 1 (where jobs queue).
 */
function bottleneck(level: Level, base: Level, latency: number, pacing: number): string {
  const label = `concurrency ${level.concurrency}, pacing ${level.pacing ? "on" : "off"}`;
  if (pacing < latency && level.perMinute >= 0.6 * pacing) return `GitHub write pacing (${label}: ${num(level.perMinute)} of a ${num(pacing)}/min pacing bound)`;
  const growth = Object.entries(level.stages)
    .map(([stage, s]) => ({ stage, now: s.mean, before: base.stages[stage]?.mean ?? 0 }))
    .sort((a, b) => b.now - b.before - (a.now - a.before))[0];
  if (growth === undefined) return `unknown (${label})`;
  const why =
    growth.stage === "publish"
      ? ": requests queue in the GitHub client, whose throttling plugin keeps at most 10 in flight"
      : growth.stage === "index" || growth.stage === "workspace" || growth.stage === "verify"
        ? `: CPU and git processes contend on ${level.cpuUtilisation >= 0.5 ? "busy" : "the"} cores (CPU ${pct(level.cpuUtilisation)})`
        : "";
  return `the ${growth.stage} stage (${label}: mean ${ms(growth.before)} at concurrency ${base.concurrency} → ${ms(growth.now)}${why})`;
}

export const throughputExperiment: Experiment<ThroughputData> = { name: "throughput", title: "Experiment 1 — throughput and latency", run, render };
