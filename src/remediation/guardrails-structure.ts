import type { HclBlock } from "../terraform/parse.js";
import { ACTING_DATA_SOURCES, type TypeAllowlist } from "./guardrails-families.js";
import { exprText, semantic, TOP_LEVEL, type GraphNode, type ResourceGraph } from "./guardrails-graph.js";
import type { GuardrailRule } from "./guardrails-rules.js";

/**
 * The structural guardrails: what a compliance fix never needs to add or change, judged on the
 * resource graph before and after (guardrails.ts builds both). Each finding tells the author what
 * to do instead, because the model reads it on the next round.
 */
export interface Finding {
  rule: GuardrailRule;
  file: string;
  message: string;
}

/**
 * Attributes that name or identify a resource: changing one makes Terraform destroy and recreate
 * it (a new bucket is an empty bucket). https://developer.hashicorp.com/terraform/language/resources/behavior#resource-behavior
 */
const IDENTITY = new Set([
  "name",
  "name_prefix",
  "bucket",
  "bucket_prefix",
  "identifier",
  "identifier_prefix",
  "cluster_identifier",
  "function_name",
  "replication_group_id",
  "cluster_id",
  "domain_name",
  "family",
]);
const META = ["count", "for_each", "provider"] as const;
const LIFECYCLE_KEYS = ["prevent_destroy", "ignore_changes", "replace_triggered_by", "create_before_destroy", "precondition", "postcondition"];

export interface StructureOptions {
  allowRemoval: readonly string[];
  allowlist: TypeAllowlist | undefined;
}

export function structureFindings(before: ResourceGraph, after: ResourceGraph, options: StructureOptions): Finding[] {
  const out: Finding[] = [];
  const at = (node: GraphNode, line = node.line): string => `${node.file}:${line}`;
  const add = (rule: GuardrailRule, node: GraphNode, message: string, line?: number): void => void out.push({ rule, file: node.file, message: `${at(node, line)}: ${message}` });

  for (const node of after.nodes) {
    if (!TOP_LEVEL.has(node.kind) && node.kind !== "local") add("invalid-terraform", node, `"${node.kind}" is not a Terraform block type; write only resource, data, locals and the like`);
    const old = before.byKey.get(node.key)?.[0];
    if (node.kind === "resource" || node.kind === "data" || node.kind === "ephemeral") {
      if (old === undefined) newBlock(node, before, options.allowlist, add);
      else changedBlock(node, old, add);
    }
    if (node.kind === "module") {
      const attr = (b: HclBlock | undefined, n: string): string | undefined => exprText(b?.attributes.find((a) => a.name === n));
      if (old === undefined) add("module-source-change", node, `adds ${node.key}; a fix must not add module calls (change the resources themselves, or only the inputs of the existing call)`);
      else if (attr(old.block, "source") !== attr(node.block, "source") || attr(old.block, "version") !== attr(node.block, "version"))
        add("module-source-change", node, `${node.key} changes its source or version; change only its inputs`);
      else metaAndLifecycle(node, old, add);
    }
  }
  compareSets(before, after, "provider", (node) => add("provider-change", node, "provider configuration changed (region, credentials, alias or assume_role); a fix must not touch provider blocks"));
  compareSets(before, after, "terraform", (node) => add("backend-change", node, "the terraform block (backend, cloud, required_providers, required_version) changed; a fix must not touch it"));
  for (const kind of ["moved", "removed", "import"])
    compareSets(before, after, kind, (node) =>
      add("state-block", node, `adds or changes a \`${kind}\` block; ${kind === "removed" ? "it forgets or destroys a resource" : kind === "import" ? "it takes another resource under this configuration" : "it re-addresses state"}, which a fix never does — remove it`),
    );
  for (const [key, nodes] of before.byKey) {
    const first = nodes[0];
    if (first === undefined || !["resource", "data", "module", "ephemeral"].includes(first.kind) || after.byKey.has(key)) continue;
    if (options.allowRemoval.includes(key)) continue;
    add("resource-removal", first, `removes ${key}; a fix must change resources, never delete them (keep the block and change its attributes)`);
  }
  return out;
}

type Add = (rule: GuardrailRule, node: GraphNode, message: string, line?: number) => void;

function newBlock(node: GraphNode, before: ResourceGraph, allowlist: TypeAllowlist | undefined, add: Add): void {
  const mode = node.kind === "resource" ? "managed" : "data";
  if (node.kind === "data" && ACTING_DATA_SOURCES.has(node.type))
    add("external-data", node, `adds data "${node.type}" (${node.type === "http" ? "it sends a request to a URL during plan, which can carry data out" : "it runs a program during plan"}); remove it`);
  else if (allowlist !== undefined && !allowlist.allows(mode, node.type))
    add(
      "type-not-allowed",
      node,
      `adds ${node.key}, a type outside this fix's family (${allowlist.families.map((f) => f.prefixes.map((p) => `${p}*`).join(", ")).join("; ") || "none"}); add only companions of the target`,
    );
  for (const nested of nestedOf(node.block, ["provisioner", "connection"]))
    add("provisioner", node, `${node.key} has a ${nested.type} block (provisioners run commands at apply time and are never part of a compliance fix); remove it`, nested.span.startLine);
  for (const nested of nestedOf(node.block, ["lifecycle"]))
    add("lifecycle", node, `${node.key} has a lifecycle block; a new companion needs none — remove it`, nested.span.startLine);
  // A companion may repeat its parent's count/for_each (so every instance gets one), nothing else.
  const known = new Set(before.nodes.flatMap((n) => META.map((m) => exprText(n.block.attributes.find((a) => a.name === m))).filter((v): v is string => v !== undefined)));
  const addresses = new Set(before.nodes.map((n) => n.key));
  for (const meta of META) {
    const attr = node.block.attributes.find((a) => a.name === meta);
    const value = exprText(attr);
    if (attr === undefined || value === undefined || known.has(value)) continue;
    if (meta === "for_each" && addresses.has(value)) continue;
    add("meta-argument", node, `${node.key} sets ${meta} = ${attr.valueText.trim().slice(0, 80)}, which no existing block uses; repeat the target's ${meta} or leave it out`, attr.span.startLine);
  }
}

function changedBlock(node: GraphNode, old: GraphNode, add: Add): void {
  const oldCommands = nestedOf(old.block, ["provisioner", "connection"]).map((n) => semantic(n));
  const newCommands = nestedOf(node.block, ["provisioner", "connection"]);
  const gained = newCommands.find((n) => !oldCommands.includes(semantic(n)));
  if (gained !== undefined)
    add("provisioner", node, `${node.key} gains a ${gained.type} block (provisioners run arbitrary commands at apply time and are never part of a compliance fix); remove it`, gained.span.startLine);
  else if (newCommands.length !== oldCommands.length)
    add("provisioner", node, `${node.key} drops a provisioner or connection block; leave them as they were`);
  if (node.kind === "data" && ACTING_DATA_SOURCES.has(node.type) && semantic(node.block) !== semantic(old.block))
    add("external-data", node, `changes data "${node.type}" ${node.key}; it acts outside Terraform during plan — leave it as it was`);
  metaAndLifecycle(node, old, add);
  if (node.kind !== "resource") return;
  for (const name of IDENTITY) {
    const a = node.block.attributes.find((x) => x.name === name);
    const b = old.block.attributes.find((x) => x.name === name);
    if (exprText(a) === exprText(b)) continue;
    add(
      "identity-change",
      node,
      `${node.key} changes \`${name}\` (${exprText(b) ?? "unset"} -> ${exprText(a) ?? "unset"}); that forces Terraform to destroy and recreate the resource — keep ${name} exactly as it was`,
      a?.span.startLine,
    );
  }
}

function metaAndLifecycle(node: GraphNode, old: GraphNode, add: Add): void {
  for (const meta of META) {
    const a = node.block.attributes.find((x) => x.name === meta);
    const b = old.block.attributes.find((x) => x.name === meta);
    if (exprText(a) !== exprText(b))
      add("meta-argument", node, `${node.key} changes ${meta} (${exprText(b) ?? "unset"} -> ${exprText(a) ?? "unset"}); that adds or destroys instances — keep ${meta} as it was`, a?.span.startLine);
  }
  const before = lifecycleOf(old.block);
  const after = lifecycleOf(node.block);
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]);
  if (changed.length > 0)
    add(
      "lifecycle",
      node,
      `${node.key} changes its lifecycle (${changed.join(", ")}); prevent_destroy, ignore_changes and replace_triggered_by decide what Terraform may destroy or ignore — keep the lifecycle block as it was`,
      nestedOf(node.block, ["lifecycle"])[0]?.span.startLine,
    );
}

/** Lifecycle settings by name (`lifecycle#2` marks a second, duplicate lifecycle block). */
function lifecycleOf(block: HclBlock): Record<string, string> {
  const out: Record<string, string> = {};
  nestedOf(block, ["lifecycle"]).forEach((l, i) => {
    if (i > 0) out[`lifecycle#${i + 1}`] = "present";
    for (const a of l.attributes) out[LIFECYCLE_KEYS.includes(a.name) ? a.name : `lifecycle.${a.name}`] = exprText(a) ?? "";
    for (const b of l.blocks) out[b.type] = `${out[b.type] ?? ""}${semantic(b)}`;
  });
  return out;
}

function nestedOf(block: HclBlock, types: readonly string[]): HclBlock[] {
  return block.blocks.filter((b) => types.includes(b.type) || (b.type === "dynamic" && types.includes(b.labels[0] ?? "")));
}

/** Blocks of a kind compared as a multiset of their content: anything added, changed or removed is reported once. */
function compareSets(before: ResourceGraph, after: ResourceGraph, kind: string, report: (node: GraphNode) => void): void {
  const render = (n: GraphNode): string => semantic(n.block);
  const old = before.nodes.filter((n) => n.kind === kind).map(render);
  const now = after.nodes.filter((n) => n.kind === kind);
  const remaining = [...old];
  let reported = false;
  for (const node of now) {
    const i = remaining.indexOf(render(node));
    if (i >= 0) remaining.splice(i, 1);
    else if (!reported) {
      report(node);
      reported = true;
    }
  }
  if (!reported && remaining.length > 0) {
    const gone = before.nodes.find((n) => n.kind === kind && remaining.includes(render(n)));
    // moved/import blocks may go once applied; only provider and terraform blocks must stay.
    if (gone !== undefined && (kind === "provider" || kind === "terraform")) report(gone);
  }
}
