import { allControls } from "./catalogue.js";
import { checkModuleCall } from "./modules.js";
import { peersOf } from "./peers.js";
import { collectReasons } from "./read.js";
import { variantsOf } from "./resolved.js";
import type { CheckResult, ControlContext } from "./types.js";

export interface CheckFinding {
  control: string;
  checkovIds: string[];
  address: string;
  /** Root module folder of the address ("" = the repository or --repo folder itself). */
  root: string;
  file: string;
  startLine: number;
  result: "fail" | "unknown";
  /** Why: what an unknown depends on; for a fail, the value sets it fails in when others pass. */
  reason?: string;
}

export interface CheckSummary {
  resources: number;
  checks: number;
  passed: number;
  failed: number;
  unknown: number;
  /** Files that did not parse (their resources are not checked). */
  parseErrors: number;
}

interface Pending {
  control: string;
  checkovIds: readonly string[];
  address: string;
  root: string;
  file: string;
  startLine: number;
  /** Value-set label -> result and the reasons of its unknowns. */
  byLabel: Map<string, { result: CheckResult; reasons: string[] }>;
}

/**
 * Runs every control of the catalogue over a context; findings are the failing and unknown pairs.
 * Findings are keyed by control, root module and address: the same address in `envs/prod` and
 * `envs/staging` is two findings. Each value set of a root (defaults, each tfvars file) is checked
 * (resolved.ts) and the worst result counts, so a pass in one environment never hides a fail in
 * another; a block that exists in no value set (`count = 0`, empty `for_each`) is not checked.
 */
export function runCatalogue(ctx: ControlContext): { findings: CheckFinding[]; summary: Omit<CheckSummary, "parseErrors"> } {
  const pending = new Map<string, Pending>();
  const record = (control: string, checkovIds: readonly string[], target: { address: string; file: string; block: { span: { startLine: number }; body: unknown } }, root: string, label: string, run: () => CheckResult | undefined): void => {
    const { value: result, reasons } = collectReasons(run);
    if (result === undefined) return;
    if (result === "unknown" && reasons.length === 0 && target.block.body === null) reasons.push("the block's content could not be read (its file did not validate)");
    const key = `${control}\u0000${root}\u0000${target.address}`;
    let entry = pending.get(key);
    if (entry === undefined) {
      entry = { control, checkovIds, address: target.address, root, file: target.file, startLine: target.block.span.startLine, byLabel: new Map() };
      pending.set(key, entry);
    }
    // A local module used twice yields the same block under two addresses; both are real instances.
    if (!entry.byLabel.has(label)) entry.byLabel.set(label, { result, reasons });
  };
  for (const variant of variantsOf(ctx)) {
    const peers = peersOf(variant.ctx);
    for (const control of allControls()) {
      // By type from the peer index: a (control, address) pair has one type, so the first record wins as in a scan.
      for (const type of new Set(control.resourceTypes)) {
        for (const resource of peers.ofType(type)) {
          if (resource.mode !== "managed") continue;
          const origin = variant.origin.get(resource);
          record(control.id, control.checkovIds, origin?.original ?? resource, origin?.rootDir ?? "", origin?.label ?? "", () => control.check(resource, variant.ctx));
        }
      }
      for (const call of variant.ctx.moduleCalls ?? []) {
        const origin = variant.origin.get(call);
        record(control.id, control.checkovIds, origin?.original ?? call, origin?.rootDir ?? "", origin?.label ?? "", () => checkModuleCall(control.id, call));
      }
    }
  }
  const counts: Record<CheckResult, number> = { pass: 0, fail: 0, unknown: 0 };
  const findings: CheckFinding[] = [];
  for (const entry of pending.values()) {
    const { result, reason } = combine(entry.byLabel);
    counts[result]++;
    if (result === "pass") continue;
    findings.push({ control: entry.control, checkovIds: [...entry.checkovIds], address: entry.address, root: entry.root, file: entry.file, startLine: entry.startLine, result, ...(reason === undefined ? {} : { reason }) });
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.startLine - b.startLine || a.control.localeCompare(b.control) || a.root.localeCompare(b.root));
  return { findings, summary: { resources: ctx.resources.length, checks: counts.pass + counts.fail + counts.unknown, passed: counts.pass, failed: counts.fail, unknown: counts.unknown } };
}

/** Fail in any value set fails; else unknown in any is unknown; the reason names the sets when they disagree. */
function combine(byLabel: Map<string, { result: CheckResult; reasons: string[] }>): { result: CheckResult; reason?: string } {
  const entries = [...byLabel];
  const labels = (r: CheckResult): string[] => entries.filter(([, v]) => v.result === r).map(([l]) => l || "the code as written");
  const all = entries.map(([, v]) => v.result);
  const result: CheckResult = all.includes("fail") ? "fail" : all.includes("unknown") ? "unknown" : "pass";
  if (result === "pass") return { result };
  const several = entries.length > 1;
  if (result === "fail") {
    if (!several || labels("fail").length === entries.length) return { result };
    return { result, reason: `fails with ${labels("fail").join(", ")}; ${labels("pass").length > 0 ? `passes with ${labels("pass").join(", ")}` : "unknown elsewhere"}` };
  }
  const reasons = [...new Set(entries.filter(([, v]) => v.result === "unknown").flatMap(([, v]) => v.reasons))];
  const why = reasons.length > 0 ? reasons.join("; ") : "the control cannot decide from the code (values built by expressions it does not evaluate)";
  if (!several) return { result, reason: why };
  const passes = labels("pass").length > 0 ? `; passes with ${labels("pass").join(", ")}` : "";
  return { result, reason: `${why} (with ${labels("unknown").join(", ")}${passes})` };
}
