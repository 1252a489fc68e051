import { structuredPatch } from "diff";
import type { FileChange } from "../domain/change.js";
import type { HclBlock, ParsedFile } from "../terraform/parse.js";

/** What the change may touch: the matched block, blocks tied to it by reference, and blocks it adds for it. */
export interface ScopeTarget {
  /** `type.name` of the matched resource (or `module.name` for a module call). */
  local: string;
  /** Blocks of this file changed at a value's source (`variable.x`, `module.m`); "" allows the whole file (tfvars). */
  sources?: readonly string[];
}

interface Range {
  from: number;
  to: number;
  what: string;
}

function localOf(block: HclBlock): string {
  if (block.type === "resource") return block.labels.join(".");
  return [block.type, ...block.labels].join(".");
}

function mentions(text: string, local: string): boolean {
  return new RegExp(`(^|[^\\w.])${local.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(text);
}

/**
 * Blocks a change may touch in one version of the file: the target, blocks that reference it
 * (split S3 resources, security-group rules) and blocks the target references that are new.
 */
function allowedRanges(file: ParsedFile | undefined, target: ScopeTarget, newKeys: ReadonlySet<string>): Range[] {
  if (file === undefined) return [];
  const targetBlock = file.blocks.find((b) => localOf(b) === target.local);
  const targetText = targetBlock === undefined ? "" : file.text.slice(targetBlock.span.start, targetBlock.span.end);
  return file.blocks
    .filter((b) => {
      const key = localOf(b);
      if (key === target.local || target.sources?.includes(key) === true) return true;
      if (mentions(file.text.slice(b.span.start, b.span.end), target.local)) return true;
      return newKeys.has(key) && mentions(targetText, key);
    })
    .map((b) => ({ from: b.span.startLine - 1, to: b.span.endLine + 1, what: localOf(b) }));
}

/** Line-level check that every changed, non-blank line falls inside an allowed block. Returns the offending lines. */
export function outOfScope(change: FileChange, before: ParsedFile | undefined, after: ParsedFile, target: ScopeTarget): string[] {
  const beforeKeys = new Set((before?.blocks ?? []).map(localOf));
  const newKeys = new Set(after.blocks.map(localOf).filter((k) => !beforeKeys.has(k)));
  const oldAllowed = allowedRanges(before, target, newKeys);
  const newAllowed = allowedRanges(after, target, newKeys);
  const inside = (ranges: Range[], line: number): boolean => ranges.some((r) => r.from <= line && line <= r.to);
  const problems: string[] = [];
  if (target.sources?.includes("") === true) return [];
  const patch = structuredPatch(change.path, change.path, change.before, change.after, "", "", { context: 0 });
  for (const hunk of patch.hunks) {
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    if (hunk.oldLines === 0) oldLine++;
    if (hunk.newLines === 0) newLine++;
    for (const line of hunk.lines) {
      const body = line.slice(1);
      if (line.startsWith("-")) {
        if (body.trim() !== "" && !inside(oldAllowed, oldLine)) problems.push(`${change.path}:${oldLine} (before) ${body.trim().slice(0, 80)}`);
        oldLine++;
      } else if (line.startsWith("+")) {
        if (body.trim() !== "" && !inside(newAllowed, newLine)) problems.push(`${change.path}:${newLine} (after) ${body.trim().slice(0, 80)}`);
        newLine++;
      }
    }
  }
  return problems;
}
