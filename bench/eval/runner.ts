import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { controlsForTest } from "../../src/controls/catalogue.js";
import type { CaseFile, CheckCase, EvalIdentity, FixCase, MatchCase } from "./schema.js";
import type { CaseOutcome } from "./score.js";
import { runTerrafix, type CliResult } from "../../test/support/cli.js";

/** Runs evaluation cases through the real CLI (in-process, the tests' runner), so the eval judges what users get. */
export type CliAnswer = CliResult;

export async function terrafix(argv: string[]): Promise<CliAnswer> {
  // Only what the terraform binary lookup needs: no credentials, no model, no Vanta.
  return runTerrafix(argv, { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), LOG_LEVEL: "silent" });
}

function identityArgs(identity: EvalIdentity): string[] {
  const args: string[] = [];
  if (identity.arn !== undefined) args.push("--arn", identity.arn);
  if (identity.name !== undefined) args.push("--name", identity.name);
  if (identity.type !== undefined) args.push("--type", identity.type);
  for (const [k, v] of Object.entries(identity.tags ?? {})) args.push("--tag", `${k}=${v}`);
  return args;
}

interface MatchJson {
  status: "matched" | "ambiguous" | "no-match";
  reason: string;
  candidates: { address: string; root?: string; file: string; confidence: number }[];
}

function parseJson<T>(answer: CliAnswer): T | undefined {
  const line = answer.out.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined;
  }
}

export async function runMatchCase(repo: string, c: MatchCase): Promise<CaseOutcome> {
  const answer = await terrafix(["match", "--repo", repo, ...identityArgs(c.identity), "--json"]);
  const json = parseJson<MatchJson>(answer);
  const positive = c.expect.status === "matched";
  if (json === undefined) return { kind: "match", id: c.id, positive, answered: false, right: false, pass: false, detail: `no JSON (exit ${answer.code}): ${answer.err.trim().slice(0, 200)}` };
  const top = json.candidates[0];
  const answered = json.status === "matched";
  const right = answered && c.expect.status === "matched" && top?.address === c.expect.address && (c.expect.file === undefined || top.file === c.expect.file) && (c.expect.root === undefined || top.root === c.expect.root);
  const pass = c.expect.status === "matched" ? right : !answered;
  const said = answered ? `matched ${top?.address ?? "?"} (${top?.confidence ?? 0})` : `${json.status}${top === undefined ? "" : `, best ${top.address} (${top.confidence})`}`;
  return { kind: "match", id: c.id, positive, answered, right, pass, detail: `${said}: ${json.reason}` };
}

export interface CheckFindingJson {
  control: string;
  address: string;
  file: string;
  root?: string;
  result: "fail" | "unknown";
  reason?: string;
}

export async function checkFindings(repo: string): Promise<{ findings: CheckFindingJson[]; error?: string }> {
  const answer = await terrafix(["check", "--repo", repo, "--json"]);
  const json = parseJson<{ findings: CheckFindingJson[] }>(answer);
  if (json === undefined) return { findings: [], error: `check gave no JSON (exit ${answer.code}): ${answer.err.trim().slice(0, 200)}` };
  return { findings: json.findings };
}

export function judgeCheckCase(findings: readonly CheckFindingJson[], c: CheckCase): CaseOutcome {
  const found = findings.filter((f) => f.control === c.control && f.address === c.address && (c.root === undefined || (f.root ?? "") === c.root));
  const result = found.find((f) => f.result === "fail") ?? found[0];
  const answered = result?.result === "fail";
  const positive = c.expect === "fail";
  const right = answered && positive;
  const pass = c.expect === "fail" ? answered : c.expect === "pass" ? !answered : found.length === 0;
  const detail = result === undefined ? "not reported" : `${result.result}${result.reason === undefined ? "" : `: ${result.reason}`}`;
  return { kind: "check", id: c.id, positive, answered, right, pass, detail };
}

interface FixJson {
  match: MatchJson;
  outcome?: string;
  reason?: string;
  verification: { passed: boolean; checks: { name: string; passed: boolean; detail: string }[] } | null;
}

/** Runs a rule fix on a scratch copy of the corpus, applies it, and re-checks the control there. */
export async function runFixCase(repo: string, c: FixCase): Promise<CaseOutcome> {
  const scratch = mkdtempSync(join(tmpdir(), "terrafix-eval-"));
  const copy = join(scratch, "repo");
  try {
    cpSync(repo, copy, { recursive: true, filter: (src) => !src.includes(`${"/"}.git${"/"}`) && !src.endsWith("/.git") });
    const answer = await terrafix(["fix", "--repo", copy, "--test", c.test, ...identityArgs(c.identity), "--generator", "rules", "--apply", "--json"]);
    const json = parseJson<FixJson>(answer);
    const positive = c.expect === "fixed";
    if (json === undefined) return { kind: "fix", id: c.id, positive, answered: false, right: false, pass: !positive, detail: `no JSON (exit ${answer.code}): ${answer.err.trim().slice(0, 200)}` };
    const changed = json.outcome === "change";
    if (!changed) {
      const why = json.match.status !== "matched" ? `not matched (${json.match.status}: ${json.match.reason})` : `${json.outcome ?? "?"}: ${json.reason ?? ""}`;
      return { kind: "fix", id: c.id, positive, answered: false, right: false, pass: !positive, detail: why };
    }
    const problems: string[] = [];
    const fmt = json.verification?.checks.find((k) => k.name === "fmt");
    if (json.verification?.passed !== true) problems.push("verification failed");
    if (fmt === undefined || /skipped/i.test(fmt.detail)) problems.push(`fmt gate did not run (${fmt?.detail ?? "absent"})`);
    const address = json.match.candidates[0]?.address ?? "";
    const controls = controlsForTest(c.test).map((k) => k.id);
    const after = await checkFindings(copy);
    if (after.error !== undefined) problems.push(after.error);
    const still = after.findings.filter((f) => controls.includes(f.control) && f.address === address && f.result === "fail");
    if (still.length > 0) problems.push(`check still fails ${still.map((f) => f.control).join(", ")} on ${address}`);
    const right = problems.length === 0 && positive;
    return { kind: "fix", id: c.id, positive, answered: true, right: problems.length === 0, pass: right, detail: problems.length === 0 ? `fixed ${address}` : problems.join("; ") };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export async function runCaseFile(repo: string, file: CaseFile, onCase: (o: CaseOutcome) => void): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  const emit = (o: CaseOutcome): void => {
    outcomes.push(o);
    onCase(o);
  };
  for (const c of file.match) emit(await runMatchCase(repo, c));
  if (file.check.length > 0) {
    const { findings, error } = await checkFindings(repo);
    for (const c of file.check) emit(error === undefined ? judgeCheckCase(findings, c) : { kind: "check", id: c.id, positive: c.expect === "fail", answered: false, right: false, pass: false, detail: error });
  }
  for (const c of file.fix) emit(await runFixCase(repo, c));
  return outcomes;
}
