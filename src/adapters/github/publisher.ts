import type { Logger } from "../../observability/logger.js";
import type { Publisher, PublishOutcome, PublishRequest, ResolvedRequest } from "../../ports/publisher.js";
import type { RepositoryRef } from "../../ports/repo-workspace.js";
import { changeHash, commitMessage, parseBodyMarker, pullRequestTitle, renderPullRequestBody } from "../../domain/pull-request.js";
import { createGitHubClient, type BotIdentity, type GitHubAuth, type GitHubClient, type RetrySettings, type ThrottleSettings } from "./client.js";
import { branchTip, createChangeCommit, defaultBranchHead, forceBranch, isOwnCommit, pointBranch, type RepoCoordinates } from "./branch.js";
import { commentOnce, createPull, decoratePull, findPulls } from "./pulls.js";
import { checkPrLimits } from "./limits.js";
import { upsertDashboard, type DashboardItem, type DashboardResult } from "./dashboard.js";
import { isNotFound, isRequestError, translateGitHubError } from "./errors.js";
import type { PullSummary } from "./schema.js";

export interface GitHubPublisherOptions {
  apiUrl: string;
  auth: GitHubAuth;
  labels: string[];
  reviewers: string[];
  assignees: string[];
  maxPrsPerHour: number;
  maxOpenPrs: number;
  closeResolved: boolean;
  dashboard: boolean;
  vantaAppUrl: string;
  logger: Logger;
  /** Tests: pacing off, tiny Retry-After unit. */
  throttle?: ThrottleSettings;
  retry?: RetrySettings;
  now?: () => Date;
}

export interface GitHubPublisher extends Publisher {
  /** Keeps the repository's dashboard issue up to date; undefined when the dashboard is off. */
  updateDashboard(repo: RepositoryRef, items: readonly DashboardItem[]): Promise<DashboardResult | undefined>;
  identity(): Promise<BotIdentity>;
  /**
   * The token git clones with: the PAT, or the current installation token of the GitHub App
   * (refreshed by @octokit/auth-app before it expires).
   */
  gitToken(): Promise<string>;
}

const HUMAN_COMMIT_MARKER = "<!-- terrafix:human-commits -->";
const RESOLVED_MARKER = "<!-- terrafix:resolved -->";

export function createGitHubPublisher(options: GitHubPublisherOptions): GitHubPublisher {
  const log = options.logger.child({ component: "github-publisher" });
  const client: GitHubClient = createGitHubClient({
    apiUrl: options.apiUrl,
    auth: options.auth,
    logger: options.logger,
    ...(options.throttle === undefined ? {} : { throttle: options.throttle }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });
  const octokit = client.octokit;
  const now = options.now ?? (() => new Date());
  const knownLabels = new Set<string>();
  const locks = new Map<string, Promise<unknown>>();

  /** One publish per repository at a time in this process: limit checks and creation stay consistent. */
  function withRepoLock<T>(slug: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(slug) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    locks.set(slug, tail);
    void tail.then(() => {
      if (locks.get(slug) === tail) locks.delete(slug);
    });
    return run;
  }

  async function publishLocked(request: PublishRequest, signal?: AbortSignal): Promise<PublishOutcome> {
    const at: RepoCoordinates = { owner: request.repo.owner, repo: request.repo.name };
    const identity = await client.identity();
    const hash = changeHash(request.change);
    const title = pullRequestTitle(request.failure, request.target);
    const body = renderPullRequestBody(request, { vantaAppUrl: options.vantaAppUrl });
    const message = commitMessage(title, request.key, request.change.rationale);
    const jobLog = log.child({ repo: `${at.owner}/${at.repo}`, branch: request.branch, key: request.key.slice(0, 10) });
    signal?.throwIfAborted();

    const pulls = await findPulls(octokit, at, request.branch);
    const open = pulls.find((pull) => pull.state === "open");
    if (open !== undefined) return updateOpen(open);
    const latest = pulls[0];
    if (latest?.merged_at !== null && latest?.merged_at !== undefined) return { type: "merged", url: latest.html_url };
    if (latest !== undefined && parseBodyMarker(latest.body)?.changeHash === hash) {
      return { type: "declined", url: latest.html_url, reason: "closed without merging; the proposed change is unchanged" };
    }
    if (latest !== undefined && parseBodyMarker(latest.body) === undefined) {
      return { type: "declined", url: latest.html_url, reason: "closed without merging" };
    }

    const verdict = await checkPrLimits(octokit, at, { maxPrsPerHour: options.maxPrsPerHour, maxOpenPrs: options.maxOpenPrs, now });
    if (!verdict.allowed) {
      jobLog.info({ reason: verdict.reason, until: verdict.until }, "pull request deferred");
      return { type: "deferred", reason: verdict.reason, ...(verdict.until === undefined ? {} : { until: verdict.until }) };
    }
    signal?.throwIfAborted();
    const base = await baseFor(at, request);
    const commit = await createChangeCommit(octokit, at, { parent: base.sha, files: request.change.files, message, identity });
    await pointBranch(octokit, at, { branch: request.branch, commit, key: request.key, identity });
    const { pull, created } = await createPull(octokit, at, { title, body, head: request.branch, base: base.branch });
    if (!created) return { type: "pr-exists", url: pull.html_url };
    await decoratePull(octokit, at, pull.number, { labels: union(options.labels, request.labels), reviewers: union(options.reviewers, request.reviewers), assignees: options.assignees, knownLabels, log: jobLog });
    jobLog.info({ url: pull.html_url, reopenedAfterDecline: latest !== undefined }, "pull request opened");
    return { type: "pr-opened", url: pull.html_url };

    async function updateOpen(pull: PullSummary): Promise<PublishOutcome> {
      if (parseBodyMarker(pull.body)?.changeHash === hash) return { type: "pr-exists", url: pull.html_url };
      const tip = await branchTip(octokit, at, request.branch);
      if (tip === undefined || !isOwnCommit(tip, request.key, identity)) {
        await commentOnce(
          octokit,
          at,
          pull.number,
          HUMAN_COMMIT_MARKER,
          "TerraFix has a different fix for this failing test, but this branch has commits that TerraFix did not make, so it was left unchanged. " +
            "Close this pull request and delete the branch if you want TerraFix to propose its fix again.",
        );
        jobLog.info({ url: pull.html_url }, "pull request has foreign commits; left unchanged");
        return { type: "pr-exists", url: pull.html_url };
      }
      const base = await baseFor(at, request);
      const commit = await createChangeCommit(octokit, at, { parent: base.sha, files: request.change.files, message, identity });
      // Same files (only the body lost its marker): no new commit on the branch, just the body.
      if (commit.tree !== tip.tree) await forceBranch(octokit, at, request.branch, commit.sha);
      await octokit.rest.pulls.update({ ...at, pull_number: pull.number, title, body });
      jobLog.info({ url: pull.html_url }, "pull request updated");
      return { type: "pr-updated", url: pull.html_url };
    }
  }

  /** The checkout's commit when GitHub has it (the diff was computed on it), else the default branch head. */
  async function baseFor(at: RepoCoordinates, request: PublishRequest): Promise<{ branch: string; sha: string }> {
    const head = await defaultBranchHead(octokit, at);
    const checkoutSha = request.checkout.headSha;
    if (checkoutSha === head.sha || !/^[0-9a-f]{40}$/.test(checkoutSha)) return head;
    try {
      await octokit.rest.git.getCommit({ ...at, commit_sha: checkoutSha });
      return { branch: head.branch, sha: checkoutSha };
    } catch (error) {
      if (isNotFound(error) || (isRequestError(error) && error.status === 422)) return head;
      throw error;
    }
  }

  return {
    name: "github",
    identity: () => client.identity(),
    async gitToken() {
      if ("token" in options.auth) return options.auth.token;
      try {
        const auth = (await octokit.auth({ type: "installation" })) as { token: string };
        return auth.token;
      } catch (error) {
        throw translateGitHubError(error, "installation token for git");
      }
    },
    async publish(request, signal) {
      try {
        return await withRepoLock(`${request.repo.owner}/${request.repo.name}`, () => client.withSignal(signal, () => publishLocked(request, signal)));
      } catch (error) {
        throw translateGitHubError(error, "publish");
      }
    },
    async resolve(request: ResolvedRequest, signal?: AbortSignal) {
      if (!options.closeResolved) return { closed: false };
      return client.withSignal(signal, () => resolveOpen(request));
    },
    async updateDashboard(repo, items) {
      if (!options.dashboard) return undefined;
      try {
        return await upsertDashboard(octokit, { owner: repo.owner, repo: repo.name }, await client.identity(), items);
      } catch (error) {
        throw translateGitHubError(error, "update dashboard");
      }
    },
  };

  async function resolveOpen(request: ResolvedRequest): Promise<{ closed: boolean; url?: string }> {
    const at = { owner: request.repo.owner, repo: request.repo.name };
    try {
      const open = (await findPulls(octokit, at, request.branch)).find((pull) => pull.state === "open");
      // Only a PR that carries this key's marker is TerraFix's to close.
      if (open === undefined || parseBodyMarker(open.body)?.key !== request.key) return { closed: false };
      await commentOnce(octokit, at, open.number, RESOLVED_MARKER, `Vanta now reports **${request.failure.testName}** passing for this resource, so TerraFix is closing this pull request.`);
      await octokit.rest.pulls.update({ ...at, pull_number: open.number, state: "closed" });
      log.info({ url: open.html_url }, "pull request closed: failure resolved");
      return { closed: true, url: open.html_url };
    } catch (error) {
      throw translateGitHubError(error, "close resolved pull request");
    }
  }
}

/** Configured values plus the repository's own (.terrafix.yml), without duplicates. */
function union(configured: readonly string[], extra: readonly string[] | undefined): string[] {
  return [...new Set([...configured, ...(extra ?? [])])];
}
