import { isRecord, type HclBlock, type ParsedFile } from "../terraform/parse.js";
import { moduleDir, peersOf } from "./peers.js";
import type { ControlContext, ModuleCallRef, ResourceRef } from "./types.js";

export interface ContextOptions {
  awsProviderMajor?: number;
  /** Module path of the resources of a file (the index knows it); [] (root module) by default. */
  modulePathOf?: (file: string) => readonly string[];
}

/** Builds a control context straight from parsed files, without the repository index. */
export function contextFromFiles(files: Iterable<ParsedFile>, options: ContextOptions = {}): ControlContext {
  const map = new Map<string, ParsedFile>();
  for (const file of files) map.set(file.path, file);
  const resources: ResourceRef[] = [];
  const moduleCalls: ModuleCallRef[] = [];
  for (const file of map.values()) {
    const modulePath = options.modulePathOf?.(file.path) ?? [];
    resources.push(...resourcesOfFile(file, modulePath));
    for (const block of file.blocks) {
      if (block.type !== "module" || block.labels.length !== 1) continue;
      const name = block.labels[0] ?? "";
      const source = typeof block.body?.source === "string" ? block.body.source : "";
      const version = typeof block.body?.version === "string" ? block.body.version : undefined;
      moduleCalls.push({
        address: addressOf(modulePath, "module", name),
        name,
        source,
        ...(version === undefined ? {} : { version }),
        local: source.startsWith("./") || source.startsWith("../"),
        file: file.path,
        block,
      });
    }
  }
  const major = options.awsProviderMajor ?? detectAwsProviderMajor(map.values());
  return { resources, files: map, moduleCalls, ...(major === undefined ? {} : { awsProviderMajor: major }) };
}

/** The resources and data sources of one parsed file. */
export function resourcesOfFile(file: ParsedFile, modulePath: readonly string[] = []): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const block of file.blocks) {
    if ((block.type !== "resource" && block.type !== "data") || block.labels.length !== 2) continue;
    const [type = "", name = ""] = block.labels;
    const mode = block.type === "resource" ? "managed" : "data";
    out.push({ address: addressOf(modulePath, mode, type, name), mode, type, name, modulePath, file: file.path, block });
  }
  return out;
}

export function addressOf(modulePath: readonly string[], mode: "managed" | "data" | "module", type: string, name?: string): string {
  const prefix = modulePath.map((m) => `module.${m}.`).join("");
  if (mode === "module") return `${prefix}module.${type}`;
  return `${prefix}${mode === "data" ? "data." : ""}${type}.${name ?? ""}`;
}

/**
 * The AWS provider major version from `required_providers` (`version = "~> 4.0"`); undefined
 * when no constraint names one.
 */
export function detectAwsProviderMajor(files: Iterable<ParsedFile>): number | undefined {
  for (const file of files) {
    for (const block of file.blocks) {
      if (block.type !== "terraform") continue;
      for (const rp of asArray(block.body?.required_providers)) {
        const aws = isRecord(rp) ? rp.aws : undefined;
        const version = isRecord(aws) ? aws.version : typeof aws === "string" ? aws : undefined;
        if (typeof version !== "string") continue;
        const match = /(?:^|,)\s*(?:~>|>=|=|>)?\s*v?(\d+)/.exec(version);
        if (match?.[1] !== undefined) return Number(match[1]);
      }
    }
  }
  return undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

export { moduleDir } from "./peers.js";

export function textOf(ctx: ControlContext, file: string): string {
  return ctx.files.get(file)?.text ?? "";
}

/**
 * Resources of `type` in the same module folder whose `attribute` points at `target`: by
 * reference (`aws_s3_bucket.b.id`, `aws_s3_bucket.b[count.index].id`, `each.value.id` with
 * `for_each = aws_s3_bucket.b`) as Checkov's graph connects them, or by the same literal name
 * (Checkov would not connect those, issue #6982; counting them avoids adding a duplicate).
 * Answered from the peer index (peers.ts), in repository order.
 */
export function connectedResources(ctx: ControlContext, target: ResourceRef, type: string, attribute: string, nameAttribute?: string): ResourceRef[] {
  const peers = peersOf(ctx);
  const dir = moduleDir(target.file);
  const module = target.modulePath.join(".");
  const literal = nameAttribute === undefined ? undefined : target.block.body?.[nameAttribute];
  const byRef = peers.connected(type, attribute, dir, module, `ref:${target.type}.${target.name}`);
  const byLiteral = typeof literal === "string" && !literal.includes("${") ? peers.connected(type, attribute, dir, module, `lit:${literal}`) : [];
  if (byLiteral.length === 0 && new Set(byRef).size === byRef.length) return [...byRef];
  return [...new Set([...byRef, ...byLiteral])].sort((a, b) => peers.position(a) - peers.position(b));
}

/** Resource addresses already used in a module folder, to name new blocks without clashes. */
export function freeName(ctx: ControlContext, dir: string, type: string, wanted: string): string {
  const taken = new Set(peersOf(ctx).ofTypeInDir(type, dir).map((r) => r.name));
  if (!taken.has(wanted)) return wanted;
  for (let i = 2; ; i++) if (!taken.has(`${wanted}_${i}`)) return `${wanted}_${i}`;
}

export function attributeOf(block: HclBlock, name: string): string | undefined {
  return block.attributes.find((a) => a.name === name)?.valueText;
}
