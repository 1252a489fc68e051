import { allControls, controlById, controlsForTest } from "../controls/catalogue.js";
import { checkModuleCall } from "../controls/modules.js";
import type { CheckResult, Control, ControlContext, ResourceRef } from "../controls/types.js";
import { checkWithSources } from "./source-values.js";

export function resolveControl(id: string, mappings: Readonly<Record<string, string>>): Control[] {
  const found = controlById(id);
  return found === undefined ? controlsForTest(id, mappings) : [found];
}

/** Every (control, resource) result of the catalogue on the resources of the given files. */
export function evaluateFiles(ctx: ControlContext, files: ReadonlySet<string>): Map<string, CheckResult> {
  const results = new Map<string, CheckResult>();
  const resources = ctx.resources.filter((r) => r.mode === "managed" && files.has(r.file));
  for (const control of allControls()) {
    for (const resource of resources) {
      if (!control.resourceTypes.includes(resource.type)) continue;
      results.set(`${control.id} ${resource.address}`, control.check(resource, ctx));
    }
    for (const call of ctx.moduleCalls ?? []) {
      if (!files.has(call.file)) continue;
      const r = checkModuleCall(control.id, call);
      if (r !== undefined) results.set(`${control.id} ${call.address}`, r);
    }
  }
  return results;
}

/** Pairs that passed before and do not now, and new pairs that fail. */
export function regressions(before: ReadonlyMap<string, CheckResult>, after: ReadonlyMap<string, CheckResult>): string[] {
  const out: string[] = [];
  for (const [key, result] of after) {
    const old = before.get(key);
    const [control, address] = key.split(" ");
    if (old === "pass" && result !== "pass") out.push(`${control} on ${address}: passed before, ${result} after`);
    else if (old === undefined && result === "fail") out.push(`${control} on ${address}: the change adds ${address}, which fails ${control}`);
  }
  return out;
}

/** The target's result for a control after the change; a removed security-group rule counts as closed. */
export function targetResult(control: Control, ctx: ControlContext, targetAddress: string, removedAllowed: boolean): { result: CheckResult | "n/a"; detail: string } {
  const resource = ctx.resources.find((r) => r.address === targetAddress);
  if (resource !== undefined && !control.resourceTypes.includes(resource.type)) return { result: "n/a", detail: `${control.id} does not apply to ${resource.type}` };
  if (resource !== undefined) {
    const result = control.check(resource, ctx);
    // An attribute written as `var.x` is judged under every value it can take (a fix at its source).
    const resolved = result === "unknown" ? checkWithSources(control, resource, ctx) : undefined;
    return resolved === undefined ? { result, detail: targetAddress } : { result: resolved.result, detail: `${targetAddress} (${resolved.detail})` };
  }
  const call = ctx.moduleCalls?.find((m) => m.address === targetAddress);
  if (call !== undefined) {
    const r = checkModuleCall(control.id, call);
    return r === undefined ? { result: "unknown", detail: `${targetAddress} is a module call ${control.id} cannot check` } : { result: r, detail: targetAddress };
  }
  if (control.accountLevel === true) {
    const all: ResourceRef[] = ctx.resources.filter((r) => control.resourceTypes.includes(r.type));
    if (all.length === 0) return { result: "fail", detail: `no ${control.resourceTypes.join("/")} exists after the change` };
    const results = all.map((r) => control.check(r, ctx));
    return { result: results.every((r) => r === "pass") ? "pass" : results.includes("fail") ? "fail" : "unknown", detail: all.map((r) => r.address).join(", ") };
  }
  if (removedAllowed) return { result: "pass", detail: `${targetAddress} was removed (an open ingress rule)` };
  return { result: "fail", detail: `${targetAddress} no longer exists after the change` };
}
