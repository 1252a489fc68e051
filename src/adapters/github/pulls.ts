import { labelSpec } from "../../domain/pull-request.js";
import type { PullInput, Reviewers, ScmPull } from "../../ports/scm.js";
import type { GitHubOctokit } from "./client.js";
import type { RepoCoordinates } from "./branch.js";
import { isNotFound, isValidation, translateGitHubError } from "./errors.js";
import { PullSummary } from "./schema.js";

export function toScmPull(raw: unknown): ScmPull {
  const pull = PullSummary.parse(raw);
  return {
    number: pull.number,
    url: pull.html_url,
    state: pull.merged_at !== null ? "merged" : pull.state,
    title: pull.title,
    body: pull.body,
    head: pull.head.ref,
    headSha: pull.head.sha,
    createdAt: pull.created_at,
    mergedAt: pull.merged_at,
    closedAt: pull.closed_at,
    labels: pull.labels,
  };
}

/** Every PR whose head is this branch, in any state, newest first (services.md §2.2). */
export async function findPulls(octokit: GitHubOctokit, at: RepoCoordinates, branch: string): Promise<ScmPull[]> {
  // `head` must be `owner:branch`; a bare branch name is not a filter.
  const data = await octokit.paginate(octokit.rest.pulls.list, { ...at, head: `${at.owner}:${branch}`, state: "all", per_page: 100 });
  return data
    .map(toScmPull)
    .filter((pull) => pull.head === branch)
    .sort((a, b) => b.number - a.number);
}

/** Open PRs, or every PR created since a time (newest first, stopping at the first older page). */
export async function listPulls(octokit: GitHubOctokit, at: RepoCoordinates, filter: { state: "open" } | { state: "all"; since: Date }): Promise<ScmPull[]> {
  if (filter.state === "open") return (await octokit.paginate(octokit.rest.pulls.list, { ...at, state: "open", per_page: 100 })).map(toScmPull);
  const cutoff = filter.since.getTime();
  const out: ScmPull[] = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.pulls.list, { ...at, state: "all", sort: "created", direction: "desc", per_page: 100 })) {
    let older = false;
    for (const raw of page.data) {
      const pull = toScmPull(raw);
      if (Date.parse(pull.createdAt) < cutoff) older = true;
      else out.push(pull);
    }
    if (older) break;
  }
  return out;
}

/**
 * Opens the PR. A 422 "A pull request already exists" (a retried POST, or another replica) is
 * resolved by looking the PR up: the outcome is then `existing`, never a second PR. No
 * `maintainer_can_modify`: it only means something for PRs from forks (reference §3).
 */
export async function createPull(octokit: GitHubOctokit, at: RepoCoordinates, input: PullInput): Promise<{ pull: ScmPull; created: boolean }> {
  try {
    const { data } = await octokit.rest.pulls.create({ ...at, title: input.title, body: input.body, head: input.head, base: input.base });
    return { pull: toScmPull(data), created: true };
  } catch (error) {
    if (!isValidation(error, /A pull request already exists/i)) throw error;
    const open = (await findPulls(octokit, at, input.head)).find((pull) => pull.state === "open");
    if (open === undefined) throw error;
    return { pull: open, created: false };
  }
}

/**
 * One request per reviewer, people and teams apart (`reviewers` vs `team_reviewers`): GitHub
 * refuses the whole request with a 422 when one name is not a collaborator, so one bad name must
 * not drop the others. Rate limits and outages still reach the caller.
 */
export async function requestReviewers(octokit: GitHubOctokit, at: RepoCoordinates, number: number, reviewers: Reviewers): Promise<{ refused: { name: string; reason: string }[] }> {
  const refused: { name: string; reason: string }[] = [];
  const asks = [
    ...reviewers.users.map((name) => ({ name, body: { reviewers: [name] } })),
    ...reviewers.teams.map((name) => ({ name, body: { team_reviewers: [name] } })),
  ];
  for (const ask of asks) {
    try {
      await octokit.rest.pulls.requestReviewers({ ...at, pull_number: number, ...ask.body });
    } catch (error) {
      const translated = translateGitHubError(error, "requesting a reviewer");
      if (translated.retryable) throw translated;
      refused.push({ name: ask.name, reason: translated.message });
    }
  }
  return { refused };
}

export async function ensureLabel(octokit: GitHubOctokit, at: RepoCoordinates, name: string, known: Set<string>): Promise<void> {
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
