import { createHash } from "node:crypto";
import { structuredPatch } from "diff";
import type { ProposedChange } from "./change.js";

/**
 * What identifies a proposed change and a TerraFix pull request across runs, replicas and lost
 * databases: the change fingerprint (the edits themselves, not the files they sit in) and the
 * hidden marker on the first line of every TerraFix PR body.
 */

/** One file's normalised edits: the lines the change removes and adds, without positions. */
export interface NormalisedEdit {
  path: string;
  removed: string[];
  added: string[];
}

/**
 * The edits of a change with positions and surroundings removed: per file, the lines a
 * zero-context diff removes and adds, line endings and trailing blanks normalised, blank lines
 * dropped and the rest sorted. A diff may attribute a blank line or a closing brace to either
 * side of an insertion depending on what surrounds it; sorting makes the same edits on a moved
 * base (a rebase), or after an unrelated edit elsewhere in the file, give the same list.
 */
export function normalisedEdits(change: Pick<ProposedChange, "files">): NormalisedEdit[] {
  const edits: NormalisedEdit[] = [];
  const files = [...change.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of files) {
    const patch = structuredPatch(file.path, file.path, normalise(file.before), normalise(file.after), undefined, undefined, { context: 0 });
    const lines = patch.hunks.flatMap((hunk) => hunk.lines);
    const side = (sign: string): string[] =>
      lines
        .filter((line) => line.startsWith(sign))
        .map((line) => line.slice(1).trimEnd())
        .filter((line) => line.trim() !== "")
        .sort();
    const removed = side("-");
    const added = side("+");
    if (removed.length > 0 || added.length > 0) edits.push({ path: file.path, removed, added });
  }
  return edits;
}

/** SHA-256 of the normalised edits (hex). Two changes with the same edits are the same change. */
export function changeFingerprint(change: Pick<ProposedChange, "files">): string {
  return createHash("sha256").update(JSON.stringify(normalisedEdits(change)), "utf8").digest("hex");
}

function normalise(text: string): string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n").map((line) => line.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** A key the PR fixes and the fingerprint of the edits proposed for it. */
export interface MarkedKey {
  key: string;
  fingerprint: string;
}

/**
 * The marker on the first line of a TerraFix PR body. Version 2 carries the edit fingerprint;
 * version 1 (older TerraFix) carried a hash of whole files, which `fingerprint` then holds and
 * `legacy` flags, so old PRs are compared with the old hash rather than re-proposed.
 */
export interface PrMarker {
  /** The PR's own key (the branch was named after it). */
  key: string;
  fingerprint: string;
  version: 1 | 2;
  /** 1 for the first proposal of a key; n+1 replaces a merged (or closed) proposal n. */
  generation: number;
  /** First 12 hex of the SHA-256 of the title TerraFix set: a different title is a human's edit. */
  titleHash?: string;
  /** Further keys grouped into this PR (two failing tests on one resource). */
  also: MarkedKey[];
  /** The resource the PR changes (resourceGroup): where a second failing test on it joins. */
  resource?: string;
  /** Keys of a group whose tests Vanta reports passing now (the PR closes when all do). */
  passing?: string[];
  /** Keys of a group whose edits are not on the branch since it was rebuilt on a new base. */
  stale?: string[];
  /** The base commit a group's branch is built on (its last commit's parent is a member's commit). */
  base?: string;
}

const HEX64 = "[0-9a-f]{64}";
const V1 = new RegExp(`^<!-- terrafix:key=(${HEX64}) change=sha256:(${HEX64}) -->`);
const V2 = new RegExp(`^<!-- terrafix:v2 key=(${HEX64}) fp=(${HEX64}) gen=(\\d{1,4})(?: title=([0-9a-f]{12}))?(?: res=([0-9a-f]{12}))?(?: also=((?:${HEX64}\\.${HEX64},?)+))?(?: pass=((?:${HEX64},?)+))?(?: stale=((?:${HEX64},?)+))?(?: base=([0-9a-f]{40}))? -->`);

/** 12 hex naming a resource in a repository (repository, file, address): one PR per resource. */
export function resourceGroup(repo: string, file: string, address: string): string {
  return createHash("sha256").update(`${repo}\n${file}\n${address}`, "utf8").digest("hex").slice(0, 12);
}

export function titleHash(title: string): string {
  return createHash("sha256").update(title.trim(), "utf8").digest("hex").slice(0, 12);
}

export function renderMarker(marker: Omit<PrMarker, "version">): string {
  const title = `${marker.titleHash === undefined ? "" : ` title=${marker.titleHash}`}${marker.resource === undefined ? "" : ` res=${marker.resource}`}`;
  const also = marker.also.length === 0 ? "" : ` also=${marker.also.map((k) => `${k.key}.${k.fingerprint}`).join(",")}`;
  const list = (name: string, keys: readonly string[] | undefined): string => (keys === undefined || keys.length === 0 ? "" : ` ${name}=${keys.join(",")}`);
  return `<!-- terrafix:v2 key=${marker.key} fp=${marker.fingerprint} gen=${marker.generation}${title}${also}${list("pass", marker.passing)}${list("stale", marker.stale)}${marker.base === undefined ? "" : ` base=${marker.base}`} -->`;
}

/** Reads the marker from the very start of a body (a marker quoted further down is not trusted). */
export function parseMarker(body: string | null | undefined): PrMarker | undefined {
  const text = body ?? "";
  const v2 = V2.exec(text);
  if (v2 !== null) {
    const also = (v2[6] ?? "")
      .split(",")
      .filter((part) => part !== "")
      .map((part) => {
        const [key = "", fingerprint = ""] = part.split(".");
        return { key, fingerprint };
      });
    return {
      key: v2[1] ?? "",
      fingerprint: v2[2] ?? "",
      version: 2,
      generation: Math.max(1, Number(v2[3])),
      ...(v2[4] === undefined ? {} : { titleHash: v2[4] }),
      ...(v2[5] === undefined ? {} : { resource: v2[5] }),
      also,
      ...(v2[7] === undefined ? {} : { passing: v2[7].split(",").filter((k) => k !== "") }),
      ...(v2[8] === undefined ? {} : { stale: v2[8].split(",").filter((k) => k !== "") }),
      ...(v2[9] === undefined ? {} : { base: v2[9] }),
    };
  }
  const v1 = V1.exec(text);
  if (v1 !== null) return { key: v1[1] ?? "", fingerprint: v1[2] ?? "", version: 1, generation: 1, also: [] };
  return undefined;
}

/** Every key a marked PR fixes, with the fingerprint recorded for it. */
export function markedKeys(marker: PrMarker): MarkedKey[] {
  return [{ key: marker.key, fingerprint: marker.fingerprint }, ...marker.also];
}

/** The branch of generation `generation` of a key's proposal: the base branch, then `-2`, `-3`... */
export function generationBranch(branch: string, generation: number): string {
  return generation <= 1 ? branch : `${branch}-${generation}`;
}

/** The `Fixes:` trailer that ties a PR to the Vanta test, as Vanta's own fix flow ends. */
export function fixesTrailer(testIds: readonly string[]): string {
  return [...new Set(testIds)].map((id) => `Fixes: test-${id.replace(/[^A-Za-z0-9._-]+/g, "-")}`).join("\n");
}

/** The commit trailer that records which change a TerraFix commit holds (the branch's truth). */
export const CHANGE_TRAILER = "TerraFix-Change";

export function withChangeTrailer(message: string, fingerprint: string): string {
  return `${message.replace(/\n+$/, "")}\n${CHANGE_TRAILER}: ${fingerprint}\n`;
}

export function changeTrailerOf(message: string): string | undefined {
  return new RegExp(`^${CHANGE_TRAILER}: (${HEX64})\\s*$`, "m").exec(message)?.[1];
}
