import { TerraFixError } from "../../errors.js";
import { hasKeyTrailer } from "../../domain/pull-request.js";
import type { FileChange } from "../../domain/change.js";
import type { BotIdentity, GitHubOctokit } from "./client.js";
import { isNotFound, isValidation } from "./errors.js";

/**
 * One atomic commit for a change of several files through the Git Data API (services.md §2.1):
 * tree with `base_tree` and inline content, commit with the base as parent, then the ref. The
 * branch moves only at the last step, so readers never see half a change.
 */
// A type alias, not an interface: Octokit's parameter types need an implicit index signature.
export type RepoCoordinates = { owner: string; repo: string };

export interface BranchTip {
  sha: string;
  tree: string;
  message: string;
  authorName: string;
  committerName: string;
}

export async function defaultBranchHead(octokit: GitHubOctokit, at: RepoCoordinates): Promise<{ branch: string; sha: string }> {
  const { data: repo } = await octokit.rest.repos.get(at);
  const { data: ref } = await octokit.rest.git.getRef({ ...at, ref: `heads/${repo.default_branch}` });
  return { branch: repo.default_branch, sha: ref.object.sha };
}

/** The branch's last commit, or undefined when the branch does not exist. */
export async function branchTip(octokit: GitHubOctokit, at: RepoCoordinates, branch: string): Promise<BranchTip | undefined> {
  let sha: string;
  try {
    sha = (await octokit.rest.git.getRef({ ...at, ref: `heads/${branch}` })).data.object.sha;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const { data } = await octokit.rest.git.getCommit({ ...at, commit_sha: sha });
  return { sha, tree: data.tree.sha, message: data.message, authorName: data.author.name, committerName: data.committer.name };
}

/** TerraFix's own commit: the key trailer, written by the bot. A human's commit on top is never overwritten. */
export function isOwnCommit(tip: BranchTip, key: string, identity: BotIdentity): boolean {
  return hasKeyTrailer(tip.message, key) && (tip.authorName === identity.login || tip.committerName === identity.login);
}

/** Creates the commit of the change on top of `parent`; returns its SHA and tree. */
export async function createChangeCommit(
  octokit: GitHubOctokit,
  at: RepoCoordinates,
  input: { parent: string; files: FileChange[]; message: string; identity: BotIdentity },
): Promise<{ sha: string; tree: string }> {
  const { data: parent } = await octokit.rest.git.getCommit({ ...at, commit_sha: input.parent });
  const { data: tree } = await octokit.rest.git.createTree({
    ...at,
    base_tree: parent.tree.sha,
    tree: input.files.map((file) => ({ path: file.path, mode: "100644" as const, type: "blob" as const, content: file.after })),
  });
  const author = { name: input.identity.name, email: input.identity.email };
  const { data: commit } = await octokit.rest.git.createCommit({ ...at, message: input.message, tree: tree.sha, parents: [input.parent], author, committer: author });
  return { sha: commit.sha, tree: tree.sha };
}

/**
 * Points the branch at the commit. A new branch is created; an existing one is moved only when
 * its tip is TerraFix's own commit for this key (a concurrent or earlier TerraFix run), and left
 * alone when it already holds the same tree. A branch with someone else's commit is an error.
 */
export async function pointBranch(
  octokit: GitHubOctokit,
  at: RepoCoordinates,
  input: { branch: string; commit: { sha: string; tree: string }; key: string; identity: BotIdentity },
): Promise<void> {
  try {
    await octokit.rest.git.createRef({ ...at, ref: `refs/heads/${input.branch}`, sha: input.commit.sha });
    return;
  } catch (error) {
    // A retried POST or a concurrent run created it first (services.md §2.4).
    if (!isValidation(error, /Reference already exists/i)) throw error;
  }
  const tip = await branchTip(octokit, at, input.branch);
  if (tip === undefined) {
    await octokit.rest.git.createRef({ ...at, ref: `refs/heads/${input.branch}`, sha: input.commit.sha });
    return;
  }
  if (tip.sha === input.commit.sha || tip.tree === input.commit.tree) return;
  if (!isOwnCommit(tip, input.key, input.identity)) {
    throw new TerraFixError(`branch ${input.branch} exists with commits not made by TerraFix; leaving it alone`, { kind: "permanent", stage: "publish" });
  }
  await forceBranch(octokit, at, input.branch, input.commit.sha);
}

/** Moves our own branch to a fresh commit on the current base (we checked we own its tip). */
export async function forceBranch(octokit: GitHubOctokit, at: RepoCoordinates, branch: string, sha: string): Promise<void> {
  await octokit.rest.git.updateRef({ ...at, ref: `heads/${branch}`, sha, force: true });
}
