import type { Logger } from "../../observability/logger.js";
import { labelSpec } from "../../domain/pull-request.js";
import type { GitHubOctokit } from "./client.js";
import type { RepoCoordinates } from "./branch.js";
import { isNotFound, isValidation, translateGitHubError } from "./errors.js";
import { PullSummary, type PullSummary as Pull } from "./schema.js";

/** Every PR whose head is this branch, in any state, newest first (services.md §2.2). */
export async function findPulls(octokit: GitHubOctokit, at: RepoCoordinates, branch: string): Promise<Pull[]> {
  // `head` must be `owner:branch`; a bare branch name is not a filter.
  const data = await octokit.paginate(octokit.rest.pulls.list, { ...at, head: `${at.owner}:${branch}`, state: "all", per_page: 100 });
  return data
    .map((raw) => PullSummary.parse(raw))
    .filter((pull) => pull.head.ref === branch)
    .sort((a, b) => b.number - a.number);
}

/**
 * Opens the PR. A 422 "A pull request already exists" (a retried POST, or another replica) is
 * resolved by looking the PR up: the outcome is then `existing`, never a second PR.
 */
export async function createPull(
  octokit: GitHubOctokit,
  at: RepoCoordinates,
  input: { title: string; body: string; head: string; base: string },
): Promise<{ pull: Pull; created: boolean }> {
  try {
    const { data } = await octokit.rest.pulls.create({ ...at, ...input, maintainer_can_modify: true });
    return { pull: PullSummary.parse(data), created: true };
  } catch (error) {
    if (!isValidation(error, /A pull request already exists/i)) throw error;
    const open = (await findPulls(octokit, at, input.head)).find((pull) => pull.state === "open");
    if (open === undefined) throw error;
    return { pull: open, created: false };
  }
}

/** Labels (created if missing, with colour and description), reviewers and assignees. Failures only warn. */
export async function decoratePull(
  octokit: GitHubOctokit,
  at: RepoCoordinates,
  number: number,
  input: { labels: string[]; reviewers: string[]; assignees: string[]; knownLabels: Set<string>; log: Logger },
): Promise<void> {
  const steps: [string, () => Promise<unknown>][] = [
    ["labels", async () => {
      for (const name of input.labels) await ensureLabel(octokit, at, name, input.knownLabels);
      if (input.labels.length > 0) await octokit.rest.issues.addLabels({ ...at, issue_number: number, labels: input.labels });
    }],
    ["reviewers", () => (input.reviewers.length === 0 ? Promise.resolve() : octokit.rest.pulls.requestReviewers({ ...at, pull_number: number, reviewers: input.reviewers }))],
    ["assignees", () => (input.assignees.length === 0 ? Promise.resolve() : octokit.rest.issues.addAssignees({ ...at, issue_number: number, assignees: input.assignees }))],
  ];
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (error) {
      const translated = translateGitHubError(error, `adding ${what}`);
      // Rate limits and outages must reach the caller; a bad reviewer name must not fail the PR.
      if (translated.retryable) throw translated;
      input.log.warn({ what, pr: number, err: translated }, "pull request decoration failed");
    }
  }
}

async function ensureLabel(octokit: GitHubOctokit, at: RepoCoordinates, name: string, known: Set<string>): Promise<void> {
  const cacheKey = `${at.owner}/${at.repo}#${name}`;
  if (known.has(cacheKey)) return;
  try {
    await octokit.rest.issues.getLabel({ ...at, name });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const spec = labelSpec(name);
    try {
      await octokit.rest.issues.createLabel({ ...at, name, color: spec.color, description: spec.description });
    } catch (createError) {
      if (!isValidation(createError, /already_exists/)) throw createError;
    }
  }
  known.add(cacheKey);
}

/** Comments once: a comment carrying `marker` is never posted twice on the same PR. */
export async function commentOnce(octokit: GitHubOctokit, at: RepoCoordinates, number: number, marker: string, text: string): Promise<boolean> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...at, issue_number: number, per_page: 100 });
  if (comments.some((comment) => (comment.body ?? "").includes(marker))) return false;
  await octokit.rest.issues.createComment({ ...at, issue_number: number, body: `${marker}\n${text}` });
  return true;
}
