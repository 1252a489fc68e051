import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "../../observability/logger.js";
import type { RepositoryRef } from "../../ports/repo-workspace.js";
import type { MergeStatus, Scm } from "../../ports/scm.js";
import { createGitHubClient, type BotIdentity, type GitHubAuth, type GitHubClient, type RetrySettings, type ThrottleSettings } from "./client.js";
import { branchHead, defaultBranchHead, hasCommit, writeBranch, type CommitAuthor, type RepoCoordinates } from "./branch.js";
import { changedPaths, readFileAt } from "./contents.js";
import { createPull, ensureLabel, findPulls, listPulls, requestReviewers } from "./pulls.js";
import { translateGitHubError } from "./errors.js";
import { IssueSummary, PullMergeStatus } from "./schema.js";

export interface GitHubScmOptions {
  apiUrl: string;
  auth: GitHubAuth;
  /**
   * Commit author and committer with a token (PAT). Default: the token's user. With a GitHub App
   * commits carry no author so that GitHub signs them; this option is then ignored.
   */
  commitAuthor?: { name: string; email: string };
  logger: Logger;
  /** Tests: pacing off, tiny Retry-After unit. */
  throttle?: ThrottleSettings;
  retry?: RetrySettings;
  /** Wait before reading a merge status GitHub was still computing again (default 1 s). */
  mergeabilityRetryMs?: number;
}

/** The GitHub Scm, plus what only the composition root needs from GitHub. */
export interface GitHubScm extends Scm {
  identity(): Promise<BotIdentity>;
  /**
   * The token git clones with: the PAT, or the current installation token of the GitHub App
   * (refreshed by @octokit/auth-app before it expires).
   */
  gitToken(): Promise<string>;
}

/** GitHub through Octokit: each method one or a few REST calls, errors translated in one place. */
export function createGitHubScm(options: GitHubScmOptions): GitHubScm {
  const client: GitHubClient = createGitHubClient({
    apiUrl: options.apiUrl,
    auth: options.auth,
    logger: options.logger,
    ...(options.throttle === undefined ? {} : { throttle: options.throttle }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });
  const octokit = client.octokit;
  const knownLabels = new Set<string>();
  const at = (repo: RepositoryRef): RepoCoordinates => ({ owner: repo.owner, repo: repo.name });

  async function author(): Promise<CommitAuthor> {
    const identity = await client.identity();
    if (identity.kind === "app") return undefined;
    return options.commitAuthor ?? { name: identity.name, email: identity.email };
  }

  /** Every call goes through here: one translation of Octokit's errors. */
  async function call<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translateGitHubError(error, action);
    }
  }

  return {
    name: "github",
    mode: "pull-requests",
    withSignal: (signal, work) => client.withSignal(signal, work),
    identity: () => call("identity", () => client.identity()),
    async gitToken() {
      if ("token" in options.auth) return options.auth.token;
      return call("installation token for git", async () => ((await octokit.auth({ type: "installation" })) as { token: string }).token);
    },
    base: (repo, preferred) =>
      call("read the default branch", async () => {
        const head = await defaultBranchHead(octokit, at(repo));
        // The checkout's commit when GitHub has it (the diff was computed on it), else the head.
        if (preferred.sha === head.sha || !(await hasCommit(octokit, at(repo), preferred.sha))) return { ...head, head: head.sha };
        return { branch: head.branch, sha: preferred.sha, head: head.sha };
      }),
    pullsForBranch: (repo, branch) => call("find pull requests", () => findPulls(octokit, at(repo), branch)),
    listPulls: (repo, filter) => call("list pull requests", () => listPulls(octokit, at(repo), filter)),
    branchHead: (repo, branch) => call("read branch", async () => branchHead(octokit, at(repo), branch, await client.identity())),
    readFile: (repo, ref, path) => call("read a file", () => readFileAt(octokit, at(repo), ref, path)),
    changedPaths: (repo, from, to) => call("compare commits", () => changedPaths(octokit, at(repo), from, to)),
    writeBranch: (repo, write) => call("write branch", async () => writeBranch(octokit, at(repo), write, await author())),
    openPull: (repo, input) => call("open pull request", () => createPull(octokit, at(repo), input)),
    updatePull: (repo, number, patch) =>
      call("update pull request", async () => {
        await octokit.rest.pulls.update({ ...at(repo), pull_number: number, ...patch });
      }),
    mergeStatus: (repo, number) =>
      call("read merge status", async () => {
        const read = async (): Promise<MergeStatus> => {
          const status = PullMergeStatus.parse((await octokit.rest.pulls.get({ ...at(repo), pull_number: number })).data);
          const known = ["clean", "dirty", "behind", "blocked", "unstable", "draft", "has_hooks"] as const;
          return { mergeable: status.mergeable, state: known.find((s) => s === status.mergeable_state) ?? "unknown" };
        };
        const first = await read();
        if (first.mergeable !== null) return first;
        // null: GitHub has just started computing it in the background; one more read after a
        // moment usually has the answer (else the next cycle asks again).
        // https://docs.github.com/en/rest/guides/using-the-rest-api-to-interact-with-your-git-database#checking-mergeability-of-pull-requests
        await delay(options.mergeabilityRetryMs ?? 1000);
        return read();
      }),
    comments: (repo, number) =>
      call("list comments", async () => (await octokit.paginate(octokit.rest.issues.listComments, { ...at(repo), issue_number: number, per_page: 100 })).map((c) => c.body ?? "")),
    comment: (repo, number, body) =>
      call("comment", async () => {
        await octokit.rest.issues.createComment({ ...at(repo), issue_number: number, body });
      }),
    addLabels: (repo, number, labels) =>
      call("add labels", async () => {
        if (labels.length === 0) return;
        for (const name of labels) await ensureLabel(octokit, at(repo), name, knownLabels);
        await octokit.rest.issues.addLabels({ ...at(repo), issue_number: number, labels });
      }),
    requestReviewers: (repo, number, reviewers) => call("request reviewers", () => requestReviewers(octokit, at(repo), number, reviewers)),
    addAssignees: (repo, number, assignees) =>
      call("add assignees", async () => {
        if (assignees.length > 0) await octokit.rest.issues.addAssignees({ ...at(repo), issue_number: number, assignees });
      }),
    findIssue: (repo, title) =>
      call("find the dashboard issue", async () => {
        const login = (await client.identity()).login;
        // Filtered by title and author here, not by the `creator` parameter: a bot login in
        // `creator` has been reported not to match (reference/github-api.md §3, renovate#44730).
        const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { ...at(repo), state: "open", per_page: 100 });
        const found = issues.map((raw) => IssueSummary.parse(raw)).find((i) => i.pull_request === undefined && i.title === title && i.user?.login === login);
        return found === undefined ? undefined : { number: found.number, url: found.html_url, title: found.title, body: found.body };
      }),
    createIssue: (repo, title, body) =>
      call("create the dashboard issue", async () => {
        const { data } = await octokit.rest.issues.create({ ...at(repo), title, body });
        return { number: data.number, url: data.html_url, title: data.title, body: data.body ?? "" };
      }),
    updateIssue: (repo, number, body) =>
      call("update the dashboard issue", async () => {
        await octokit.rest.issues.update({ ...at(repo), issue_number: number, body });
      }),
  };
}


