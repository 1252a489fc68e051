/**
 * Scale benchmark for the repository index and matcher (issue 3). Run: npx tsx bench/scale-index.ts
 * Prints figures; asserts nothing. Targets: cold index+match < 2 s, warm match < 50 ms, RSS < 300 MB.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ParseCache, indexRepository } from "../src/terraform/index.js";
import { matchResource, matchResourceValidated } from "../src/terraform/match.js";
import { generateTerraformRepo, type ManifestResource } from "./generators/terraform-repo.js";

const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 5000);
const FILES = Number(process.env.BENCH_FILES ?? 500);
const DEPTH = Number(process.env.BENCH_DEPTH ?? 3);

function identityOf(r: ManifestResource): { arn?: string; kind?: string; name?: string } {
  return r.idOnly ? { arn: r.arn, name: r.name } : { arn: r.arn };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "terrafix-bench-"));
  try {
    const manifest = await generateTerraformRepo(dir, { resources: RESOURCES, files: FILES, moduleDepth: DEPTH, seed: 7, mtime: new Date(Date.now() - 60_000) });
    const deepest = manifest.resources.filter((r) => !r.idOnly).sort((a, b) => b.address.split("module.").length - a.address.split("module.").length)[0];
    const target = deepest ?? manifest.resources[0];
    if (target === undefined) throw new Error("empty manifest");

    const cache = new ParseCache();
    const t0 = performance.now();
    const index = await indexRepository(dir, { cache, validation: "lazy" });
    const t1 = performance.now();
    const cold = await matchResourceValidated(index, identityOf(target));
    const t2 = performance.now();

    const parsedCold = cache.misses;
    // Warm: re-index the unchanged checkout (stat + cache, parses nothing) and match; 5 runs, median.
    const reindexMs: number[] = [];
    const warmMatchMs: number[] = [];
    let warmIndex = index;
    let warm = cold;
    for (let i = 0; i < 5; i++) {
      const w0 = performance.now();
      warmIndex = await indexRepository(dir, { cache, validation: "lazy" });
      const w1 = performance.now();
      // A different resource each time: its kind's names are evaluated and its file validated once.
      warm = await matchResourceValidated(warmIndex, identityOf(manifest.resources[(i * 997) % manifest.resources.length] ?? target));
      const w2 = performance.now();
      reindexMs.push(w1 - w0);
      warmMatchMs.push(w2 - w1);
    }
    const r0 = performance.now();
    await matchResourceValidated(warmIndex, identityOf(target));
    const repeatMs = performance.now() - r0;
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

    // A different resource on the warm index: the per-failure cost once indexed.
    const other = manifest.resources.find((r) => r.idOnly) ?? target;
    const m0 = performance.now();
    const second = await matchResourceValidated(warmIndex, identityOf(other));
    const m1 = performance.now();

    // Eager mode: every file through hcl2json while indexing (the validity gate on everything).
    const e0 = performance.now();
    const eager = await indexRepository(dir, { cache: new ParseCache() });
    const eagerIndexed = performance.now();
    matchResource(eager, identityOf(target));
    const e2 = performance.now();
    const v0 = performance.now();
    await index.validate();
    const v1 = performance.now();

    let fmt = "terraform not on PATH";
    const f0 = performance.now();
    const proc = spawnSync("terraform", ["fmt", "-recursive", "-check"], { cwd: dir, encoding: "utf8" });
    const f1 = performance.now();
    if (proc.error === undefined) fmt = `${(f1 - f0).toFixed(0)} ms (exit ${proc.status ?? "?"}); cold index+match / fmt = ${((t2 - t0) / (f1 - f0)).toFixed(2)}x`;

    const load = (await import("node:os")).loadavg()[0] ?? 0;
    const rssMb = process.resourceUsage().maxRSS / 1024;
    const lines = [
      `repository: ${manifest.resources.length} resources in ${manifest.files} files, modules ${DEPTH} deep`,
      `index: ${index.resources.length} resources, ${index.moduleCalls.length} module calls, ${index.errors.length} errors; files parsed ${cache.misses}`,
      `cold index (lazy):  ${(t1 - t0).toFixed(0)} ms`,
      `cold match:         ${(t2 - t1).toFixed(1)} ms -> ${cold.status} ${cold.candidates[0]?.address ?? "-"} (expected ${target.address})`,
      `cold index + match: ${(t2 - t0).toFixed(0)} ms   (target < 2000 ms)`,
      `eager index + match (hcl2json on all files): ${(e2 - e0).toFixed(0)} ms (index ${(eagerIndexed - e0).toFixed(0)} ms); validating all files afterwards: ${(v1 - v0).toFixed(0)} ms`,
      `warm re-index:      median ${median(reindexMs).toFixed(1)} ms, min ${Math.min(...reindexMs).toFixed(1)} ms (files parsed ${cache.misses - parsedCold})`,
      `warm match:         median ${median(warmMatchMs).toFixed(1)} ms (last: ${warm.status}); re-index + match median ${median(reindexMs.map((r, i) => r + (warmMatchMs[i] ?? 0))).toFixed(1)} ms   (target < 50 ms)`,
      `repeat match of the first resource on the warm index: ${repeatMs.toFixed(2)} ms`,
      `second match (id-only by Name tag): ${(m1 - m0).toFixed(1)} ms -> ${second.status} ${second.candidates[0]?.address ?? "-"} (expected ${other.address})`,
      `peak RSS:           ${rssMb.toFixed(0)} MB   (target < 300 MB)`,
      `terraform fmt -recursive -check: ${fmt}`,
      `load average (1 min) during the run: ${load.toFixed(1)} on ${(await import("node:os")).cpus().length} cores`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
