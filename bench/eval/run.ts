/**
 * `npm run eval -- --corpus DIR --cases FILE [--json OUT] [--allow-other-commit]`
 *
 * Runs the match, check and fix cases of FILE (bench/eval/cases/*.json) against a local checkout
 * of a public corpus (fetched beforehand; nothing is downloaded here) and prints one PASS/FAIL
 * line per case, then precision and recall per kind (see score.ts). When DIR is a git checkout
 * its HEAD must be the commit the cases are pinned to: cases written against another commit say
 * nothing about this one (exit 2 unless --allow-other-commit, which only warns).
 * Exit 0 when every case passes, 1 otherwise, 2 on bad usage.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CaseFile } from "./schema.js";
import { runCaseFile } from "./runner.js";
import { formatRatio, score, type CaseKind, type CaseOutcome } from "./score.js";

function usage(message: string): never {
  process.stderr.write(`eval: ${message}\nusage: npm run eval -- --corpus DIR --cases FILE [--json OUT] [--allow-other-commit]\n`);
  process.exit(2);
}

function gitHead(dir: string): string | undefined {
  try {
    return execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { corpus: { type: "string" }, cases: { type: "string" }, json: { type: "string" }, "allow-other-commit": { type: "boolean", default: false } },
  });
  if (values.corpus === undefined || values.cases === undefined) usage("--corpus and --cases are required");
  const corpus = resolve(values.corpus);
  if (!existsSync(corpus) || !statSync(corpus).isDirectory()) usage(`--corpus ${values.corpus} is not a directory`);
  let file: CaseFile;
  try {
    file = CaseFile.parse(JSON.parse(readFileSync(values.cases, "utf8")));
  } catch (error) {
    usage(`--cases ${values.cases}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const head = gitHead(corpus);
  if (head === undefined) process.stderr.write(`warning: ${corpus} is not a git checkout; cannot confirm it is ${file.corpus}@${file.commit.slice(0, 10)}\n`);
  else if (head !== file.commit) {
    const msg = `${corpus} is at ${head.slice(0, 10)}, the cases are pinned to ${file.corpus}@${file.commit.slice(0, 10)}`;
    if (!values["allow-other-commit"]) usage(`${msg} (check out that commit, or pass --allow-other-commit)`);
    process.stderr.write(`warning: ${msg}\n`);
  }
  const repo = join(corpus, file.path);
  if (!existsSync(repo)) usage(`${repo} (the cases' path) does not exist`);

  process.stdout.write(`${file.corpus}@${file.commit.slice(0, 10)} ${file.path === "" ? "" : `(${file.path})`}\n`);
  const started = Date.now();
  const outcomes = await runCaseFile(repo, file, (o) => process.stdout.write(`${o.pass ? "PASS" : "FAIL"}  ${o.kind.padEnd(5)} ${o.id.padEnd(40)} ${o.detail}\n`));
  const kinds: CaseKind[] = ["match", "check", "fix"];
  const rows = kinds.map((k) => ({ kind: k, ...score(outcomes.filter((o) => o.kind === k)) })).filter((r) => r.cases > 0);
  const all = score(outcomes);
  process.stdout.write("\n");
  for (const r of [...rows, { kind: "all", ...all }])
    process.stdout.write(`${r.kind.padEnd(5)} ${r.passed}/${r.cases} pass  precision ${formatRatio(r.precision)} (${r.answered - r.falsePositives}/${r.answered})  recall ${formatRatio(r.recall)} (${r.truePositives}/${r.positives})\n`);
  process.stdout.write(`${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (values.json !== undefined) {
    const report = { corpus: file.corpus, commit: file.commit, path: file.path, head: head ?? null, ranAt: new Date().toISOString(), scores: Object.fromEntries([...rows.map((r) => [r.kind, r]), ["all", all]]), outcomes };
    writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  }
  process.exitCode = outcomes.every((o: CaseOutcome) => o.pass) ? 0 : 1;
}

await main();
