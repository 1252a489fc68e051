import { replaceAttributeValue, setAttributes } from "../terraform/edit.js";
import { textOf } from "./context.js";
import { asBool, asNumber, expectValue, isExpression, read, worst, type Read } from "./read.js";
import type { CheckResult, ControlContext, FixPlan, ModuleCallRef } from "./types.js";

/**
 * Fixes for resources inside registry modules go into the module call's inputs (the module's own
 * code is not ours to edit). Input names and defaults are those of terraform-aws-modules:
 * https://registry.terraform.io/modules/terraform-aws-modules/s3-bucket/aws/latest#inputs,
 * .../rds/aws/latest#inputs, .../security-group/aws/latest#inputs.
 */
interface InputRule {
  check(call: ModuleCallRef): CheckResult;
  fix(call: ModuleCallRef, ctx: ControlContext): FixPlan;
}

type ModuleKind = "s3-bucket" | "rds" | "rds-aurora" | "security-group";

export function moduleKind(source: string): ModuleKind | undefined {
  const m = /terraform-aws-modules\/(?:terraform-aws-)?(s3-bucket|rds-aurora|rds|security-group)(?:\/aws|\.git|\/|$|\?)/.exec(source);
  return m?.[1] as ModuleKind | undefined;
}

const SSE_PATH = ["server_side_encryption_configuration", "rule", "apply_server_side_encryption_by_default", "sse_algorithm"] as const;

function sseValue(algorithm: string): string {
  const kms = algorithm === "aws:kms" ? `\n    bucket_key_enabled = true` : "";
  return `{\n  rule = {\n    apply_server_side_encryption_by_default = {\n      sse_algorithm = ${JSON.stringify(algorithm)}\n    }${kms}\n  }\n}`;
}

/** A scalar input with an accepted value; `missing` reflects the module's default. */
function scalar(input: string, accept: (v: unknown) => boolean, value: string, missing: CheckResult): InputRule {
  return {
    check: (call) => expectValue(read(call.block.body, input), accept, missing),
    fix: (call, ctx) => setInputs(call, ctx, [[input, value]], `Set ${input} = ${value} on ${call.address}`),
  };
}

function setInputs(call: ModuleCallRef, ctx: ControlContext, inputs: readonly (readonly [string, string])[], summary: string): FixPlan {
  const text = textOf(ctx, call.file);
  return { kind: "edits", files: [{ path: call.file, edits: setAttributes(text, call.block, inputs) }], summary };
}

const isTrue = (v: unknown): boolean => asBool(v) === true;

function s3Encryption(accepted: readonly string[], algorithm: string): InputRule {
  return {
    check: (call) => expectValue(read(call.block.body, ...SSE_PATH), (v) => typeof v === "string" && accepted.includes(v)),
    fix: (call, ctx) => {
      const existing = call.block.attributes.find((a) => a.name === SSE_PATH[0]);
      if (existing !== undefined) {
        const at = existing.valueText.indexOf("sse_algorithm");
        const quote = /sse_algorithm\s*=\s*("[^"]*")/.exec(existing.valueText.slice(at));
        if (at < 0 || quote?.[1] === undefined) return { kind: "unsupported", reason: `the ${SSE_PATH[0]} input of ${call.address} has no sse_algorithm literal to change` };
        const start = existing.valueSpan.start + at + (quote.index + quote[0].length - quote[1].length);
        return { kind: "edits", files: [{ path: call.file, edits: [{ start, end: start + quote[1].length, text: JSON.stringify(algorithm) }] }], summary: `Use ${algorithm} default encryption on ${call.address}` };
      }
      return setInputs(call, ctx, [[SSE_PATH[0], sseValue(algorithm)]], `Set default encryption ${algorithm} on ${call.address}`);
    },
  };
}

const versioning: InputRule = {
  check: (call) => {
    const r = read(call.block.body, "versioning");
    if (r.state !== "known") return r.state === "missing" ? "fail" : "unknown";
    const v = r.value as Record<string, unknown>;
    return isTrue(v.enabled) || v.status === "Enabled" || isTrue(v.status) ? "pass" : "fail";
  },
  fix: (call, ctx) => {
    const existing = call.block.attributes.find((a) => a.name === "versioning");
    const r = read(call.block.body, "versioning");
    if (existing !== undefined && r.state === "known") {
      // Flip the literal in place so the map keeps its layout (and fmt alignment).
      const flip = /\b(enabled|status)(\s*=\s*)(false|"false"|"Suspended"|"Disabled")/.exec(existing.valueText);
      if (flip?.[1] !== undefined && flip[2] !== undefined && flip[3] !== undefined) {
        const start = existing.valueSpan.start + flip.index + flip[1].length + flip[2].length;
        const value = flip[1] === "enabled" ? "true" : '"Enabled"';
        return { kind: "edits", files: [{ path: call.file, edits: [{ start, end: start + flip[3].length, text: value }] }], summary: `Enable versioning on ${call.address}` };
      }
      const entries = Object.entries(r.value as Record<string, unknown>).filter(([k]) => k !== "enabled" && k !== "status");
      if (existing.valueText.includes("\n") || entries.some(([, v]) => typeof v === "object"))
        return { kind: "unsupported", reason: `the versioning input of ${call.address} has no enabled/status literal to change` };
      const rendered = [["enabled", "true"], ...entries.map(([k, v]) => [k, JSON.stringify(v)])].map(([k, v]) => `${k} = ${v}`).join(", ");
      return { kind: "edits", files: [{ path: call.file, edits: [replaceAttributeValue(existing, `{ ${rendered} }`)] }], summary: `Enable versioning on ${call.address}` };
    }
    return setInputs(call, ctx, [["versioning", "{\n  enabled = true\n}"]], `Enable versioning on ${call.address}`);
  },
};

const PAB = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
const publicAccess: InputRule = {
  check: (call) => worst(PAB.slice(0, 2).map((i) => expectValue(read(call.block.body, i), isTrue))),
  fix: (call, ctx) => setInputs(call, ctx, PAB.filter((i) => expectValue(read(call.block.body, i), isTrue) === "fail").map((i) => [i, "true"]), `Block public access on ${call.address}`),
};

/** Named rules of the security-group module (its rules.tf) and the port ranges they open. */
const NAMED_RULES: Record<string, readonly [number, number] | "icmp"> = {
  "ssh-tcp": [22, 22],
  "rdp-tcp": [3389, 3389],
  "rdp-udp": [3389, 3389],
  "http-80-tcp": [80, 80],
  "https-443-tcp": [443, 443],
  "http-8080-tcp": [8080, 8080],
  "mysql-tcp": [3306, 3306],
  "postgresql-tcp": [5432, 5432],
  "mssql-tcp": [1433, 1433],
  "redis-tcp": [6379, 6379],
  "all-all": [0, 65535],
  "all-tcp": [0, 65535],
  "all-udp": [0, 65535],
  "all-icmp": "icmp",
};

function sgRules(forbidden: (from: number, to: number) => boolean): InputRule {
  const open = (call: ModuleCallRef): Read => {
    const v4 = read(call.block.body, "ingress_cidr_blocks");
    const v6 = read(call.block.body, "ingress_ipv6_cidr_blocks");
    if (v4.state === "unknown" || v6.state === "unknown") return { state: "unknown" };
    const has = (r: Read, cidr: string): boolean => r.state === "known" && Array.isArray(r.value) && r.value.includes(cidr);
    return { state: "known", value: has(v4, "0.0.0.0/0") || has(v6, "::/0") };
  };
  const bad = (name: unknown): boolean | undefined => {
    const range = typeof name === "string" ? NAMED_RULES[name] : undefined;
    if (range === undefined) return undefined;
    return range !== "icmp" && forbidden(range[0], range[1]);
  };
  const check = (call: ModuleCallRef): CheckResult => {
    const o = open(call);
    if (o.state !== "known") return "unknown";
    if (o.value !== true) return "pass";
    const rules = read(call.block.body, "ingress_rules");
    if (rules.state === "missing") return "pass";
    if (rules.state === "unknown" || !Array.isArray(rules.value)) return "unknown";
    const verdicts = rules.value.map(bad);
    return verdicts.includes(true) ? "fail" : verdicts.includes(undefined) ? "unknown" : "pass";
  };
  return {
    check,
    fix: (call) => {
      const attr = call.block.attributes.find((a) => a.name === "ingress_rules");
      const rules = read(call.block.body, "ingress_rules");
      if (attr === undefined || rules.state !== "known" || !Array.isArray(rules.value))
        return { kind: "unsupported", reason: `the ingress of ${call.address} is not a literal ingress_rules list` };
      const kept = rules.value.filter((r) => bad(r) !== true).map((r) => JSON.stringify(r));
      return { kind: "edits", files: [{ path: call.file, edits: [replaceAttributeValue(attr, `[${kept.join(", ")}]`)] }], summary: `Remove world-open named rules from the ingress_rules of ${call.address}` };
    },
  };
}

const atLeast7 = (v: unknown): boolean => (asNumber(v) ?? 0) >= 7;

const RULES: Record<ModuleKind, Record<string, InputRule>> = {
  "s3-bucket": {
    "s3-versioning": versioning,
    "s3-encryption": s3Encryption(["AES256", "aws:kms", "aws:kms:dsse"], "AES256"),
    "s3-encryption-kms": s3Encryption(["aws:kms", "aws:kms:dsse"], "aws:kms"),
    "s3-public-access-block": publicAccess,
  },
  rds: {
    "rds-storage-encrypted": scalar("storage_encrypted", isTrue, "true", "pass"),
    "rds-not-public": scalar("publicly_accessible", (v) => asBool(v) !== true, "false", "pass"),
    "rds-backup-retention": scalar("backup_retention_period", atLeast7, "7", "fail"),
    "rds-deletion-protection": scalar("deletion_protection", isTrue, "true", "fail"),
    "rds-multi-az": scalar("multi_az", isTrue, "true", "fail"),
  },
  "rds-aurora": {
    "rds-storage-encrypted": scalar("storage_encrypted", isTrue, "true", "pass"),
    "rds-backup-retention": scalar("backup_retention_period", atLeast7, "7", "fail"),
    "rds-deletion-protection": scalar("deletion_protection", isTrue, "true", "fail"),
  },
  "security-group": {
    "sg-ssh-restricted": sgRules((f, t) => f <= 22 && 22 <= t),
    "sg-rdp-restricted": sgRules((f, t) => f <= 3389 && 3389 <= t),
    "sg-ports-restricted": sgRules((f, t) => !((f === 80 && t === 80) || (f === 443 && t === 443))),
  },
};

function ruleFor(controlId: string, call: ModuleCallRef): InputRule | undefined {
  const kind = moduleKind(call.source);
  return kind === undefined ? undefined : RULES[kind][controlId];
}

/** Control ids that have a module-input fix for this module call. */
export function moduleControlIds(call: ModuleCallRef): string[] {
  const kind = moduleKind(call.source);
  return kind === undefined ? [] : Object.keys(RULES[kind]);
}

/** The control's check on a module call's inputs; undefined when the module is not one we know. */
export function checkModuleCall(controlId: string, call: ModuleCallRef): CheckResult | undefined {
  if (call.block.body === null) return "unknown";
  return ruleFor(controlId, call)?.check(call);
}

/** The fix of a control as module inputs. */
export function fixModuleCall(controlId: string, call: ModuleCallRef, ctx: ControlContext): FixPlan {
  const rule = ruleFor(controlId, call);
  if (rule === undefined) return { kind: "unsupported", reason: `${controlId}: no input of module ${call.address} (source ${call.source}) is known to satisfy it` };
  const result = call.block.body === null ? "unknown" : rule.check(call);
  if (result === "pass") return { kind: "compliant", reason: `${call.address} already satisfies ${controlId} through its inputs` };
  if (result === "unknown" || isExpression(call.source)) return { kind: "unsupported", reason: `${controlId}: the inputs of ${call.address} come from expressions` };
  return rule.fix(call, ctx);
}
