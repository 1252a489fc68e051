import { execFileSync, spawnSync } from "node:child_process";
import type { FlatEntry, GitStore } from "./github-git-store.js";
import { HttpError, humanSignature, now, pullsOf, type FakeRepo, type FakeState } from "./github-state.js";

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

/**
 * `PUT /pulls/{n}/merge` (and the tests' mergePr): a merge commit on the base branch, refused as
 * GitHub refuses it. 409 when `sha` is given and is not the head (GitHub's optimistic lock);
 * 405 when git cannot merge it; 409 when the base's protection requires up-to-date branches and
 * the head does not contain the base's tip.
 * https://docs.github.com/en/rest/pulls/pulls#merge-a-pull-request
 */
export function mergeInto(state: FakeState, repo: FakeRepo, number: number, setRef: (repo: FakeRepo, branch: string, sha: string | undefined) => void, expectedSha?: string): string {
  const pull = pullsOf(repo).find((p) => p.number === number);
  if (pull === undefined) throw new HttpError(404, "Not Found");
  if (pull.state !== "open") throw new HttpError(405, "Pull Request is not mergeable");
  const store = state.store;
  const headSha = repo.refs.get(pull.head) ?? pull.headSha;
  if (expectedSha !== undefined && expectedSha !== headSha) throw new HttpError(409, "Head branch was modified. Review and try the merge again.");
  const baseHead = repo.refs.get(pull.base);
  if (baseHead === undefined) throw new HttpError(422, "Base branch is gone");
  if (repo.mirror === undefined) throw new Error("the fake merges with git on the bare mirror");
  // A three-way merge by git itself; a conflict is GitHub's 405 "not mergeable".
  const merged = mergeTree(repo.mirror.path, store, baseHead, headSha);
  if (!merged.clean || merged.tree === undefined) throw new HttpError(405, "Pull Request is not mergeable");
  // The text GitHub answers for a PR that is `behind` under "require branches to be up to date"
  // (reported with status 409, e.g. fullsend-ai/fullsend#2432); tests update the branch first.
  if (repo.requireUpToDate === true && !isAncestor(repo.mirror.path, baseHead, headSha)) throw new HttpError(409, "Head branch is out of date. Review and try the merge again.");
  const author = humanSignature("Merger", "merger@example.com");
  const sha = store.put({ type: "commit", tree: merged.tree, parents: [baseHead, headSha], author, committer: author, message: `Merge pull request #${number} from ${repo.owner}/${pull.head}\n` });
  setRef(repo, pull.base, sha);
  Object.assign(pull, { state: "closed", merged: true, mergedAt: now(), closedAt: now(), updatedAt: now(), headSha });
  return sha;
}

/**
 * `PUT /pulls/{n}/update-branch`: merges the base's tip into the head branch (a merge commit on
 * the head), so a `behind` PR becomes mergeable under up-to-date protection.
 * https://docs.github.com/en/rest/pulls/pulls#update-a-pull-request-branch
 */
export function updateBranch(state: FakeState, repo: FakeRepo, number: number, setRef: (repo: FakeRepo, branch: string, sha: string | undefined) => void, expectedHeadSha?: string): string {
  const pull = pullsOf(repo).find((p) => p.number === number);
  if (pull === undefined || pull.state !== "open") throw new HttpError(404, "Not Found");
  const headSha = repo.refs.get(pull.head);
  const baseHead = repo.refs.get(pull.base);
  if (headSha === undefined || baseHead === undefined || repo.mirror === undefined) throw new HttpError(422, "Validation Failed");
  if (expectedHeadSha !== undefined && expectedHeadSha !== headSha) throw new HttpError(422, "expected head sha didn't match current head ref.");
  if (isAncestor(repo.mirror.path, baseHead, headSha)) return headSha;
  const merged = mergeTree(repo.mirror.path, state.store, headSha, baseHead);
  if (!merged.clean || merged.tree === undefined) throw new HttpError(422, "merge conflict between base and head");
  const author = humanSignature("Updater", "updater@example.com");
  const sha = state.store.put({ type: "commit", tree: merged.tree, parents: [headSha, baseHead], author, committer: author, message: `Merge branch '${pull.base}' into ${pull.head}\n` });
  setRef(repo, pull.head, sha);
  pull.updatedAt = now();
  return sha;
}
