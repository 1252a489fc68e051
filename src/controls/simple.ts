import { addNestedBlock, setAttribute } from "../terraform/edit.js";
import type { HclBlock } from "../terraform/parse.js";
import { textOf } from "./context.js";
import { expectValue, read } from "./read.js";
import type { ControlReview } from "../domain/change.js";
import type { CheckResult, Control, ControlContext, FixPlan, ResourceRef } from "./types.js";

/** The descriptive part every control shares. */
export interface ControlInfo {
  id: string;
  title: string;
  vantaTestIds: readonly string[];
  checkovIds: readonly string[];
  resourceTypes: readonly string[];
  review: ControlReview;
}

export interface AttributeControlSpec extends ControlInfo {
  /** Attribute path: `["storage_encrypted"]`, or `["point_in_time_recovery", "enabled"]` for a nested block. */
  path: readonly [string] | readonly [string, string];
  accept: (value: unknown) => boolean;
  /** Result when the attribute is missing (Checkov's missing_block_result; FAIL for value checks). */
  missing?: CheckResult;
  /** HCL text the fix writes. */
  fixValue: string;
  /** Checked first: a result here (e.g. UNKNOWN for an asymmetric KMS key) replaces the value check. */
  precondition?: (resource: ResourceRef) => CheckResult | undefined;
  /** Replaces the value check entirely (IMDSv2 also passes with the endpoint disabled). */
  check?: (resource: ResourceRef) => CheckResult;
  risks?: readonly string[];
}

/** A control satisfied by one attribute value, at top level or in one nested block. */
export function attributeControl(spec: AttributeControlSpec): Control {
  const check = (resource: ResourceRef): CheckResult => {
    const pre = spec.precondition?.(resource);
    if (pre !== undefined) return pre;
    if (spec.check !== undefined) return spec.check(resource);
    return expectValue(read(resource.block.body, ...spec.path), spec.accept, spec.missing ?? "fail");
  };
  return {
    id: spec.id,
    title: spec.title,
    vantaTestIds: spec.vantaTestIds,
    checkovIds: spec.checkovIds,
    resourceTypes: spec.resourceTypes,
    review: spec.review,
    check: (resource) => check(resource),
    fix: (resource, ctx) => {
      const before = check(resource);
      if (before === "pass") return { kind: "compliant", reason: `${resource.address} already satisfies ${spec.id}` };
      if (before === "unknown") return unknownReason(spec.id, resource, spec.path.join("."));
      return attributeFix(resource, ctx, spec.path, spec.fixValue, `Set ${spec.path.join(".")} = ${spec.fixValue} on ${resource.address} (${spec.title})`, spec.risks);
    },
  };
}

export function unknownReason(controlId: string, resource: ResourceRef, what: string): FixPlan {
  return {
    kind: "unsupported",
    reason: `${controlId}: ${resource.address} sets ${what} from an expression (variable, local or reference); change that input instead of the resource`,
  };
}

/** Edits that set `path` to `valueText`, adding the nested block when it is missing. */
export function attributeFix(
  resource: ResourceRef,
  ctx: ControlContext,
  path: readonly string[],
  valueText: string,
  summary: string,
  risks?: readonly string[],
): FixPlan {
  const text = textOf(ctx, resource.file);
  const [first = "", second] = path;
  let edit;
  if (second === undefined) {
    edit = setAttribute(text, resource.block, first, valueText);
  } else {
    const nested = resource.block.blocks.find((b) => b.type === first);
    edit = nested === undefined ? addNestedBlock(text, resource.block, { type: first, attributes: [[second, valueText]] }) : setAttribute(text, nested, second, valueText);
  }
  return { kind: "edits", files: [{ path: resource.file, edits: [edit] }], summary, ...(risks === undefined ? {} : { risks: [...risks] }) };
}

export function nestedBlock(block: HclBlock, type: string): HclBlock | undefined {
  return block.blocks.find((b) => b.type === type);
}
