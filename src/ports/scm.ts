import type { RepositoryRef } from "./repo-workspace.js";

/**
 * The thin platform interface the pull-request policy (pipeline/publish) runs on, as Renovate's
 * `Platform` and release-please's `Scm`: calls, no decisions. GitHub, a local git repository and
 * the dry-run recorder implement it. Every method may throw a TerraFixError (the adapter
 * translates its SDK's errors in one place).
 */

/** How far the platform goes: real pull requests, branches only (local git), or a record (dry run). */
export type ScmMode = "pull-requests" | "branches" | "record";

export interface ScmPull {
  number: number;
  url: string;
  state: "open" | "closed" | "merged";
  title: string;
  body: string;
  /** Head branch name. */
  head: string;
  headSha: string;
  createdAt: string;
  mergedAt: string | null;
  closedAt: string | null;
  labels: string[];
}

export interface ScmCommit {
  sha: string;
  message: string;
  parents: string[];
  /** True when the platform says the bot made it (author or committer is the bot account). */
  byBot: boolean;
}

/** GitHub's `mergeable` / `mergeable_state` (null/unknown while it is still computing). */
export interface MergeStatus {
  mergeable: boolean | null;
  state: "clean" | "dirty" | "behind" | "blocked" | "unstable" | "draft" | "has_hooks" | "unknown";
}

export interface BranchWrite {
  branch: string;
  /** The commit the change is made on (its only parent). */
  baseSha: string;
  /** Full new content of each changed path. */
  files: { path: string; content: string }[];
  message: string;
  /**
   * The branch's head the caller checked (ours) and replaces; undefined when the branch must be
   * created. A platform that can compare-and-swap refuses when the head moved meanwhile.
   */
  replaces?: string;
}

/** Where a file is read: a branch's current head, or one commit (its full 40-hex SHA). */
export type ScmRef = { branch: string } | { commit: string };

export interface PullInput {
  title: string;
  body: string;
  head: string;
  base: string;
  /** What the PR is about, for platforms that record rather than open (the dry-run JSON contract). */
  about: { key: string; testId: string; resource: string; address: string; file: string; diff: string };
}

export interface ScmIssue {
  number: number;
  url: string;
  title: string;
  body: string;
}

/** Reviewers as `.terrafix.yml` and the config name them, already split into people and teams. */
export interface Reviewers {
  users: string[];
  /** Team slugs (without the organisation). */
  teams: string[];
}

export interface Scm {
  readonly name: string;
  readonly mode: ScmMode;
  /** Runs `work` so that every platform call it makes is aborted with `signal`. */
  withSignal<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T>;
  /** The default branch and the commit to build on: `preferred` when the platform has it, else its head. */
  base(repo: RepositoryRef, preferred: { branch: string; sha: string }): Promise<{ branch: string; sha: string; head: string }>;
  /** Every PR whose head is `branch`, in any state, newest first. */
  pullsForBranch(repo: RepositoryRef, branch: string): Promise<ScmPull[]>;
  /** Open PRs, or every PR created at or after `since` (newest first). */
  listPulls(repo: RepositoryRef, filter: { state: "open" } | { state: "all"; since: Date }): Promise<ScmPull[]>;
  /** The last commit of a branch; undefined when the branch does not exist. */
  branchHead(repo: RepositoryRef, branch: string): Promise<ScmCommit | undefined>;
  /** A file's text at a branch's head or at a commit; undefined when the file (or the branch or commit) does not exist. */
  readFile(repo: RepositoryRef, at: ScmRef, path: string): Promise<string | undefined>;
  /**
   * The paths whose content differs between two commits, `from` an ancestor of `to` (a group's
   * base and its branch head): what a pull request of `to` onto `from` would change.
   */
  changedPaths(repo: RepositoryRef, from: string, to: string): Promise<string[]>;
  /** One commit with `files` on `baseSha`, then the branch points at it. Returns the commit. */
  writeBranch(repo: RepositoryRef, write: BranchWrite): Promise<{ sha: string }>;
  /** Opens the PR; `created: false` when one was already open for the head (a retried request). */
  openPull(repo: RepositoryRef, input: PullInput): Promise<{ pull: ScmPull; created: boolean }>;
  updatePull(repo: RepositoryRef, number: number, patch: { title?: string; body?: string; state?: "closed" }): Promise<void>;
  mergeStatus(repo: RepositoryRef, number: number): Promise<MergeStatus>;
  comments(repo: RepositoryRef, number: number): Promise<string[]>;
  comment(repo: RepositoryRef, number: number, body: string): Promise<void>;
  /** Adds labels (creating missing ones); works on PRs and issues. */
  addLabels(repo: RepositoryRef, number: number, labels: string[]): Promise<void>;
  /**
   * Requests reviews from people and teams separately, so one bad name never drops the rest.
   * Returns the names the platform refused, with its reason.
   */
  requestReviewers(repo: RepositoryRef, number: number, reviewers: Reviewers): Promise<{ refused: { name: string; reason: string }[] }>;
  addAssignees(repo: RepositoryRef, number: number, assignees: string[]): Promise<void>;
  /** An open issue with this exact title opened by the bot (found client-side by title and author). */
  findIssue(repo: RepositoryRef, title: string): Promise<ScmIssue | undefined>;
  createIssue(repo: RepositoryRef, title: string, body: string): Promise<ScmIssue>;
  updateIssue(repo: RepositoryRef, number: number, body: string): Promise<void>;
}
