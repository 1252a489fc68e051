import type { EvalContext } from "../terraform/expr.js";
import { isRecord, type HclBlock } from "../terraform/parse.js";
import { PartialString, UNKNOWN, type Value } from "../terraform/values.js";
import { allAttributes, attributeValue, flatText, type GraphNode } from "./guardrails-graph.js";

/**
 * What a block grants, as findings that can be compared before and after: wildcard actions and
 * resources in Allow statements, NotAction/NotResource/NotPrincipal anywhere, public principals,
 * AWS-managed administrator policies, public ACLs and switched-off public access blocks. Policies
 * are read as values, whatever their spelling: HCL lists over several lines, `jsonencode`,
 * heredoc or quoted JSON, escapes such as `\u002a`, locals and variable defaults, and
 * `aws_iam_policy_document` statements. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 */
export type PolicyFindingKind = "iam-wildcard" | "iam-not-element" | "admin-policy" | "public-principal" | "public-acl";

export interface PolicyFinding {
  kind: PolicyFindingKind;
  /** Stable text of the finding, compared before/after. */
  what: string;
  hint: string;
}

/** https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl */
const PUBLIC_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);
const PUBLIC_GRANTEES = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/i;
const PUBLIC_ACCESS_BLOCK = new Set(["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]);
/** AWS-managed policies that hand out administration (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html). */
const ADMIN_POLICY = /:iam::aws:policy\/(?:[\w+=,.@-]+\/)*(AdministratorAccess[\w-]*|PowerUserAccess|IAMFullAccess|[\w-]*FullAccess|SystemAdministrator|NetworkAdministrator|DatabaseAdministrator)$/;
const MAX_DEPTH = 12;

const HINT_ACTION = 'grant only the named actions the control needs (e.g. "s3:GetObject"), never "*" or "service:*"';
const HINT_RESOURCE = "name the resources (ARNs of the target and its companions), never \"*\"";

export function policyFindings(node: GraphNode, ctx: EvalContext): PolicyFinding[] {
  const out: PolicyFinding[] = [];
  const add = (f: PolicyFinding): void => void (out.some((o) => o.kind === f.kind && o.what === f.what) ? undefined : out.push(f));
  for (const { attr, holder } of allAttributes(node.block)) {
    const value = attributeValue(attr, holder.body, ctx);
    const name = attr.name.toLowerCase();
    const text = flatText(value);
    if (name === "acl" && text !== undefined && PUBLIC_ACLS.has(text))
      add({ kind: "public-acl", what: `acl = "${text}"`, hint: 'keep the bucket private ("private" or no ACL; BucketOwnerEnforced ownership)' });
    if ((name === "uri" || name === "grantee") && text !== undefined && PUBLIC_GRANTEES.test(text))
      add({ kind: "public-acl", what: `a grant to ${PUBLIC_GRANTEES.exec(text)?.[1] ?? "everyone"}`, hint: "grant only named accounts or canonical users" });
    if (PUBLIC_ACCESS_BLOCK.has(name) && value === false)
      add({ kind: "public-acl", what: `${attr.name} = false`, hint: "a fix may only turn public access blocks on" });
    if (name === "principal" && text === "*") add({ kind: "public-principal", what: 'principal = "*"', hint: "name the principal (an account, role or service)" });
    for (const arn of strings(value))
      if ((name === "policy_arn" || name === "managed_policy_arns") && ADMIN_POLICY.test(arn))
        add({ kind: "admin-policy", what: `attaches ${ADMIN_POLICY.exec(arn)?.[1] ?? arn}`, hint: "attach a policy with only the actions the control needs" });
    for (const statement of statementsIn(value, 0)) statementFindings(statement, add);
  }
  if (node.type === "aws_iam_policy_document") for (const statement of documentStatements(node.block, ctx)) statementFindings(statement, add);
  return out;
}

interface Statement {
  effect: Value;
  elements: Map<string, Value>;
  /** Where it came from: `policy document` or `statement block`, for the message. */
  from: string;
}

function statementFindings(statement: Statement, add: (f: PolicyFinding) => void): void {
  const effect = typeof statement.effect === "string" ? statement.effect.toLowerCase() : "allow";
  for (const [key, value] of statement.elements) {
    const k = key.toLowerCase().replace(/_/g, "");
    if (k === "notaction" || k === "notactions" || k === "notresource" || k === "notresources" || k === "notprincipal" || k === "notprincipals")
      add({ kind: "iam-not-element", what: `${key} in a ${statement.from}`, hint: `list what is granted with ${key.replace(/^not_?/i, "")} instead; ${key} grants everything not listed` });
    if (effect === "deny") continue;
    if (k === "action" || k === "actions")
      for (const action of strings(value)) if (action === "*" || /^[^:*]*:\*$/.test(action) || /^\*:/.test(action)) add({ kind: "iam-wildcard", what: `Action "${action}"`, hint: HINT_ACTION });
    if (k === "resource" || k === "resources")
      for (const resource of strings(value))
        if (resource === "*" || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(resource)) add({ kind: "iam-wildcard", what: `Resource "${resource}"`, hint: HINT_RESOURCE });
    if (k === "principal" || k === "principals")
      for (const principal of principals(value)) if (principal === "*") add({ kind: "public-principal", what: 'Principal "*"', hint: "name the principal (an account, role or service)" });
  }
}

/** Strings in a value (a string, or a list of them); holes are kept as `\u0000`. */
function strings(value: Value): string[] {
  if (Array.isArray(value)) return value.flatMap(strings);
  const text = flatText(value);
  return text === undefined ? [] : [text];
}

function principals(value: Value): string[] {
  if (Array.isArray(value)) return value.flatMap(principals);
  if (isObjectValue(value)) return Object.values(value).flatMap(principals);
  return strings(value);
}

function isObjectValue(value: Value): value is { [key: string]: Value } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof PartialString);
}

/** Statements of any policy document found in a value: objects with `Statement`, or JSON text of one. */
function statementsIn(value: Value, depth: number): Statement[] {
  if (depth > MAX_DEPTH || value === UNKNOWN) return [];
  if (Array.isArray(value)) return value.flatMap((v) => statementsIn(v, depth + 1));
  if (isObjectValue(value)) {
    const statement = Object.entries(value).find(([k]) => k.toLowerCase() === "statement")?.[1];
    const list: Value[] = statement === undefined ? [] : Array.isArray(statement) ? statement : [statement];
    const own = list.filter(isObjectValue).map(fromJsonStatement);
    return [...own, ...Object.entries(value).filter(([k]) => k.toLowerCase() !== "statement").flatMap(([, v]) => statementsIn(v, depth + 1))];
  }
  const text = flatText(value);
  if (text === undefined || !/statement|action|principal/i.test(text)) return [];
  return statementsIn(parseJson(text), depth + 1);
}

function fromJsonStatement(raw: { [key: string]: Value }): Statement {
  const elements = new Map(Object.entries(raw).filter(([k]) => k.toLowerCase() !== "effect"));
  const effect = Object.entries(raw).find(([k]) => k.toLowerCase() === "effect")?.[1] ?? "Allow";
  return { effect, elements, from: "policy document" };
}

/**
 * JSON policy text. Unknown parts (`${aws_s3_bucket.b.arn}`) become a placeholder first; text
 * that still is not JSON is read leniently: each `"Key": value` pair becomes an element of one
 * statement with an unknown effect (so a wildcard in broken JSON is still seen).
 */
function parseJson(text: string): Value {
  const filled = text.split("\u0000").join("HOLE");
  try {
    return toValue(JSON.parse(filled));
  } catch {
    const elements: { [key: string]: Value } = {};
    const pair = /"((?:[^"\\]|\\.)*)"\s*:\s*(\[[^\]]*\]|"(?:[^"\\]|\\.)*")/g;
    for (const m of filled.matchAll(pair)) {
      const key = decode(m[1] ?? "");
      const raw = m[2] ?? "";
      const items = [...raw.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((s) => decode(s[1] ?? ""));
      const previous = elements[key];
      const earlier: Value[] = Array.isArray(previous) ? previous : previous === undefined ? [] : [previous];
      elements[key] = [...earlier, ...items];
    }
    return Object.keys(elements).length === 0 ? UNKNOWN : { Statement: [elements] };
  }
}

function decode(s: string): string {
  try {
    return JSON.parse(`"${s}"`) as string;
  } catch {
    return s;
  }
}

function toValue(raw: unknown): Value {
  if (raw === null || typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean") return raw;
  if (Array.isArray(raw)) return raw.map(toValue);
  if (isRecord(raw)) return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, toValue(v)]));
  return UNKNOWN;
}

/** `statement` blocks of an `aws_iam_policy_document`, with `principals { type, identifiers }` folded in. */
function documentStatements(block: HclBlock, ctx: EvalContext): Statement[] {
  return block.blocks
    .filter((b) => b.type === "statement" || (b.type === "dynamic" && b.labels[0] === "statement"))
    .map((b) => {
      const elements = new Map<string, Value>();
      for (const { attr, holder } of allAttributes(b)) {
        if (holder !== b && holder.type !== "content") continue;
        if (attr.name !== "effect") elements.set(attr.name, attributeValue(attr, holder.body, ctx));
      }
      for (const p of b.blocks.flatMap((n) => (n.type === "content" ? n.blocks : [n])).filter((n) => n.type === "principals" || n.type === "not_principals")) {
        const ids = p.attributes.find((a) => a.name === "identifiers");
        const value = ids === undefined ? UNKNOWN : attributeValue(ids, p.body, ctx);
        const key = p.type === "principals" ? "principals" : "not_principals";
        const previous = elements.get(key);
        const earlier: Value[] = Array.isArray(previous) ? previous : [];
        const more: Value[] = Array.isArray(value) ? value : [value];
        elements.set(key, [...earlier, ...more]);
      }
      const effectAttr = b.attributes.find((a) => a.name === "effect");
      const effect = effectAttr === undefined ? "Allow" : attributeValue(effectAttr, b.body, ctx);
      return { effect, elements, from: "statement block" };
    });
}
