import { allControls } from "./catalogue.js";
import { checkModuleCall } from "./modules.js";
import { peersOf } from "./peers.js";
import type { CheckResult, ControlContext } from "./types.js";

export interface CheckFinding {
  control: string;
  checkovIds: string[];
  address: string;
  file: string;
  startLine: number;
  result: "fail" | "unknown";
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

/** Runs every control of the catalogue over a context; findings are the failing and unknown pairs. */
export function runCatalogue(ctx: ControlContext): { findings: CheckFinding[]; summary: Omit<CheckSummary, "parseErrors"> } {
  const findings: CheckFinding[] = [];
  const counts: Record<CheckResult, number> = { pass: 0, fail: 0, unknown: 0 };
  const seen = new Set<string>();
  const record = (control: string, checkovIds: readonly string[], address: string, file: string, startLine: number, result: CheckResult): void => {
    const key = `${control} ${address}`;
    // A local module used twice yields the same block under two addresses; both are real instances.
    if (seen.has(key)) return;
    seen.add(key);
    counts[result]++;
    if (result !== "pass") findings.push({ control, checkovIds: [...checkovIds], address, file, startLine, result });
  };
  const peers = peersOf(ctx);
  for (const control of allControls()) {
    // By type from the peer index: a (control, address) pair has one type, so the first record wins as in a scan.
    for (const type of new Set(control.resourceTypes)) {
      for (const resource of peers.ofType(type)) {
        if (resource.mode !== "managed") continue;
        record(control.id, control.checkovIds, resource.address, resource.file, resource.block.span.startLine, control.check(resource, ctx));
      }
    }
    for (const call of ctx.moduleCalls ?? []) {
      const result = checkModuleCall(control.id, call);
      if (result !== undefined) record(control.id, control.checkovIds, call.address, call.file, call.block.span.startLine, result);
    }
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.startLine - b.startLine || a.control.localeCompare(b.control));
  return { findings, summary: { resources: ctx.resources.length, checks: counts.pass + counts.fail + counts.unknown, passed: counts.pass, failed: counts.fail, unknown: counts.unknown } };
}
