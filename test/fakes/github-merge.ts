import { execFileSync, spawnSync } from "node:child_process";
import type { FlatEntry, GitStore } from "./github-git-store.js";

/**
 * Merges as GitHub computes them: real `git merge-tree --write-tree` (git ≥ 2.38) on the bare
 * mirror of the repository, so `mergeable`, `mergeable_state` and merge commits follow git's
 * own three-way merge, conflicts included. The merged tree's objects are read back into the
 * fake's object store (the SHAs are git's, so they are the same objects).
 */
export interface MergeResult {
  clean: boolean;
  /** The merged tree in the store (when clean). */
  tree?: string;
  conflicts: string[];
}

export function mergeTree(mirror: string, store: GitStore, ours: string, theirs: string): MergeResult {
  const result = spawnSync("git", ["-C", mirror, "merge-tree", "--write-tree", "--name-only", "--no-messages", ours, theirs], { encoding: "utf8" });
  if (result.status !== 0 && result.status !== 1) throw new Error(`git merge-tree failed: ${result.stderr}`);
  const [tree = "", ...conflicts] = result.stdout.split("\n").filter((line) => line !== "");
  if (result.status === 1) return { clean: false, conflicts };
  return { clean: true, tree: importTree(mirror, store, tree), conflicts: [] };
}

/** Copies a tree (and the blobs the store lacks) from the bare repository into the store. */
function importTree(mirror: string, store: GitStore, tree: string): string {
  const listing = execFileSync("git", ["-C", mirror, "ls-tree", "-r", "-z", tree], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const files = new Map<string, FlatEntry>();
  for (const line of listing.split("\0").filter((l) => l !== "")) {
    const tab = line.indexOf("\t");
    const [mode = "100644", , sha = ""] = line.slice(0, tab).split(" ");
    const path = line.slice(tab + 1);
    if (!store.has(sha, "blob")) store.blob(execFileSync("git", ["-C", mirror, "cat-file", "blob", sha], { maxBuffer: 256 * 1024 * 1024 }));
    files.set(path, { mode: mode as FlatEntry["mode"], sha });
  }
  const built = store.buildTree(files);
  if (built !== tree) throw new Error(`imported tree ${built} differs from git's ${tree}`);
  return built;
}

/** `mergeable` / `mergeable_state` as GitHub reports them for an open PR. */
export interface FakeMergeStatus {
  mergeable: boolean | null;
  state: "clean" | "dirty" | "behind" | "unknown";
}

/**
 * GitHub's merge status: `dirty` (mergeable false) when git cannot merge the head into the base;
 * `behind` only when the base branch's protection requires branches to be up to date before
 * merging ("strict" required status checks) and the head does not contain the base's tip —
 * without that protection a PR that is merely behind reads `clean`; else `clean`.
 * https://docs.github.com/en/graphql/reference/enums#mergestatestatus,
 * https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-protected-branches/about-protected-branches#require-status-checks-before-merging
 */
export function mergeStatus(mirror: string, store: GitStore, baseHead: string, head: string, requireUpToDate: boolean): FakeMergeStatus {
  if (!mergeTree(mirror, store, baseHead, head).clean) return { mergeable: false, state: "dirty" };
  if (requireUpToDate && !isAncestor(mirror, baseHead, head)) return { mergeable: true, state: "behind" };
  return { mergeable: true, state: "clean" };
}

function isAncestor(mirror: string, ancestor: string, of: string): boolean {
  const result = spawnSync("git", ["-C", mirror, "merge-base", "--is-ancestor", ancestor, of], { encoding: "utf8" });
  if (result.status !== 0 && result.status !== 1) throw new Error(`git merge-base failed: ${result.stderr}`);
  return result.status === 0;
}
