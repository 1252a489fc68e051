import type { HclBlock, ParsedFile } from "../terraform/parse.js";

/**
 * Changes TerraFix refuses whoever proposed them (rules or the model), because a compliance fix
 * never needs them and each can do harm beyond the resource: provisioners and `external` data
 * sources run commands; provider, backend and module-source changes move trust or state; removed
 * resources destroy infrastructure; `ignore_changes` hides the very setting the control checks;
 * IAM wildcards widen access. Messages name the file, block and line so the model can correct it.
 */
export type GuardrailRule =
  | "provisioner"
  | "external-data"
  | "provider-change"
  | "backend-change"
  | "module-source-change"
  | "resource-removal"
  | "ignore-changes"
  | "iam-wildcard";

export interface GuardrailViolation {
  rule: GuardrailRule;
  file: string;
  message: string;
}

export interface GuardrailFile {
  path: string;
  /** undefined when the change creates the file. */
  before: ParsedFile | undefined;
  after: ParsedFile;
}

export interface GuardrailOptions {
  /** `type.name` of resources the change may remove (an open security-group rule the control closes). */
  allowRemoval?: readonly string[];
}

function keyOf(block: HclBlock): string {
  return [block.type, ...block.labels].join(".");
}

function label(block: HclBlock): string {
  return block.type === "resource" ? block.labels.join(".") : keyOf(block);
}

function walk(block: HclBlock, visit: (b: HclBlock, top: HclBlock) => void, top: HclBlock = block): void {
  visit(block, top);
  for (const nested of block.blocks) walk(nested, visit, top);
}

function count(file: ParsedFile | undefined, predicate: (b: HclBlock) => boolean): Map<string, { n: number; line: number }> {
  const out = new Map<string, { n: number; line: number }>();
  for (const top of file?.blocks ?? [])
    walk(top, (b, t) => {
      if (!predicate(b)) return;
      const entry = out.get(label(t)) ?? { n: 0, line: b.span.startLine };
      out.set(label(t), { n: entry.n + 1, line: b.span.startLine });
    });
  return out;
}

function blockText(file: ParsedFile | undefined, type: string): string {
  return (file?.blocks ?? []).filter((b) => b.type === type).map((b) => file?.text.slice(b.span.start, b.span.end) ?? "").join("\n");
}

// Wildcards in policy documents (HCL `actions = ["*"]`, jsonencode `Action = "s3:*"`, heredoc JSON "Action": "*").
const WILDCARDS: readonly [RegExp, string][] = [
  [/\b(?:not_)?actions\s*=\s*\[[^\]]*"(?:\*|[A-Za-z0-9-]+:\*)"/g, "action"],
  [/"?\b(?:Not)?Action"?\s*[:=]\s*\[?[^\]\n]*"(?:\*|[A-Za-z0-9-]+:\*)"/g, "action"],
  [/\bresources\s*=\s*\[[^\]]*"\*"/g, "resource"],
  [/"?\bResource"?\s*[:=]\s*\[?[^\]\n]*"\*"/g, "resource"],
];

function wildcardCount(text: string, kind: string): number {
  return WILDCARDS.filter(([, k]) => k === kind).reduce((n, [re]) => n + (text.match(re)?.length ?? 0), 0);
}

function ignoreChanges(file: ParsedFile | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const top of file?.blocks ?? []) {
    const lifecycle = top.blocks.find((b) => b.type === "lifecycle");
    const attr = lifecycle?.attributes.find((a) => a.name === "ignore_changes");
    if (attr !== undefined) out.set(label(top), attr.valueText.replace(/\s+/g, ""));
  }
  return out;
}

export function checkGuardrails(files: readonly GuardrailFile[], options: GuardrailOptions = {}): GuardrailViolation[] {
  const violations: GuardrailViolation[] = [];
  const add = (rule: GuardrailRule, file: string, message: string): void => void violations.push({ rule, file, message });
  const removedCandidates = new Map<string, string>();
  const present = new Set<string>();
  for (const { path, before, after } of files) {
    const grew = (predicate: (b: HclBlock) => boolean, rule: GuardrailRule, what: string): void => {
      const old = count(before, predicate);
      for (const [where, { n, line }] of count(after, predicate))
        if (n > (old.get(where)?.n ?? 0)) add(rule, path, `${path}:${line}: ${where} gains ${what}; remove it`);
    };
    grew((b) => b.type === "provisioner", "provisioner", "a provisioner block (provisioners run arbitrary commands at apply time and are never part of a compliance fix)");
    grew((b) => b.type === "data" && b.labels[0] === "external", "external-data", 'an `external` data source (it runs a program during plan)');
    if (blockText(before, "provider") !== blockText(after, "provider"))
      add("provider-change", path, `${path}: provider blocks changed; a fix must not touch provider configuration`);
    if (blockText(before, "terraform") !== blockText(after, "terraform"))
      add("backend-change", path, `${path}: the terraform block (backend, cloud, required_providers) changed; a fix must not touch it`);
    const oldModules = new Map((before?.blocks ?? []).filter((b) => b.type === "module").map((b) => [keyOf(b), b]));
    for (const m of after.blocks.filter((b) => b.type === "module")) {
      const old = oldModules.get(keyOf(m));
      const attr = (b: HclBlock | undefined, n: string): string | undefined => b?.attributes.find((a) => a.name === n)?.valueText;
      if (old === undefined) add("module-source-change", path, `${path}:${m.span.startLine}: adds ${keyOf(m)}; a fix must not add module calls`);
      else if (attr(old, "source") !== attr(m, "source") || attr(old, "version") !== attr(m, "version"))
        add("module-source-change", path, `${path}:${m.span.startLine}: ${keyOf(m)} changes its source or version; change only its inputs`);
    }
    const oldIgnore = ignoreChanges(before);
    for (const [where, value] of ignoreChanges(after))
      if (oldIgnore.get(where) !== value)
        add("ignore-changes", path, `${path}: ${where} adds or widens lifecycle.ignore_changes (${value}); that hides drift of the setting the control checks`);
    for (const kind of ["action", "resource"]) {
      const n = wildcardCount(after.text, kind) - wildcardCount(before?.text ?? "", kind);
      if (n > 0) add("iam-wildcard", path, `${path}: adds ${n} IAM policy statement(s) with a "*" ${kind}; grant named ${kind}s only`);
    }
    for (const b of before?.blocks ?? []) if (["resource", "data", "module"].includes(b.type)) removedCandidates.set(keyOf(b), `${path}:${b.span.startLine}`);
    for (const b of after.blocks) present.add(keyOf(b));
  }
  for (const [key, where] of removedCandidates) {
    if (present.has(key)) continue;
    const address = key.replace(/^resource\./, "");
    if (options.allowRemoval?.includes(address)) continue;
    add("resource-removal", where.split(":")[0] ?? "", `${where}: removes ${address}; a fix must change resources, never delete them`);
  }
  return violations;
}
