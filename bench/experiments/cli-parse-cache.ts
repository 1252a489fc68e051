/**
 * Whole-process timings of `terrafix check` and `terrafix match`, cold (empty persistent parse
 * cache) and warm (the cache a previous call left in TERRAFIX_WORK_DIR), with peak RSS, beside
 * `terraform fmt -check -recursive` on the same generated tree, in the same run (issue 17).
 * Prints figures; asserts nothing. Run: npm run build && npx tsx bench/experiments/cli-parse-cache.ts
 *
 * BENCH_SIZES (default 1000,5000,20000 resources), BENCH_RUNS (default 3; medians of wall time,
 * maximum of peak RSS), BENCH_CLIS (default `new=dist/main.js`; several as `label=path,...`, e.g.
 * a build of an older commit, are run in turns, so a busy machine slows them alike; `path@0`
 * runs with TERRAFIX_PARSE_CACHE_MAX_MB=0).
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateTerraformRepo, type ManifestResource } from "../generators/terraform-repo.js";

const SIZES = (process.env.BENCH_SIZES ?? "1000,5000,20000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CLIS = (process.env.BENCH_CLIS ?? "new=dist/main.js").split(",").map((entry) => {
  const [label = "", spec = ""] = entry.split("=");
  // `path@0`: with TERRAFIX_PARSE_CACHE_MAX_MB=0 (no persistent cache).
  const [path = "", maxMb] = spec.split("@");
  return { label, path: resolve(path), env: maxMb === undefined ? {} : { TERRAFIX_PARSE_CACHE_MAX_MB: maxMb } };
});

interface Timed {
  seconds: number;
  /** User + system CPU seconds of the process and its threads: less at the mercy of a busy machine than wall time. */
  cpu: number;
  rssMb: number;
  out: string;
}

/** One process under GNU time: wall seconds and maximum resident set size (kB). */
async function timed(scratch: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  const report = join(scratch, "time.txt");
  const result = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", "-o", report, command, ...args], { cwd: scratch, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  // check exits 1 with findings, match 1 without a single match, fmt -check 3 for unformatted files.
  if (result.status !== 0 && result.status !== 1 && result.status !== 3) throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr.slice(0, 500)}`);
  const [seconds = "0", user = "0", system = "0", kb = "0"] = (await readFile(report, "utf8")).trim().split(/\s+/).slice(-4);
  return { seconds: Number(seconds), cpu: Number(user) + Number(system), rssMb: Math.round(Number(kb) / 1024), out: result.stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

interface Row {
  label: string;
  runs: Timed[];
}

const row = (label: string): Row => ({ label, runs: [] });
const seconds = (r: Row): number => median(r.runs.map((t) => t.seconds));

async function main(): Promise<void> {
  console.log(`${CLIS.map((c) => `${c.label}: ${c.path}`).join("; ")}; ${RUNS} runs per figure (median wall time, max peak RSS)`);
  for (const resources of SIZES) {
    const scratch = await mkdtemp(join(tmpdir(), "terrafix-cli-cache-"));
    try {
      const repo = join(scratch, "repo");
      const manifest = await generateTerraformRepo(repo, { resources, files: Math.max(10, Math.round(resources / 16)), moduleDepth: 3, seed: 17, companions: true, mtime: new Date(Date.now() - 60_000) });
      const target: ManifestResource | undefined = manifest.resources.find((r) => !r.idOnly);
      if (target === undefined) throw new Error("no nameable resource");
      const work = (name: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ TERRAFIX_WORK_DIR: join(scratch, name), LOG_LEVEL: "silent", ...env });
      const commands = { check: ["check", "--repo", repo, "--json"], match: ["match", "--repo", repo, "--arn", target.arn, "--json"] };
      const fmt = row("terraform fmt -check -recursive");
      const rows = CLIS.flatMap((cli) => (["check", "match"] as const).flatMap((command) => [{ cli, command, cold: row(`${cli.label} ${command}, cold`), warm: row(`${cli.label} ${command}, warm`) }]));
      for (let i = 0; i < RUNS; i++) {
        fmt.runs.push(await timed(scratch, "terraform", ["fmt", "-check", "-recursive", "-list=false", repo]));
        for (const r of rows) {
          const args = [r.cli.path, ...commands[r.command]];
          r.cold.runs.push(await timed(scratch, process.execPath, args, work(`cold-${r.cli.label}-${r.command}-${i}`, r.cli.env)));
          // Warm: the work dir a previous call of the same command filled (the first cold run's).
          r.warm.runs.push(await timed(scratch, process.execPath, args, work(`cold-${r.cli.label}-${r.command}-0`, r.cli.env)));
        }
      }
      const base = seconds(fmt);
      const baseCpu = median(fmt.runs.map((t) => t.cpu));
      console.log(`\n${resources} resources, ${manifest.files} files`);
      for (const r of [fmt, ...rows.flatMap((x) => [x.cold, x.warm])]) {
        const s = seconds(r);
        const cpu = median(r.runs.map((t) => t.cpu));
        console.log(`  ${r.label.padEnd(34)} wall ${s.toFixed(2).padStart(6)} s (${(s / base).toFixed(2)}× fmt)  cpu ${cpu.toFixed(2).padStart(6)} s (${(cpu / baseCpu).toFixed(2)}× fmt)  ${String(Math.max(...r.runs.map((t) => t.rssMb))).padStart(5)} MB   wall runs ${r.runs.map((t) => t.seconds.toFixed(2)).join(" ")}`);
      }
      for (const r of rows) {
        const outs = new Set([...r.cold.runs, ...r.warm.runs].map((t) => t.out));
        console.log(`  ${r.cli.label} ${r.command}: ${outs.size === 1 ? "one output for every run, cold and warm" : `${outs.size} different outputs`}`);
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}

await main();
