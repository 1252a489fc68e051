import { LEADER_TTL_MS } from "../../src/daemon/daemon.js";
import { join } from "node:path";
import { lineChart } from "../lib/charts.js";
import { loadDaemon } from "../lib/daemon.js";
import type { Experiment, ExperimentContext, RawResult, RenderedSection } from "../lib/experiment.js";
import { buildFleet, PUBLIC_ACCESS_TEST, type FleetRepoSpec } from "../lib/fleet.js";
import { startHarness, type FaultRates } from "../lib/harness.js";
import { realisticLatency } from "../lib/latency.js";
import { ms, pct, table } from "../lib/markdown.js";
import { burstStream, cascadeStream, steadyStream, type FailureStream } from "../generators/failures.js";
import { runInProcess, runWithKill, type WorkloadResult } from "./resilience-run.js";

/**
 * Experiment 2, resilience: the real daemon (poll loop + worker pool) fed by steady, burst and
 * cascade failure streams through the fake Vanta, with faults injected at stated rates into
 * Bedrock, GitHub and git; then a burst during which the daemon process is SIGKILLed and
 * restarted. Duplicate pull requests and lost failures must both be 0.
 */
export interface ResilienceData {
  unavailable?: string;
  latency: string;
  faults: FaultRates;
  concurrency: number;
  leaseSeconds: number;
  runs: WorkloadResult[];
}

const REPOS: FleetRepoSpec[] = [
  { name: "svc-small", resources: 10, files: 3, moduleDepth: 1 },
  { name: "svc-medium", resources: 100, files: 12, moduleDepth: 2 },
  { name: "platform-large", resources: 500, files: 40, moduleDepth: 3 },
];

/** The stated fault rates (per request of each kind). */
const FAULTS: FaultRates = { bedrockThrottle: 0.2, githubSecondary: 0.1, github5xx: 0.05, gitTimeout: 0.1 };
const CONCURRENCY = 5;
/** The smallest lease TerraFix accepts: a killed daemon's jobs wait this long before another worker takes them. */
const LEASE_SECONDS = 10;

async function run(ctx: ExperimentContext): Promise<ResilienceData> {
  const scale = ctx.quick ? 0.25 : 0.5;
  const latency = realisticLatency(scale, 7);
  const base = { latency: latency.describe(), faults: FAULTS, concurrency: CONCURRENCY, leaseSeconds: LEASE_SECONDS };
  const daemon = await loadDaemon();
  if ("unavailable" in daemon) {
    ctx.progress.warn(`daemon not available: ${daemon.unavailable}`);
    return { ...base, unavailable: daemon.unavailable, runs: [] };
  }
  ctx.progress.step("generating repositories");
  const fleet = await buildFleet(ctx.workDir, REPOS);
  const targets = fleet.targets;
  const q = ctx.quick;
  const streams: FailureStream[] = [
    steadyStream(targets, { count: q ? 5 : 15, meanGapMs: (q ? 2 : 6) * 1000 }),
    burstStream(targets, { count: q ? 8 : 20, windowMs: q ? 8_000 : 60_000 }),
    cascadeStream(targets, { count: q ? 8 : 30, windowMs: q ? 2_000 : 10_000, testIds: [PUBLIC_ACCESS_TEST.id] }),
  ];
  const runs: WorkloadResult[] = [];
  for (const [i, stream] of streams.entries()) {
    ctx.progress.step(`${stream.kind}: ${stream.description}, faults ${JSON.stringify(FAULTS)}`);
    const harness = await startHarness({ repos: fleet.repos, latency: realisticLatency(scale, 20 + i), work: join(ctx.workDir, `run-${i}`), pacing: false, seed: 20 + i });
    try {
      const result = await runInProcess({ daemon, harness, fleet, stream, faults: FAULTS, concurrency: CONCURRENCY, timeoutMs: (q ? 60 : 180) * 1000 + stream.durationMs, onTick: (m) => ctx.progress.tick(m) });
      ctx.progress.step(`→ ${result.done}/${result.failures} done, ${result.failed} failed, ${result.retried} retried, ${result.duplicatePulls} duplicate PRs, ${result.lost} lost, drain ${ms(result.drainMs)}`);
      runs.push(result);
    } catch (error) {
      ctx.progress.warn(`${stream.kind} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await harness.close();
    }
  }
  // Full: killed mid-burst, as issue 8 asks. Quick: killed once the (2 s) burst has been polled,
  // so the restart does not wait out the dead process's 60 s poller lease within the 3 minutes.
  const killStream = burstStream(targets, { count: q ? 8 : 20, windowMs: q ? 2_000 : 15_000, seed: 99 });
  const killAfter = q ? 3 : 5;
  ctx.progress.step(`burst with SIGKILL: ${killStream.description}; the daemon process is killed after ${killAfter} PRs and restarted`);
  const harness = await startHarness({ repos: fleet.repos, latency: realisticLatency(scale, 40), work: join(ctx.workDir, "run-kill"), pacing: false, seed: 40 });
  try {
    const result = await runWithKill({
      daemon,
      harness,
      fleet,
      stream: killStream,
      faults: {},
      concurrency: CONCURRENCY,
      timeoutMs: (q ? 90 : 240) * 1000,
      killAfterPulls: killAfter,
      onTick: (m) => ctx.progress.tick(m),
    });
    ctx.progress.step(`→ ${result.done}/${result.failures} done after the restart, ${result.duplicatePulls} duplicate PRs, ${result.lost} lost`);
    runs.push(result);
  } catch (error) {
    ctx.progress.warn(`SIGKILL run failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await harness.close();
  }
  return { ...base, runs };
}

function render(raw: RawResult<ResilienceData>): RenderedSection {
  const d = raw.data;
  if (d.unavailable !== undefined) {
    return { markdown: `**Daemon not available** — not run: ${d.unavailable}`, charts: [], headline: ["Resilience: daemon not available, not measured."] };
  }
  const rows = d.runs.map((r) => [
    r.workload,
    r.description,
    Object.entries(r.injected).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(", ") || "none",
    `${r.done} / ${r.failed} / ${r.unfinished}`,
    `${r.retried} (${pct(r.retried === 0 ? Number.NaN : r.retriedThenDone / r.retried)})`,
    `${r.attempts} / ${r.runs ?? "—"}`,
    r.drainMs === null ? (r.kill === undefined ? "timed out" : "—") : ms(r.drainMs),
    `${r.pulls}`,
    r.duplicatePulls,
    r.lost,
    Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(", "),
  ]);
  const kill = d.runs.find((r) => r.kill !== undefined);
  const queue = d.runs.flatMap((r) => r.queue.map((p) => ({ t: p.t, depth: p.waiting + p.running + p.retrying, workload: r.workload })));
  const dup = d.runs.reduce((s, r) => s + r.duplicatePulls, 0);
  const lost = d.runs.reduce((s, r) => s + r.lost, 0);
  const retried = d.runs.reduce((s, r) => s + r.retried, 0);
  const retriedDone = d.runs.reduce((s, r) => s + r.retriedThenDone, 0);
  const headline = [
    `Resilience under faults (${faultText(d.faults)}): ${dup} duplicate PRs, ${lost} lost failures over ${d.runs.length} runs${kill === undefined ? "" : " including a SIGKILL and restart"}; retried jobs that then succeeded: ${pct(retried === 0 ? Number.NaN : retriedDone / retried)} (${retriedDone}/${retried}).`,
  ];
  const markdown = [
    `Latency model: ${d.latency}. Worker pool ${d.concurrency}, poll every 1 s, job retries with exponential backoff from 1 s (at most 6 attempts), git timeout 2 s, GitHub write pacing off (the injected secondary limits stand in for it). Faults: ${faultText(d.faults)}; each run uses the same rates, the SIGKILL run none.`,
    "*Done / failed / unfinished* are the job records at the end. *Retried* = jobs that needed more than one attempt, and the share of them that ended done. *Attempts / runs* = claims counted by the state store / pipeline runs that reached an outcome; more attempts than runs means a job was claimed again while an earlier claim had not finished (its lease expired, e.g. while it waited in the worker pool's queue). *Drain* = from the last failure's arrival to the last job's end (recovery time). *Duplicate PRs* = pull requests sharing a head branch. *Lost* = failures Vanta reported that have no job record.",
    table(["workload", "stream", "faults injected", "done / failed / unfinished", "retried (then done)", "attempts / runs", "drain", "PRs", "duplicate PRs", "lost", "outcomes"], rows),
    ...(kill?.kill === undefined
      ? []
      : [`SIGKILL run: the daemon process was killed ${ms(kill.kill.killedAtMs)} into the burst with ${kill.kill.pullsBeforeKill} pull requests open; the restarted process finished the rest in ${ms(kill.kill.restartMs)}. Its jobs' leases expire after ${d.leaseSeconds} s; its first poll came ${kill.kill.firstPollMs === null ? "never" : ms(kill.kill.firstPollMs)} after the restart, because the killed process still held the poller leader lease (TTL ${LEADER_TTL_MS / 1000} s, renewed by the leader's heartbeat), so failures Vanta reported after the kill wait for that lease to expire.`]),
    ...attemptErrorTable(d.runs),
  ].join("\n\n");
  return {
    markdown,
    headline,
    charts:
      queue.length === 0
        ? []
        : [
            {
              file: "queue-depth",
              title: "Queue depth over time",
              spec: lineChart({
                title: "Jobs waiting, running or due for retry, over time",
                data: queue,
                x: { field: "t", title: "seconds since the stream started" },
                y: { field: "depth", title: "jobs" },
                color: { field: "workload", title: "workload" },
                points: false,
              }),
            },
          ],
  };
}

/** Why attempts failed, per workload: what the retries were retrying. */
function attemptErrorTable(runs: WorkloadResult[]): string[] {
  const rows = runs.flatMap((r) =>
    Object.entries(r.attemptErrors ?? {})
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([message, count]) => [r.workload, count, `\`${message.replaceAll("`", "'")}\``]),
  );
  return rows.length === 0 ? [] : ["### Why attempts failed", "Attempts that ended failed or deferred, by message (numbers and hashes elided), top five per workload; most were retried.", table(["workload", "attempts", "error"], rows)];
}

function faultText(f: FaultRates): string {
  return [
    `Bedrock throttling ${pct(f.bedrockThrottle ?? 0)} of calls`,
    `GitHub secondary limits ${pct(f.githubSecondary ?? 0)} of writes`,
    `GitHub 502 ${pct(f.github5xx ?? 0)} of requests`,
    `git timeouts ${pct(f.gitTimeout ?? 0)} of git HTTP requests`,
  ].join(", ");
}

export const resilienceExperiment: Experiment<ResilienceData> = { name: "resilience", title: "Experiment 2 — resilience under faults", run, render };
