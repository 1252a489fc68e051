import { renderBlock, setAttributes } from "../terraform/edit.js";
import { moduleDir, textOf } from "./context.js";
import { asBool, asNumber, expectValue, read, worst } from "./read.js";
import type { CheckResult, Control, ControlContext, FixPlan, ResourceRef } from "./types.js";

const TYPE = "aws_iam_account_password_policy";

/** CIS AWS Foundations 1.8-1.9 values, checked by Checkov's CKV_AWS_9..15. */
const REQUIREMENTS: readonly { name: string; accept: (v: unknown) => boolean; value: string }[] = [
  { name: "minimum_password_length", accept: (v) => (asNumber(v) ?? 0) >= 14, value: "14" },
  { name: "require_lowercase_characters", accept: (v) => asBool(v) === true, value: "true" },
  { name: "require_uppercase_characters", accept: (v) => asBool(v) === true, value: "true" },
  { name: "require_numbers", accept: (v) => asBool(v) === true, value: "true" },
  { name: "require_symbols", accept: (v) => asBool(v) === true, value: "true" },
  { name: "password_reuse_prevention", accept: (v) => (asNumber(v) ?? 0) >= 24, value: "24" },
  {
    name: "max_password_age",
    accept: (v) => {
      const n = asNumber(v);
      return n !== undefined && n > 0 && n <= 90;
    },
    value: "90",
  },
];

function check(policy: ResourceRef): CheckResult {
  return worst(REQUIREMENTS.map((r) => expectValue(read(policy.block.body, r.name), r.accept)));
}

function fix(policy: ResourceRef, ctx: ControlContext): FixPlan {
  const result = check(policy);
  if (result === "pass") return { kind: "compliant", reason: `${policy.address} already meets the password requirements` };
  const text = textOf(ctx, policy.file);
  const failing = REQUIREMENTS.filter((r) => expectValue(read(policy.block.body, r.name), r.accept) === "fail");
  if (failing.length === 0) return { kind: "unsupported", reason: `iam-password-policy: ${policy.address} sets its values from expressions` };
  const edits = setAttributes(text, policy.block, failing.map((r) => [r.name, r.value] as const));
  return { kind: "edits", files: [{ path: policy.file, edits }], summary: `Strengthen ${policy.address}: ${failing.map((r) => r.name).join(", ")}` };
}

/**
 * The account has no password policy in code: add one in the root module, in a file of its own
 * (appended when the file already exists). The root module is the folder holding the `provider
 * "aws"` block, else the repository root.
 */
function fixMissing(ctx: ControlContext): FixPlan {
  if (ctx.resources.some((r) => r.type === TYPE)) return { kind: "compliant", reason: `${TYPE} already exists` };
  let root = ".";
  for (const file of ctx.files.values()) if (file.blocks.some((b) => b.type === "provider" && b.labels[0] === "aws")) root = moduleDir(file.path);
  const path = root === "." ? "iam-password-policy.tf" : `${root}/iam-password-policy.tf`;
  const block = renderBlock({ type: "resource", labels: [TYPE, "this"], attributes: REQUIREMENTS.map((r) => [r.name, r.value] as const) }, "", "  ");
  const existing = ctx.files.get(path);
  if (existing !== undefined) {
    const end = existing.text.length;
    const sep = existing.text.endsWith("\n") ? "\n" : "\n\n";
    return { kind: "edits", files: [{ path, edits: [{ start: end, end, text: `${sep}${block}\n` }] }], summary: `Add an IAM account password policy to ${path}` };
  }
  return { kind: "edits", files: [{ path, create: true, edits: [{ start: 0, end: 0, text: `${block}\n` }] }], summary: `Add an IAM account password policy in ${path}` };
}

export const iamPasswordPolicy: Control = {
  id: "iam-password-policy",
  title: "The IAM account password policy is strong",
  vantaTestIds: ["internal-password-policy-config"],
  checkovIds: ["CKV_AWS_9", "CKV_AWS_10", "CKV_AWS_11", "CKV_AWS_12", "CKV_AWS_13", "CKV_AWS_14", "CKV_AWS_15"],
  resourceTypes: [TYPE],
  review: {
    impact: ["in-place"],
    applyNote:
      "The account password policy applies to every IAM user at once: new passwords must meet it, and with max_password_age = 90 every console password older than 90 days must be changed at the next sign-in. Access keys are not affected.",
    rollback:
      "Reverting restores the previous values, or deletes the policy when this change added it (the account then falls back to AWS's default policy); passwords already changed stay as they are.",
  },
  accountLevel: true,
  check,
  fix,
  fixMissing,
};
