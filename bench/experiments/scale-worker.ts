/**
 * One repository size of experiment 3, in its own process so `process.resourceUsage().maxRSS`
 * is the peak of this size alone. Prints one JSON line (ScaleWorkerResult) on stdout.
 *
 *   node --import tsx bench/experiments/scale-worker.ts --dir REPO [--manifest FILE] [--queries 50]
 *     [--budget 24000] [--stress 100] [--cold-runs 3]
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runCatalogue } from "../../src/controls/run-catalogue.js";
import { buildLlmInput } from "../../src/remediation/llm-context.js";
import type { Failure } from "../../src/domain/failure.js";
import { buildPrompt } from "../../src/remediation/llm/prompt.js";
import { ParseCache, indexRepository } from "../../src/terraform/index.js";
import { matchResource } from "../../src/terraform/match.js";
import { parseHclFile } from "../../src/terraform/parse.js";
import { resolveBlockAttribute } from "../../src/terraform/resolve.js";
import type { IndexedResource, RepositoryIndex } from "../../src/terraform/types.js";
import { since, summarize, type Summary } from "../lib/stats.js";
import type { Manifest } from "../generators/terraform-repo.js";

export interface IndexRun {
  ms: number;
  hits: number;
  misses: number;
  hitRate: number;
}

export interface PromptFigures {
  target: string;
  /** Blocks around the target (referenced within two hops + referencing). */
  contextBlocks: number;
  fullChars: number;
  fullTokens: number;
  truncatedChars: number;
  truncatedTokens: number;
  budgetTokens: number;
  included: number;
  truncated: number;
  omitted: number;
  overBudget: boolean;
}

export interface ScaleWorkerResult {
  files: number;
  bytes: number;
  resources: number;
  moduleCalls: number;
  indexErrors: number;
  parserInitMs: number;
  /** First index in a fresh process: includes JIT warm-up and the first use of hcl2json. */
  cold: IndexRun;
  /** A new parse cache in a process that has indexed before (a repository seen for the first time by a running daemon). */
  coldWarmProcess: IndexRun;
  warm: IndexRun;
  /** Re-index after one file changed (a fetch that brought one commit). */
  oneFileChanged: IndexRun;
  queries: number;
  matchCold: Summary;
  matchWarm: Summary;
  /** `runCatalogue` (what `check` runs after indexing) over the index, once, and its findings. */
  catalogueMs: number;
  findings: number;
  /** Share of queries whose expected address was the single match. */
  matchAccuracy: number;
  statuses: Record<string, number>;
  prompt: PromptFigures | null;
  rssStartMb: number;
  peakRssMb: number;
  heapUsedMb: number;
}

interface Query {
  expected: string;
  identity: { arn?: string; kind?: string; name?: string };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: "string" }, manifest: { type: "string" }, queries: { type: "string", default: "50" }, budget: { type: "string", default: "24000" }, stress: { type: "string", default: "100" }, "cold-runs": { type: "string", default: "3" } } });
  const dir = values.dir;
  if (dir === undefined) throw new Error("--dir is required");
  const rssStart = process.memoryUsage().rss;

  // The tree-sitter grammar loads once per process; keep it out of the cold index time.
  const start = performance.now();
  await parseHclFile("warmup.tf", 'resource "null_resource" "x" {}\n');
  const parserInitMs = since(start);

  const cache = new ParseCache();
  const run = async (): Promise<{ index: RepositoryIndex; figures: IndexRun }> => {
    cache.resetCounters();
    const t = performance.now();
    // As the daemon indexes (pipeline/index.ts): tree-sitter locates, hcl2json checks only what a match uses.
    const index = await indexRepository(dir, { cache, validation: "lazy" });
    const ms = since(t);
    const total = cache.hits + cache.misses;
    return { index, figures: { ms, hits: cache.hits, misses: cache.misses, hitRate: total === 0 ? 0 : cache.hits / total } };
  };
  const cold = await run();
  // The daemon is a long-lived process: after the JIT has warmed up, "cold" means a checkout it
  // has not parsed yet (new cache), "warm" one it has. Medians of repeated runs.
  const warmRuns: IndexRun[] = [];
  let warm = await run();
  for (let i = 0; i < 5; i++) {
    warm = await run();
    warmRuns.push(warm.figures);
  }
  const coldWarmProcessRuns: IndexRun[] = [];
  for (let i = 0; i < Number(values["cold-runs"]); i++) {
    const fresh = new ParseCache();
    const t = performance.now();
    await indexRepository(dir, { cache: fresh, validation: "lazy" });
    coldWarmProcessRuns.push({ ms: since(t), hits: fresh.hits, misses: fresh.misses, hitRate: fresh.hits / Math.max(1, fresh.hits + fresh.misses) });
  }
  const index = warm.index;
  const firstFile = [...index.files.keys()].sort()[0];
  if (firstFile !== undefined) appendFileSync(join(dir, firstFile), "\n# touched by the benchmark\n");
  const changed = await run();

  const queries = values.manifest === undefined ? buildQueries(index, Number(values.queries)) : manifestQueries(values.manifest, Number(values.queries));
  const matchOnce = (): { times: number[]; statuses: Record<string, number>; correct: number } => {
    const times: number[] = [];
    const statuses: Record<string, number> = {};
    let correct = 0;
    for (const q of queries) {
      const t = performance.now();
      const result = matchResource(changed.index, q.identity);
      times.push(since(t));
      statuses[result.status] = (statuses[result.status] ?? 0) + 1;
      if (result.status === "matched" && result.candidates[0]?.address === q.expected) correct += 1;
    }
    return { times, statuses, correct };
  };
  const matchCold = matchOnce();
  const matchWarm = matchOnce();
  // Once, as `check` runs it: the first run also builds whatever the controls index their peers by.
  const catalogueStart = performance.now();
  const findings = runCatalogue(changed.index).findings.length;
  const catalogueMs = since(catalogueStart);

  // Peak memory of indexing and matching, before the prompt case below adds its own file.
  const usage = process.resourceUsage();
  const heapUsed = process.memoryUsage().heapUsed;
  const prompt = await promptStress(Number(values.stress), Number(values.budget));
  let bytes = 0;
  for (const file of index.files.values()) bytes += Buffer.byteLength(file.text);
  const result: ScaleWorkerResult = {
    files: index.files.size,
    bytes,
    resources: index.resources.length,
    moduleCalls: index.moduleCalls.length,
    indexErrors: index.errors.length,
    parserInitMs,
    cold: cold.figures,
    coldWarmProcess: medianRun(coldWarmProcessRuns),
    warm: medianRun(warmRuns),
    oneFileChanged: changed.figures,
    queries: queries.length,
    matchCold: summarize(matchCold.times),
    matchWarm: summarize(matchWarm.times),
    catalogueMs,
    findings,
    matchAccuracy: queries.length === 0 ? 0 : matchCold.correct / queries.length,
    statuses: matchCold.statuses,
    prompt,
    rssStartMb: round(rssStart / (1024 * 1024)),
    // maxRSS is in kilobytes (https://nodejs.org/api/process.html#processresourceusage).
    peakRssMb: round(usage.maxRSS / 1024),
    heapUsedMb: round(heapUsed / (1024 * 1024)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Failures to look up from the generator's manifest: by ARN, or by kind and Name tag for id-only kinds. */
function manifestQueries(path: string, count: number): Query[] {
  const manifest = readManifest(path) as Manifest;
  const step = Math.max(1, Math.floor(manifest.resources.length / Math.max(1, count)));
  const queries: Query[] = [];
  for (let i = 0; i < manifest.resources.length && queries.length < count; i += step) {
    const r = manifest.resources[i]!;
    queries.push({ expected: r.address, identity: r.idOnly ? { kind: r.kind, name: r.name } : { arn: r.arn } });
  }
  return queries;
}

/**
 * Without a manifest: S3 buckets by ARN (the name resolved the way the matcher would), other
 * resources by kind and Name tag or name. Spread evenly over the index, so module depth varies.
 */
function buildQueries(index: RepositoryIndex, count: number): Query[] {
  const managed = index.resources.filter((r) => r.mode === "managed" && r.address.split(".").length >= 2);
  const step = Math.max(1, Math.floor(managed.length / Math.max(1, count)));
  const queries: Query[] = [];
  for (let i = 0; i < managed.length && queries.length < count; i += step) {
    const resource = managed[i]!;
    const query = queryFor(resource);
    if (query !== undefined) queries.push(query);
  }
  return queries;
}

function queryFor(resource: IndexedResource): Query | undefined {
  const expected = resource.address;
  if (resource.type === "aws_s3_bucket") {
    const name = firstString(resource, "bucket");
    if (name !== undefined) return { expected, identity: { arn: `arn:aws:s3:::${name}` } };
  }
  const tagName = firstTagName(resource);
  if (tagName !== undefined) return { expected, identity: { kind: resource.type, name: tagName } };
  const name = firstString(resource, "name") ?? firstString(resource, "identifier") ?? firstString(resource, "function_name");
  return name === undefined ? undefined : { expected, identity: { kind: resource.type, name } };
}

function firstString(resource: IndexedResource, attribute: string): string | undefined {
  for (const value of resolveBlockAttribute(resource.block.body, resource.scopes, attribute)) {
    if (typeof value.value === "string") return value.value;
  }
  return undefined;
}

function firstTagName(resource: IndexedResource): string | undefined {
  for (const value of resolveBlockAttribute(resource.block.body, resource.scopes, "tags")) {
    const tags = value.value;
    if (typeof tags === "object" && tags !== null && !Array.isArray(tags) && typeof (tags as Record<string, unknown>).Name === "string") {
      return (tags as Record<string, string>).Name;
    }
  }
  return undefined;
}

/**
 * Prompt size for a huge file: one bucket that a KMS key and a log bucket feed (referenced) and
 * `companions` objects reference (referencing), all in one file. The prompt holds the target,
 * then context nearest first; the budget decides how much of the rest the model sees.
 */
async function promptStress(companions: number, budgetTokens: number): Promise<PromptFigures | null> {
  const dir = mkdtempSync(join(tmpdir(), "terrafix-prompt-"));
  try {
    const blocks = [
      'resource "aws_kms_key" "data" {\n  description         = "data bucket key"\n  enable_key_rotation = true\n}\n',
      'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-prod-access-logs"\n}\n',
      'resource "aws_s3_bucket" "target" {\n  bucket = "acme-prod-data"\n  tags = {\n    KmsKey = aws_kms_key.data.arn\n    Logs   = aws_s3_bucket.logs.id\n  }\n}\n',
      ...Array.from(
        { length: companions },
        (_, i) =>
          `resource "aws_s3_object" "o${i}" {\n  bucket       = aws_s3_bucket.target.id\n  key          = "objects/${i}/data.json"\n  content_type = "application/json"\n  tags = {\n    Owner   = "team-${i % 7}"\n    Purpose = "benchmark padding for prompt truncation"\n  }\n}\n`,
      ),
    ];
    writeFileSync(join(dir, "main.tf"), blocks.join("\n"));
    const index = await indexRepository(dir);
    const target = index.resourceByAddress("aws_s3_bucket.target");
    if (target === undefined) return null;
    const failure: Failure = {
      testId: "aws-s3-public-access-blocked",
      testName: "S3 buckets block public access",
      entityId: "0".repeat(24),
      displayName: "acme-prod-data",
      responseType: "S3 bucket",
      testDescription: "Verifies that every S3 bucket blocks public access.",
    };
    const input = buildLlmInput(index, target, failure, undefined);
    const full = buildPrompt(input, { budgetTokens: Number.MAX_SAFE_INTEGER });
    const cut = buildPrompt(input, { budgetTokens });
    return {
      target: `${target.address} (+${companions} referencing objects, ${Math.round(Buffer.byteLength(blocks.join("\n")) / 1024)} KB file)`,
      contextBlocks: input.referenced.length + input.referencing.length,
      fullChars: full.user.length,
      fullTokens: full.estimatedTokens,
      truncatedChars: cut.user.length,
      truncatedTokens: cut.estimatedTokens,
      budgetTokens,
      included: cut.included.length,
      truncated: cut.truncated.length,
      omitted: cut.omitted.length,
      overBudget: cut.overBudget,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function medianRun(runs: IndexRun[]): IndexRun {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? { ms: Number.NaN, hits: 0, misses: 0, hitRate: 0 };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Reads a worker's stdout: the last line is its JSON result. */
export function parseWorkerOutput(stdout: string): ScaleWorkerResult {
  const line = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as ScaleWorkerResult;
}

export function readManifest(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8")) as unknown;
}

if (process.argv[1]?.endsWith("scale-worker.ts") === true) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
