import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { summarize } from "../lib/stats.js";

/**
 * Whole-process figures of the CLI beside `terraform fmt -check -recursive` on the same tree:
 * each pair runs fmt, `check` and `match` one after the other, so a pair shares the moment's
 * machine load (the machine is shared); the ratios are medians of the pairs' own ratios.
 * Peak RSS of a CLI run comes from /usr/bin/time (%M, the child's maxrss) when it exists.
 */
export interface CliRun {
  ms: number;
  /** Peak RSS of the process in MB; null when /usr/bin/time is missing. */
  rssMb: number | null;
  exit: number;
}

export interface CliPair {
  fmt: CliRun;
  check: CliRun;
  match: CliRun;
  load: number;
}

export interface CliFigures {
  pairs: CliPair[];
  fmtMs: number;
  checkMs: number;
  matchMs: number;
  /** Medians over pairs of check/fmt and match/fmt. */
  checkRatio: number;
  matchRatio: number;
  checkRssMb: number | null;
  matchRssMb: number | null;
  /** The first pair (empty persistent parse cache) and the median of the later pairs (filled): ms and ratio to fmt. */
  cold: { checkMs: number; matchMs: number; checkRatio: number; matchRatio: number };
  warm: { checkMs: number; matchMs: number; checkRatio: number; matchRatio: number } | null;
  /** What `match` answered (status and first candidate, from one more run outside the pairs). */
  matchStatus: string;
}

export interface StartupFigures {
  /** `node dist/main.js --version`, median. */
  versionMs: number;
  /** `bin/terrafix.js --version` (the installed bin), median. */
  binVersionMs: number;
  helpMs: number;
  /** `node -e ""`: the floor any Node CLI pays. */
  bareNodeMs: number;
  runs: number;
}

const ROOT = join(import.meta.dirname, "..", "..");
const MAIN = join(ROOT, "dist", "main.js");
const BIN = join(ROOT, "bin", "terrafix.js");
const TIME = "/usr/bin/time";

export function cliAvailable(): string | undefined {
  return existsSync(MAIN) ? undefined : "dist/main.js is missing: run `npm run build` before the benchmark";
}

/** Runs a command to completion; the wall time is measured around the whole process. */
export function timeProcess(command: string, args: string[], cwd = ROOT, env: Record<string, string> = {}): Promise<CliRun> {
  const scratch = mkdtempSync(join(tmpdir(), "terrafix-time-"));
  const rssFile = join(scratch, "rss");
  const wrapped = existsSync(TIME);
  const [file, argv] = wrapped ? [TIME, ["-f", "%M", "-o", rssFile, command, ...args]] : [command, args];
  const start = performance.now();
  return new Promise((resolve) => {
    execFile(file, argv, { cwd, maxBuffer: 512 * 1024 * 1024, env: { ...process.env, LOG_LEVEL: "silent", ...env } }, (error) => {
      const ms = Math.round((performance.now() - start) * 10) / 10;
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : -1;
      let rssMb: number | null = null;
      if (wrapped) {
        // GNU time writes "Command exited with non-zero status N" before the figure.
        const kb = Number(readFileSync(rssFile, "utf8").trim().split("\n").pop());
        rssMb = Number.isFinite(kb) ? Math.round((kb / 1024) * 10) / 10 : null;
      }
      rmSync(scratch, { recursive: true, force: true });
      resolve({ ms, rssMb, exit: code });
    });
  });
}

export async function measureCli(dir: string, matchArgs: string[], pairs: number, onStep: (line: string) => void): Promise<CliFigures> {
  const terraform = process.env.TERRAFIX_TERRAFORM_BIN ?? "terraform";
  const runs: CliPair[] = [];
  // A work dir of its own: the first pair starts with an empty persistent parse cache, later pairs find it filled.
  const work = mkdtempSync(join(tmpdir(), "terrafix-cli-work-"));
  const env = { TERRAFIX_WORK_DIR: work };
  for (let i = 0; i < pairs; i++) {
    const load = loadavg()[0] ?? 0;
    // Exit 3 from fmt = "some files need formatting", exit 1 from check = "a control fails": complete runs.
    const fmt = await timeProcess(terraform, ["fmt", "-check", "-recursive", "-list=false", dir]);
    const check = await timeProcess(process.execPath, [MAIN, "check", "--repo", dir, "--json"], ROOT, env);
    const match = await timeProcess(process.execPath, [MAIN, "match", "--repo", dir, ...matchArgs, "--json"], ROOT, env);
    runs.push({ fmt, check, match, load });
    onStep(`pair ${i + 1}/${pairs}: fmt ${fmt.ms} ms, check ${check.ms} ms (exit ${check.exit}), match ${match.ms} ms`);
  }
  const med = (xs: number[]): number => summarize(xs).p50;
  const rss = (xs: (number | null)[]): number | null => (xs.every((x) => x !== null) ? med(xs) : null);
  const status = await matchStatusOf(dir, matchArgs, env);
  const figures = (list: CliPair[]) => ({
    checkMs: med(list.map((r) => r.check.ms)),
    matchMs: med(list.map((r) => r.match.ms)),
    checkRatio: med(list.map((r) => r.check.ms / r.fmt.ms)),
    matchRatio: med(list.map((r) => r.match.ms / r.fmt.ms)),
  });
  rmSync(work, { recursive: true, force: true });
  return {
    pairs: runs,
    fmtMs: med(runs.map((r) => r.fmt.ms)),
    checkMs: med(runs.map((r) => r.check.ms)),
    matchMs: med(runs.map((r) => r.match.ms)),
    checkRatio: med(runs.map((r) => r.check.ms / r.fmt.ms)),
    matchRatio: med(runs.map((r) => r.match.ms / r.fmt.ms)),
    checkRssMb: rss(runs.map((r) => r.check.rssMb)),
    matchRssMb: rss(runs.map((r) => r.match.rssMb)),
    cold: figures(runs.slice(0, 1)),
    warm: runs.length > 1 ? figures(runs.slice(1)) : null,
    matchStatus: status,
  };
}

/** The match's JSON status, from one extra run (kept out of the timed pairs). */
export function matchStatusOf(dir: string, matchArgs: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, "match", "--repo", dir, ...matchArgs, "--json"], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LOG_LEVEL: "silent", ...env } }, (_error, stdout) => {
      try {
        const parsed = JSON.parse(stdout) as { status?: string; candidates?: { address?: string }[] };
        resolve(`${parsed.status ?? "?"} ${parsed.candidates?.[0]?.address ?? ""}`.trim());
      } catch {
        resolve("no JSON answer");
      }
    });
  });
}

export async function measureStartup(runs: number): Promise<StartupFigures> {
  const med = async (command: string, args: string[]): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push((await timeProcess(command, args)).ms);
    return summarize(times).p50;
  };
  return {
    versionMs: await med(process.execPath, [MAIN, "--version"]),
    binVersionMs: await med(process.execPath, [BIN, "--version"]),
    helpMs: await med(process.execPath, [MAIN, "--help"]),
    bareNodeMs: await med(process.execPath, ["-e", ""]),
    runs,
  };
}
