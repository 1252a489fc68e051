import type { TextEdit } from "../domain/change.js";
import { removeAttributes, removeBlock, replaceAttributeValue } from "../terraform/edit.js";
import type { HclBlock } from "../terraform/parse.js";
import { connectedResources, textOf } from "./context.js";
import { asBool, asNumber, isExpression, noteUnknown, noteUnknownText, worst } from "./read.js";
import type { ControlInfo } from "./simple.js";
import type { CheckResult, Control, ControlContext, FileEdits, FixPlan, ResourceRef } from "./types.js";

/** True when the port range [from, to] holds a port the control forbids to the world. */
export type PortPredicate = (from: number, to: number) => boolean;

const OPEN_V4 = "0.0.0.0/0";
const OPEN_V6 = "::/0";
const RULE_TYPES = ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule"] as const;

/** One ingress rule in a common shape, from an inline block or a rule resource. */
interface Ingress {
  body: Record<string, unknown>;
  protocol: unknown;
  from: unknown;
  to: unknown;
  v4: string;
  v6: string;
  /** Other sources that keep the rule meaningful when the open CIDRs go. */
  otherSources: readonly string[];
}

function inlineIngress(body: Record<string, unknown>): Ingress {
  return { body, protocol: body.protocol, from: body.from_port, to: body.to_port, v4: "cidr_blocks", v6: "ipv6_cidr_blocks", otherSources: ["security_groups", "prefix_list_ids", "self"] };
}

function ruleIngress(type: string, body: Record<string, unknown>): Ingress | undefined {
  if (type === "aws_security_group_rule")
    return body.type === "ingress"
      ? { body, protocol: body.protocol, from: body.from_port, to: body.to_port, v4: "cidr_blocks", v6: "ipv6_cidr_blocks", otherSources: ["source_security_group_id", "prefix_list_ids", "self"] }
      : undefined;
  return { body, protocol: body.ip_protocol, from: body.from_port, to: body.to_port, v4: "cidr_ipv4", v6: "cidr_ipv6", otherSources: ["referenced_security_group_id", "prefix_list_id"] };
}

/**
 * Checkov's AbsSecurityGroupUnrestrictedIngress: fails when a forbidden port is in range and a
 * source is 0.0.0.0/0 or ::/0. Protocol -1 (or 0-0) means every port; ICMP has no ports.
 * Checkov passes a rule that also has `self = true` or prefix lists (shared/reference/checkov-checks.md);
 * TerraFix does not (issue 14): one rule with several sources admits each of them, so the world
 * still reaches the port, and Vanta reports the group.
 */
function checkIngress(rule: Ingress, forbidden: PortPredicate): CheckResult {
  const opens = [openness(rule.body, rule.v4, OPEN_V4), openness(rule.body, rule.v6, OPEN_V6)];
  const open = opens.includes("fail") ? "fail" : opens.includes("unknown") ? "unknown" : "pass";
  if (open === "pass") return "pass";
  const ports = portsForbidden(rule, forbidden);
  if (ports === "pass") return "pass";
  return open === "fail" && ports === "fail" ? "fail" : "unknown";
}

/** A source that keeps a rule meaningful: a non-empty list or id, or `self` that is really true (`self = "false"` is not). */
function isSource(body: Record<string, unknown>, attribute: string): boolean {
  const value = body[attribute];
  if (attribute === "self") return asBool(value) === true;
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === "string" && value.length > 0 && asBool(value) === undefined;
}

function openness(body: Record<string, unknown>, attribute: string, open: string): CheckResult {
  const value = body[attribute];
  if (value === undefined || value === null) return "pass";
  if (isExpression(value) || (Array.isArray(value) && value.some(isExpression))) {
    noteUnknown(body, attribute);
    return "unknown";
  }
  const list = Array.isArray(value) ? value : [value];
  return list.includes(open) ? "fail" : "pass";
}

function portsForbidden(rule: Ingress, forbidden: PortPredicate): CheckResult {
  const protocol = typeof rule.protocol === "number" ? String(rule.protocol) : rule.protocol;
  if (isExpression(protocol)) {
    noteUnknown(rule.body, "ip_protocol" in rule.body ? "ip_protocol" : "protocol");
    return "unknown";
  }
  if (protocol === "-1" || protocol === "all") return forbidden(0, 65535) ? "fail" : "pass";
  if (protocol === "icmp" || protocol === "icmpv6" || protocol === "1" || protocol === "58") return "pass";
  const from = asNumber(rule.from);
  const to = asNumber(rule.to);
  if (from === undefined || to === undefined) {
    if (!isExpression(rule.from) && !isExpression(rule.to)) return "fail";
    noteUnknown(rule.body, isExpression(rule.from) ? "from_port" : "to_port");
    return "unknown";
  }
  if (from === 0 && to === 0) return forbidden(0, 65535) ? "fail" : "pass";
  return forbidden(from, to) ? "fail" : "pass";
}

function inlineRules(sg: ResourceRef): { block: HclBlock; rule: Ingress }[] {
  return sg.block.blocks.filter((b) => b.type === "ingress" && b.body !== null).map((block) => ({ block, rule: inlineIngress(block.body ?? {}) }));
}

function connectedRules(sg: ResourceRef, ctx: ControlContext): ResourceRef[] {
  return RULE_TYPES.flatMap((t) => connectedResources(ctx, sg, t, "security_group_id"));
}

function checkResource(resource: ResourceRef, ctx: ControlContext, forbidden: PortPredicate): CheckResult {
  if (resource.block.body === null) return "unknown";
  if (resource.type !== "aws_security_group") {
    const rule = ruleIngress(resource.type, resource.block.body);
    return rule === undefined ? "pass" : checkIngress(rule, forbidden);
  }
  const results = inlineRules(resource).map(({ rule }) => checkIngress(rule, forbidden));
  // Dynamic blocks and `ingress = [...]` attributes are generated from expressions: not knowable here.
  if (resource.block.blocks.some((b) => b.type === "dynamic" && b.labels[0] === "ingress") || "ingress" in resource.block.body && !resource.block.blocks.some((b) => b.type === "ingress")) {
    noteUnknownText(`${resource.address} builds ingress rules from an expression (a dynamic block or an ingress list)`);
    results.push("unknown");
  }
  // A group matched by a finding is also failed by its separate rule resources.
  for (const r of connectedRules(resource, ctx)) results.push(checkResource(r, ctx, forbidden));
  return worst(results);
}

/** Edits that close one open rule: drop the open CIDRs, or the whole rule when nothing else is left. */
function closeRule(text: string, container: HclBlock, rule: Ingress): TextEdit[] {
  const keep = (attr: string, open: string): string[] | undefined => {
    const value = rule.body[attr];
    if (value === undefined) return undefined;
    return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string" && v !== open);
  };
  const v4 = keep(rule.v4, OPEN_V4);
  const v6 = keep(rule.v6, OPEN_V6);
  const others = rule.otherSources.some((s) => isSource(rule.body, s));
  if (!others && (v4?.length ?? 0) === 0 && (v6?.length ?? 0) === 0) return [removeBlock(text, container)];
  const edits: TextEdit[] = [];
  const drop = new Set<string>();
  for (const [attr, left] of [[rule.v4, v4], [rule.v6, v6]] as const) {
    const attribute = container.attributes.find((a) => a.name === attr);
    if (attribute === undefined || left === undefined) continue;
    const original = rule.body[attr];
    if (Array.isArray(original) && left.length === original.length) continue;
    if (!Array.isArray(original) && left.length === 1) continue;
    if (left.length === 0) drop.add(attr);
    else edits.push(replaceAttributeValue(attribute, `[${left.map((v) => JSON.stringify(v)).join(", ")}]`));
  }
  return [...edits, ...removeAttributes(text, container, drop)];
}

function fixResource(resource: ResourceRef, ctx: ControlContext, forbidden: PortPredicate, id: string): FixPlan {
  const result = checkResource(resource, ctx, forbidden);
  if (result === "pass") return { kind: "compliant", reason: `${resource.address} has no ingress rule open to the world on the ports ${id} forbids` };
  const files = new Map<string, TextEdit[]>();
  const add = (file: string, edits: TextEdit[]): void => void files.set(file, [...(files.get(file) ?? []), ...edits]);
  let unknown = false;
  const targets: ResourceRef[] = resource.type === "aws_security_group" ? [resource, ...connectedRules(resource, ctx)] : [resource];
  for (const target of targets) {
    const text = textOf(ctx, target.file);
    if (target.type === "aws_security_group") {
      for (const { block, rule } of inlineRules(target)) {
        const r = checkIngress(rule, forbidden);
        if (r === "fail") add(target.file, closeRule(text, block, rule));
        if (r === "unknown") unknown = true;
      }
    } else {
      const rule = target.block.body === null ? undefined : ruleIngress(target.type, target.block.body);
      const r = rule === undefined ? "pass" : checkIngress(rule, forbidden);
      if (r === "fail" && rule !== undefined) add(target.file, closeRule(text, target.block, rule));
      if (r === "unknown") unknown = true;
    }
  }
  if (files.size === 0)
    return { kind: "unsupported", reason: `${id}: the open ingress of ${resource.address} comes from expressions (variables, dynamic blocks); change those inputs` };
  const fileEdits: FileEdits[] = [...files].map(([path, edits]) => ({ path, edits }));
  return {
    kind: "edits",
    files: fileEdits,
    summary: `Remove world-open ingress (${OPEN_V4}, ${OPEN_V6}) on the ports ${id} forbids from ${resource.address}; every other rule stays`,
    risks: [
      "Clients that reached these ports from the internet lose access; give them a narrower CIDR, a VPN or SSM Session Manager.",
      ...(unknown ? ["Some rules are built from expressions and were not checked."] : []),
    ],
  };
}

export function securityGroupControl(info: ControlInfo, forbidden: PortPredicate): Control {
  return {
    ...info,
    check: (resource, ctx) => checkResource(resource, ctx, forbidden),
    fix: (resource, ctx) => fixResource(resource, ctx, forbidden, info.id),
  };
}

export const SG_TYPES = ["aws_security_group", ...RULE_TYPES] as const;
