/**
 * Whole-process timings of `terrafix check` and `terrafix match`, cold (empty persistent parse
 * cache) and warm (the cache a previous call left in TERRAFIX_WORK_DIR), with peak RSS, beside
 * `terraform fmt -check -recursive` on the same generated tree (issue 17). Prints figures;
 * asserts nothing. Run: npm run build && npx tsx bench/experiments/cli-parse-cache.ts
 *
 * BENCH_SIZES (default 1000,5000,20000 resources), BENCH_RUNS (default 3, medians),
 * BENCH_CLI (default dist/main.js: the compiled CLI, as `npx terrafix` runs it).
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateTerraformRepo, type ManifestResource } from "../generators/terraform-repo.js";

const SIZES = (process.env.BENCH_SIZES ?? "1000,5000,20000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CLI = resolve(process.env.BENCH_CLI ?? "dist/main.js");

interface Timed {
  seconds: number;
  rssMb: number;
  code: number | null;
  out: string;
}

/** One process under GNU time: wall seconds and maximum resident set size (kB). */
async function timed(scratch: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  const report = join(scratch, "time.txt");
  const result = spawnSync("/usr/bin/time", ["-f", "%e %M", "-o", report, command, ...args], { cwd: scratch, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  // check exits 1 with findings and match 1 without a single match: anything else is a broken run.
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr.slice(0, 500)}`);
  const [seconds = "0", kb = "0"] = (await readFile(report, "utf8")).trim().split(/\s+/).slice(-2);
  return { seconds: Number(seconds), rssMb: Math.round(Number(kb) / 1024), code: result.status, out: result.stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

interface Row {
  label: string;
  seconds: number;
  rssMb: number;
}

async function measure(scratch: string, label: string, run: (i: number) => Promise<Timed>): Promise<Row & { outs: string[] }> {
  const results: Timed[] = [];
  for (let i = 0; i < RUNS; i++) results.push(await run(i));
  return { label, seconds: median(results.map((r) => r.seconds)), rssMb: Math.max(...results.map((r) => r.rssMb)), outs: results.map((r) => r.out) };
}

async function main(): Promise<void> {
  console.log(`CLI ${CLI}; ${RUNS} runs per figure (median wall time, max peak RSS)`);
  for (const resources of SIZES) {
    const scratch = await mkdtemp(join(tmpdir(), "terrafix-cli-cache-"));
    try {
      const repo = join(scratch, "repo");
      const manifest = await generateTerraformRepo(repo, { resources, files: Math.max(10, Math.round(resources / 16)), moduleDepth: 3, seed: 17, companions: true, mtime: new Date(Date.now() - 60_000) });
      const target: ManifestResource | undefined = manifest.resources.find((r) => !r.idOnly);
      if (target === undefined) throw new Error("no nameable resource");
      const work = (name: string): NodeJS.ProcessEnv => ({ TERRAFIX_WORK_DIR: join(scratch, name), LOG_LEVEL: "silent" });
      const check = ["check", "--repo", repo, "--json"];
      const match = ["match", "--repo", repo, "--arn", target.arn, "--json"];
      const rows = [
        await measure(scratch, "terraform fmt -check -recursive", () => timed(scratch, "terraform", ["fmt", "-check", "-recursive", "-list=false", repo])),
        await measure(scratch, "check, cold", (i) => timed(scratch, process.execPath, [CLI, ...check], work(`cold-check-${i}`))),
        await measure(scratch, "check, warm", (i) => (i === 0 ? timed(scratch, process.execPath, [CLI, ...check], work("warm")) : Promise.resolve(undefined)).then(() => timed(scratch, process.execPath, [CLI, ...check], work("warm")))),
        await measure(scratch, "match, cold", (i) => timed(scratch, process.execPath, [CLI, ...match], work(`cold-match-${i}`))),
        await measure(scratch, "match, warm", (i) => (i === 0 ? timed(scratch, process.execPath, [CLI, ...match], work("warm-match")) : Promise.resolve(undefined)).then(() => timed(scratch, process.execPath, [CLI, ...match], work("warm-match")))),
      ];
      const fmt = rows[0]?.seconds ?? 0;
      const [, checkCold, checkWarm, matchCold, matchWarm] = rows;
      const same = (a?: { outs: string[] }, b?: { outs: string[] }): boolean => a !== undefined && b !== undefined && new Set([...a.outs, ...b.outs]).size === 1;
      console.log(`\n${resources} resources, ${manifest.files} files`);
      for (const row of rows) console.log(`  ${row.label.padEnd(34)} ${row.seconds.toFixed(2).padStart(6)} s  ${String(row.rssMb).padStart(5)} MB  ${fmt > 0 ? `${(row.seconds / fmt).toFixed(2)}× fmt` : ""}`);
      console.log(`  output identical cold vs warm: check ${same(checkCold, checkWarm)}, match ${same(matchCold, matchWarm)}`);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}

await main();
