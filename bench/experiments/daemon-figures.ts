import { readFileSync } from "node:fs";
import type { FakeGitHub } from "../../test/fakes/github-server.js";
import type { StageTimings } from "../../src/observability/stage-timer.js";

/** The pipeline's stages in order (ARCHITECTURE.md); a job's timings may hold fewer. */
export const STAGES = ["workspace", "index", "match", "generate", "verify", "publish"] as const;

/** A job's own time: its recorded total, else the sum of its stages. */
export function serviceMs(timings: StageTimings): number {
  if (typeof timings.total === "number") return timings.total;
  return Object.entries(timings).reduce((sum, [, v]) => sum + (typeof v === "number" ? v : 0), 0);
}

/** Pull requests on the fake GitHub, and how many share a head branch with another (duplicates). */
export function countPulls(github: FakeGitHub, repos: readonly { owner: string; name: string }[]): { total: number; duplicates: number; heads: Set<string> } {
  let total = 0;
  let duplicates = 0;
  const heads = new Set<string>();
  for (const repo of repos) {
    const seen = new Set<string>();
    for (const pull of github.pulls(repo.owner, repo.name)) {
      total += 1;
      if (seen.has(pull.head)) duplicates += 1;
      seen.add(pull.head);
      heads.add(`${repo.owner}/${repo.name}:${pull.head}`);
    }
  }
  return { total, duplicates, heads };
}

/**
 * CPU milliseconds of this process and its waited-for children (git, terraform), from
 * /proc/self/stat (utime, stime, cutime, cstime in clock ticks, 100 a second on Linux); only
 * this process's own time elsewhere.
 */
export function cpuMs(): number {
  const own = process.cpuUsage();
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
    // Fields after "pid (comm) " start at state (field 3): utime is field 14, cstime 17.
    const ticks = [11, 12, 13, 14].map((i) => Number(fields[i]));
    if (ticks.every((t) => Number.isFinite(t))) return ticks.reduce((a, b) => a + b, 0) * 10;
  } catch {
    // not Linux
  }
  return (own.user + own.system) / 1000;
}
