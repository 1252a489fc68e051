import { applyEdits, type ControlReviewNote, type FileChange, type ProposedChange, type TextEdit } from "../domain/change.js";
import { controlById, controlsForTest } from "../controls/catalogue.js";
import { fixModuleCall } from "../controls/modules.js";
import { withFileEol } from "../terraform/canonical.js";
import { fixAtSource } from "./source-fix.js";
import type { Control, ControlContext, FixPlan, ModuleCallRef, ResourceRef } from "../controls/types.js";

export interface RuleFixInput {
  /** Control ids (or Vanta test ids, resolved through the catalogue) the change must satisfy. */
  controlIds: readonly string[];
  /** The matched resource. Absent for account-level controls whose resource does not exist yet. */
  target?: ResourceRef;
  /** The matched registry module call, when the failing resource lives inside one. */
  moduleCall?: ModuleCallRef;
  ctx: ControlContext;
  /** Extra testId -> controlId mappings from configuration. */
  testMappings?: Readonly<Record<string, string>>;
}

export type RuleFixResult =
  | { type: "change"; change: ProposedChange; applied: string[]; skipped: { controlId: string; reason: string }[] }
  | { type: "unsupported"; reason: string }
  | { type: "already-compliant"; reason: string };

/**
 * The deterministic fixer: each control's fix() as exact-span edits, merged per file. A second run
 * on the fixed code finds every control passing and proposes nothing.
 */
export function generateRuleFix(input: RuleFixInput): RuleFixResult {
  const controls = resolveControls(input.controlIds, input.testMappings ?? {});
  if (controls.length === 0) return { type: "unsupported", reason: `no rule-based control covers ${input.controlIds.join(", ")}` };
  const plans: { control: Control; plan: FixPlan }[] = controls.map((control) => ({ control, plan: planFor(control, input) }));
  const edits = new Map<string, { edits: TextEdit[]; create: boolean }>();
  const applied: string[] = [];
  const skipped: { controlId: string; reason: string }[] = [];
  const summaries: string[] = [];
  const risks: string[] = [];
  for (const { control, plan } of plans) {
    if (plan.kind !== "edits") {
      skipped.push({ controlId: control.id, reason: plan.reason });
      continue;
    }
    const merged = mergeInto(edits, plan);
    if (merged !== undefined) {
      skipped.push({ controlId: control.id, reason: merged });
      continue;
    }
    applied.push(control.id);
    summaries.push(plan.summary);
    for (const risk of plan.risks ?? []) if (!risks.includes(risk)) risks.push(risk);
  }
  if (applied.length === 0) {
    const reason = skipped.map((s) => s.reason).join("; ");
    return plans.every(({ plan }) => plan.kind === "compliant") ? { type: "already-compliant", reason } : { type: "unsupported", reason };
  }
  const files: FileChange[] = [...edits].map(([path, { edits: fileEdits, create }]) => {
    const before = create ? "" : (input.ctx.files.get(path)?.text ?? "");
    // The helpers write `\n`; a CRLF file gets CRLF in what is added (canonical.ts).
    return { path, before, after: applyEdits(before, withFileEol(before, fileEdits)) };
  });
  const change: ProposedChange = {
    files,
    generator: "rules",
    rationale: summaries.join("\n"),
    confidence: 1,
    ...(risks.length > 0 ? { risks } : {}),
    ...(applied[0] === undefined ? {} : { controlId: applied[0] }),
    reviews: plans.filter(({ control }) => applied.includes(control.id)).map(({ control }) => reviewNote(control)),
  };
  return { type: "change", change, applied, skipped };
}

/**
 * The rule fix, and where it gives up because the attribute is `var.x`, the same fix made at the
 * value's source (source-fix.ts). What was changed where is in the rationale, so the PR body says.
 */
export async function generateRuleFixWithSources(input: RuleFixInput): Promise<RuleFixResult> {
  const first = generateRuleFix(input);
  const target = input.target;
  if (first.type !== "unsupported" || target === undefined || input.moduleCall !== undefined || target.mode !== "managed") return first;
  const refusals: string[] = [];
  for (const control of resolveControls(input.controlIds, input.testMappings ?? {})) {
    if (!control.resourceTypes.includes(target.type)) continue;
    const fix = await fixAtSource(control, target, input.ctx);
    if (fix.kind === "refused") refusals.push(fix.reason);
    if (fix.kind !== "edits") continue;
    const files: FileChange[] = fix.files.map(({ path, edits }) => {
      const before = input.ctx.files.get(path)?.text ?? "";
      return { path, before, after: applyEdits(before, withFileEol(before, edits)) };
    });
    const change: ProposedChange = { files, generator: "rules", rationale: fix.summary, confidence: 1, controlId: control.id, reviews: [reviewNote(control)], sources: fix.sources };
    return { type: "change", change, applied: [control.id], skipped: [] };
  }
  return refusals.length === 0 ? first : { type: "unsupported", reason: refusals.join("; ") };
}

function resolveControls(ids: readonly string[], mappings: Readonly<Record<string, string>>): Control[] {
  const out: Control[] = [];
  for (const id of ids) {
    const found = controlById(id);
    for (const control of found === undefined ? controlsForTest(id, mappings) : [found]) if (!out.includes(control)) out.push(control);
  }
  return out;
}

function planFor(control: Control, input: RuleFixInput): FixPlan {
  if (input.moduleCall !== undefined) return fixModuleCall(control.id, input.moduleCall, input.ctx);
  const target = input.target;
  if (target === undefined) {
    if (control.fixMissing !== undefined) return control.fixMissing(input.ctx);
    return { kind: "unsupported", reason: `${control.id}: no resource to fix` };
  }
  if (target.mode === "data") return { kind: "unsupported", reason: `${target.address} is a data source: it reads a resource managed elsewhere, so there is nothing to fix here` };
  if (!control.resourceTypes.includes(target.type))
    return { kind: "unsupported", reason: `${control.id} does not apply to ${target.type} (${control.resourceTypes.join(", ")})` };
  return control.fix(target, input.ctx);
}

/** Adds a plan's edits unless they overlap edits already taken; returns why not when they do. */
function mergeInto(all: Map<string, { edits: TextEdit[]; create: boolean }>, plan: Extract<FixPlan, { kind: "edits" }>): string | undefined {
  for (const file of plan.files) {
    const taken = all.get(file.path)?.edits ?? [];
    for (const edit of file.edits) {
      const clash = taken.find((t) => !same(t, edit) && t.start < edit.end && edit.start < t.end);
      if (clash !== undefined) return `${file.path}: edit at ${edit.start}-${edit.end} overlaps another control's edit`;
    }
  }
  for (const file of plan.files) {
    const entry = all.get(file.path) ?? { edits: [], create: file.create === true };
    for (const edit of file.edits) if (!entry.edits.some((t) => same(t, edit))) entry.edits.push(edit);
    all.set(file.path, entry);
  }
  return undefined;
}

function same(a: TextEdit, b: TextEdit): boolean {
  return a.start === b.start && a.end === b.end && a.text === b.text;
}

/** A control's review data (apply impact, rollback, gaps) as the change carries it to the PR body. */
export function reviewNote(control: Control): ControlReviewNote {
  return { controlId: control.id, title: control.title, ...control.review };
}
