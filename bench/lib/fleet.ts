import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { generateTerraformRepo, type Manifest } from "../generators/terraform-repo.js";
import type { FailureTarget } from "../generators/failures.js";
import type { BenchRepo } from "./harness.js";

/**
 * The repositories of experiments 1 and 2: synthetic Terraform repositories of several sizes
 * (so clone and index cost differ per repository), and the failing S3 buckets they define.
 */
export interface FleetRepoSpec {
  name: string;
  resources: number;
  files: number;
  moduleDepth: number;
}

export interface Fleet {
  repos: (BenchRepo & { resources: number; bytes: number })[];
  targets: FailureTarget[];
}

export const OWNER = "bench";
export const PUBLIC_ACCESS_TEST = { id: "aws-s3-public-access-blocked", name: "S3 buckets block public access" };

export async function buildFleet(work: string, specs: readonly FleetRepoSpec[], seed = 3): Promise<Fleet> {
  const repos: Fleet["repos"] = [];
  const targets: FailureTarget[] = [];
  for (const [i, spec] of specs.entries()) {
    const dir = join(work, "repos", spec.name);
    const manifest: Manifest = await generateTerraformRepo(dir, { resources: spec.resources, files: spec.files, moduleDepth: spec.moduleDepth, seed: seed + i });
    const files = readTree(dir);
    repos.push({ owner: OWNER, name: spec.name, files, resources: manifest.resources.length, bytes: Object.values(files).reduce((s, t) => s + Buffer.byteLength(t), 0) });
    for (const r of manifest.resources) {
      if (r.type !== "aws_s3_bucket" || r.idOnly) continue;
      targets.push({ testId: PUBLIC_ACCESS_TEST.id, testName: PUBLIC_ACCESS_TEST.name, displayName: r.name, responseType: "S3 bucket", repo: `${OWNER}/${spec.name}` });
    }
  }
  return { repos, targets };
}

function readTree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(root, path).split("\\").join("/")] = readFileSync(path, "utf8");
    }
  };
  walk(root);
  return files;
}

/** Round-robin over repositories, so every repository gets failures. */
export function spreadTargets(targets: readonly FailureTarget[], count: number): FailureTarget[] {
  const byRepo = new Map<string, FailureTarget[]>();
  for (const t of targets) byRepo.set(t.repo ?? "", [...(byRepo.get(t.repo ?? "") ?? []), t]);
  const queues = [...byRepo.values()];
  const picked: FailureTarget[] = [];
  for (let i = 0; picked.length < count && queues.some((q) => q.length > 0); i++) {
    const q = queues[i % queues.length]!;
    const next = q.shift();
    if (next !== undefined) picked.push(next);
  }
  return picked;
}
