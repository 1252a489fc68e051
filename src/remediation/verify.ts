import { gateResult, verificationReport, type FileChange, type ProposedChange, type VerificationCheck, type VerificationReport } from "../domain/change.js";
import { contextFromFiles } from "../controls/context.js";
import type { ResourceRef } from "../controls/types.js";
import { withoutBom } from "../terraform/canonical.js";
import { parseHclFile, type ParsedFile } from "../terraform/parse.js";
import { allowlistFor, checkGuardrails, sizeViolations, type GuardrailFile, type GuardrailViolation } from "./guardrails.js";
import { evaluateFiles, regressions, resolveControl, targetResult } from "./verify-controls.js";
import { outOfScope } from "./verify-scope.js";

export interface VerifyInput {
  change: ProposedChange;
  /** Controls (or Vanta test ids) the change must satisfy. */
  controlIds: readonly string[];
  /** Full address of the matched resource or module call. */
  targetAddress: string;
  /** The repository's parsed files before the change (the index's `files`); touched files are re-parsed either way. */
  files?: ReadonlyMap<string, ParsedFile>;
  /** The index's resources, to keep module paths in addresses. */
  resources?: readonly ResourceRef[];
  awsProviderMajor?: number;
  testMappings?: Readonly<Record<string, string>>;
}

export interface VerifyOptions {
  /** `terraform fmt -` as a function (adapters/terraform-cli/fmt.ts); null when it could not format. Absent: gate skipped. */
  formatter?: (text: string) => Promise<string | null>;
}

/** Ingress rule resources a fix may delete to close them (every other removal is refused). */
const REMOVABLE = new Set(["aws_security_group_rule", "aws_vpc_security_group_ingress_rule"]);
const SG_CONTROLS = new Set(["sg-ssh-restricted", "sg-rdp-restricted", "sg-ports-restricted"]);

/**
 * The gates every change passes, whoever wrote it (shared/ARCHITECTURE.md, Remediation 3). Each
 * failed gate's detail is written to be fed back to the model as-is.
 */
export async function verifyChange(input: VerifyInput, options: VerifyOptions = {}): Promise<VerificationReport> {
  const checks: VerificationCheck[] = [];
  const { change } = input;
  // Refuse an oversized answer before parsing it: parsing is the expensive part.
  const oversized = sizeViolations(change.files);
  if (oversized.length > 0) return verificationReport([guardrailCheck(oversized)]);
  const afterFiles = await Promise.all(change.files.map((f) => parseHclFile(f.path, f.after)));
  const beforeFiles = await Promise.all(change.files.map((f) => beforeOf(f, input.files)));

  const parseErrors = afterFiles.flatMap((f) => f.errors.map((e) => `${f.path}: ${e}`));
  checks.push(gateResult("parse", parseErrors.length === 0 ? "pass" : "fail", parseErrors.length === 0 ? `${afterFiles.length} file(s) re-parse` : `the changed file does not parse: ${parseErrors.join("; ")}`));
  if (parseErrors.length > 0) return verificationReport(checks);

  checks.push(await fmtGate(change.files, options.formatter));

  const modulePaths = new Map<string, readonly string[]>();
  for (const r of input.resources ?? []) modulePaths.set(r.file, r.modulePath);
  const ctxOptions = { modulePathOf: (file: string) => modulePaths.get(file) ?? [], ...(input.awsProviderMajor === undefined ? {} : { awsProviderMajor: input.awsProviderMajor }) };
  const repo = new Map(input.files ?? []);
  const beforeAll = new Map(repo);
  beforeFiles.forEach((f) => f !== undefined && beforeAll.set(f.path, f));
  const afterAll = new Map(repo);
  afterFiles.forEach((f) => afterAll.set(f.path, f));
  const beforeCtx = contextFromFiles(beforeAll.values(), ctxOptions);
  const afterCtx = contextFromFiles(afterAll.values(), ctxOptions);

  const targetType = input.targetAddress.split(".").slice(-2)[0] ?? "";
  const removable = REMOVABLE.has(targetType) && input.controlIds.some((id) => SG_CONTROLS.has(id));
  const mappings = input.testMappings ?? {};
  const controls = input.controlIds.flatMap((id) => resolveControl(id, mappings));
  const results = controls.map((c) => ({ control: c, ...targetResult(c, afterCtx, input.targetAddress, removable) }));
  const failing = results.filter((r) => r.result !== "pass" && r.result !== "n/a");
  const passing = results.filter((r) => r.result === "pass");
  const notApplicable = results.filter((r) => r.result === "n/a").map((r) => r.detail);
  // A test no control covers (the LLM path's reason to exist) has no deterministic re-check: the
  // gate says so and the reviewer confirms; every other gate still applies. Control ids that
  // were given but resolve to nothing stay an error.
  const uncovered = input.controlIds.length === 0;
  checks.push(
    gateResult(
      "control",
      uncovered ? "skipped" : passing.length > 0 && failing.length === 0 ? "pass" : "fail",
      uncovered
      ? "no control in the catalogue covers this test: no deterministic re-check, the reviewer confirms the fix"
      : controls.length === 0
        ? `no control in the catalogue matches ${input.controlIds.join(", ")}; nothing to re-check`
        : failing.length > 0
          ? failing.map((r) => `${r.control.id} is still ${r.result} on ${r.detail} (${r.control.title}; Checkov ${r.control.checkovIds.join("/")})`).join("; ")
          : passing.length === 0
            ? `no control applies to ${input.targetAddress}: ${notApplicable.join("; ")}`
            : `${passing.map((r) => r.control.id).join(", ")} now pass on ${input.targetAddress}${notApplicable.length > 0 ? ` (${notApplicable.join("; ")})` : ""}`,
    ),
  );

  const touched = new Set(change.files.map((f) => f.path));
  const lost = regressions(evaluateFiles(beforeCtx, touched), evaluateFiles(afterCtx, touched));
  checks.push(gateResult("no-new-findings", lost.length === 0 ? "pass" : "fail", lost.length === 0 ? "no control that passed before fails after" : `the change breaks other controls: ${lost.join("; ")}`));

  // Blocks are keyed in a file without their module path: `aws_x.y`, `data.aws_x.y`, `module.m`.
  const local = input.targetAddress.replace(/^(module\.[^.]+\.)+(?=.*\..*)/, "");
  const sourcesOf = (path: string): string[] => (change.sources ?? []).filter((s) => s.path === path).map((s) => s.block);
  const scope = change.files.flatMap((f, i) => outOfScope(f, beforeFiles[i], afterFiles[i] as ParsedFile, { local, sources: sourcesOf(f.path) }));
  checks.push(
    gateResult(
      "scope",
      scope.length === 0 ? "pass" : "fail",
      scope.length === 0 ? `only ${input.targetAddress} and blocks tied to it change` : `lines outside ${input.targetAddress} and the blocks added for it changed: ${scope.slice(0, 10).join("; ")}`,
    ),
  );

  const guardFiles: GuardrailFile[] = change.files.map((f, i) => ({ path: f.path, before: beforeFiles[i], after: afterFiles[i] as ParsedFile }));
  const violations = checkGuardrails(guardFiles, {
    allowRemoval: removableRules(beforeCtx.resources, local, input.controlIds),
    allowlist: allowlistFor(targetType, input.controlIds, mappings),
    repository: repo.values(),
  });
  checks.push(guardrailCheck(violations));

  return verificationReport(checks);
}

function guardrailCheck(violations: readonly GuardrailViolation[]): VerificationCheck {
  return gateResult(
    "guardrails",
    violations.length === 0 ? "pass" : "fail",
    violations.length === 0 ? "the resource graph before and after shows no refused change" : violations.map((v) => `[${v.rule}] ${v.message}`).join("; "),
  );
}

/**
 * Closing a world-open port may delete the ingress rule resources that open it: the target itself
 * when it is one, or the rules attached to the target group. Nothing else may be removed.
 */
function removableRules(resources: readonly ResourceRef[], local: string, controlIds: readonly string[]): string[] {
  if (!controlIds.some((id) => SG_CONTROLS.has(id))) return [];
  const mention = new RegExp(`\\b${local.replace(/\./g, "\\.")}\\b`);
  return resources
    .filter((r) => REMOVABLE.has(r.type) && (`${r.type}.${r.name}` === local || r.block.attributes.some((a) => a.name === "security_group_id" && mention.test(a.valueText))))
    .map((r) => `${r.type}.${r.name}`);
}

async function beforeOf(change: FileChange, files: ReadonlyMap<string, ParsedFile> | undefined): Promise<ParsedFile | undefined> {
  const known = files?.get(change.path);
  if (known !== undefined && known.text === change.before) return known;
  if (change.before === "" && known === undefined) return undefined;
  return parseHclFile(change.path, change.before);
}

/**
 * terraform fmt must leave what the change writes unchanged. A file that was not fmt-clean before
 * (legacy interpolation, unaligned groups) is not held against the change: only lines fmt would
 * rewrite that the file did not already have count. fmt strips a UTF-8 BOM and keeps CRLF, so the
 * BOM is set aside and line endings compared as they are (canonical.ts).
 */
async function fmtGate(files: readonly FileChange[], formatter: VerifyOptions["formatter"]): Promise<VerificationCheck> {
  if (formatter === undefined) return gateResult("fmt", "skipped", "no terraform binary to run terraform fmt");
  const problems: string[] = [];
  for (const file of files) {
    const after = withoutBom(file.after).body;
    const formatted = await formatter(after);
    if (formatted === null) return gateResult("fmt", "skipped", `terraform fmt could not format ${file.path}`);
    if (formatted === after) continue;
    const before = withoutBom(file.before).body;
    const formattedBefore = before === "" ? "" : await formatter(before);
    const added = formattedBefore === null ? undefined : newDrift(before, formattedBefore, after, formatted);
    if (added !== undefined && added.length === 0) continue;
    problems.push(`${file.path}: ${added?.[0] ?? firstDifference(after, formatted)}`);
  }
  return problems.length === 0
    ? gateResult("fmt", "pass", "terraform fmt leaves the changed files unchanged")
    : gateResult("fmt", "fail", `terraform fmt would rewrite the change: ${problems.join("; ")}`);
}

/**
 * Lines of `after` fmt rewrites that `before` did not already have (as a multiset of line texts),
 * each described; undefined when fmt changed the line count, so lines cannot be paired.
 */
function newDrift(before: string, formattedBefore: string, after: string, formatted: string): string[] | undefined {
  const drifted = (text: string, fmt: string): { line: string; fmt: string; n: number }[] | undefined => {
    const a = text.split("\n");
    const f = fmt.split("\n");
    if (a.length !== f.length) return undefined;
    return a.flatMap((line, i) => (line === f[i] ? [] : [{ line, fmt: f[i] ?? "", n: i + 1 }]));
  };
  const old = drifted(before, formattedBefore);
  const now = drifted(after, formatted);
  if (old === undefined || now === undefined) return undefined;
  const budget = new Map<string, number>();
  for (const d of old) budget.set(d.line, (budget.get(d.line) ?? 0) + 1);
  const out: string[] = [];
  for (const d of now) {
    const left = budget.get(d.line) ?? 0;
    if (left > 0) budget.set(d.line, left - 1);
    else out.push(`line ${d.n} is ${JSON.stringify(d.line)}, terraform fmt writes ${JSON.stringify(d.fmt)}`);
  }
  return out;
}

function firstDifference(actual: string, formatted: string): string {
  const a = actual.split("\n");
  const f = formatted.split("\n");
  for (let i = 0; i < Math.max(a.length, f.length); i++)
    if (a[i] !== f[i]) return `line ${i + 1} is ${JSON.stringify(a[i] ?? "")}, terraform fmt writes ${JSON.stringify(f[i] ?? "")}`;
  return "whitespace differs";
}
