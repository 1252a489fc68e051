import type { BranchWrite, ScmCommit } from "../../ports/scm.js";
import type { BotIdentity, GitHubOctokit } from "./client.js";
import { TerraFixError } from "../../errors.js";
import { isNotFound, isRequestError, isValidation } from "./errors.js";

/**
 * One atomic commit for a change of several files through the Git Data API (services.md §2.1):
 * tree with `base_tree` and inline content, commit with the base as parent, then the ref. The
 * branch moves only at the last step, so readers never see half a change.
 */
// A type alias, not an interface: Octokit's parameter types need an implicit index signature.
export type RepoCoordinates = { owner: string; repo: string };

/** Who a commit is made as: undefined lets GitHub sign it as the App's bot (no custom author). */
export type CommitAuthor = { name: string; email: string } | undefined;

export async function defaultBranchHead(octokit: GitHubOctokit, at: RepoCoordinates): Promise<{ branch: string; sha: string }> {
  const { data: repo } = await octokit.rest.repos.get(at);
  const { data: ref } = await octokit.rest.git.getRef({ ...at, ref: `heads/${repo.default_branch}` });
  return { branch: repo.default_branch, sha: ref.object.sha };
}

/** True when GitHub has the commit (a checkout's commit may be newer or unknown to it). */
export async function hasCommit(octokit: GitHubOctokit, at: RepoCoordinates, sha: string): Promise<boolean> {
  if (!/^[0-9a-f]{40}$/.test(sha)) return false;
  try {
    await octokit.rest.git.getCommit({ ...at, commit_sha: sha });
    return true;
  } catch (error) {
    if (isNotFound(error) || (isRequestError(error) && error.status === 422)) return false;
    throw error;
  }
}

/** The branch's last commit, or undefined when the branch does not exist. */
export async function branchHead(octokit: GitHubOctokit, at: RepoCoordinates, branch: string, identity: BotIdentity): Promise<ScmCommit | undefined> {
  let sha: string;
  try {
    sha = (await octokit.rest.git.getRef({ ...at, ref: `heads/${branch}` })).data.object.sha;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const { data } = await octokit.rest.git.getCommit({ ...at, commit_sha: sha });
  const byBot = [data.author, data.committer].some((who) => who.name === identity.login || who.email === identity.email || who.name === identity.name);
  return { sha, message: data.message, parents: data.parents.map((p) => p.sha), byBot };
}

/**
 * Creates the commit of the change on `baseSha` and points the branch at it: a new ref, or a
 * forced move of our own branch (the policy checked its head is TerraFix's). A ref that appears
 * between the check and the write (a concurrent run) is moved only if it still holds what the
 * caller replaces.
 */
export async function writeBranch(octokit: GitHubOctokit, at: RepoCoordinates, write: BranchWrite, author: CommitAuthor): Promise<{ sha: string }> {
  const { data: parent } = await octokit.rest.git.getCommit({ ...at, commit_sha: write.baseSha });
  const { data: tree } = await octokit.rest.git.createTree({
    ...at,
    base_tree: parent.tree.sha,
    tree: write.files.map((file) => ({ path: file.path, mode: "100644" as const, type: "blob" as const, content: file.content })),
  });
  // With an App and no author/committer GitHub signs the commit as the bot ("Verified").
  // https://docs.github.com/en/authentication/managing-commit-signature-verification/about-commit-signature-verification#signature-verification-for-bots
  const { data: commit } = await octokit.rest.git.createCommit({
    ...at,
    message: write.message,
    tree: tree.sha,
    parents: [write.baseSha],
    ...(author === undefined ? {} : { author, committer: author }),
  });
  if (write.replaces === undefined) {
    try {
      await octokit.rest.git.createRef({ ...at, ref: `refs/heads/${write.branch}`, sha: commit.sha });
      return { sha: commit.sha };
    } catch (error) {
      // A retried POST or a concurrent run created it first (services.md §2.4): fine when it
      // holds the same tree on the same base, else the branch moved under us.
      if (!isValidation(error, /Reference already exists/i)) throw error;
      const existing = (await octokit.rest.git.getRef({ ...at, ref: `heads/${write.branch}` })).data.object.sha;
      const { data: other } = await octokit.rest.git.getCommit({ ...at, commit_sha: existing });
      if (other.tree.sha === tree.sha && other.parents.map((p) => p.sha).join() === write.baseSha) return { sha: existing };
      throw moved(write.branch);
    }
  }
  const current = (await octokit.rest.git.getRef({ ...at, ref: `heads/${write.branch}` })).data.object.sha;
  if (current !== write.replaces) throw moved(write.branch);
  await octokit.rest.git.updateRef({ ...at, ref: `heads/${write.branch}`, sha: commit.sha, force: true });
  return { sha: commit.sha };
}

/** The branch changed between the policy's check and the write: a retry looks again. */
function moved(branch: string): TerraFixError {
  return new TerraFixError(`branch ${branch} moved while TerraFix was writing it; the job is retried`, { kind: "transient", stage: "publish" });
}
