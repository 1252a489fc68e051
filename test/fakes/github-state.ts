import { GitStore, type Signature } from "./github-git-store.js";
import type { BareMirror } from "./github-export.js";

/** In-memory state of the fake GitHub; tests read it directly to check what TerraFix did. */
export interface FakeLabel {
  name: string;
  color: string;
  description: string | null;
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  user: string;
  labels: string[];
  assignees: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface FakePull extends FakeIssue {
  isPull: true;
  head: string;
  base: string;
  /** The head commit when the PR was closed or merged (the branch may be gone later). */
  headSha: string;
  /** The base commit the PR was opened against (for merges). */
  baseSha: string;
  merged: boolean;
  mergedAt: string | null;
  draft: boolean;
  requestedReviewers: string[];
  /** Team slugs requested with `team_reviewers`. */
  requestedTeams: string[];
  /**
   * The base and head GitHub last computed the merge status for: GitHub computes it in the
   * background, so the first read after either moves answers `mergeable: null` ("unknown").
   */
  mergeComputedFor?: string;
}

export interface FakeRepo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  /** branch name -> commit SHA */
  refs: Map<string, string>;
  /** Issues and pull requests share one number space, as on GitHub. */
  issues: (FakeIssue | Partial<Pick<FakePull, "isPull">>)[];
  /** Keyed by `labelKey(name)`: GitHub's label names are case-insensitive. */
  labels: Map<string, FakeLabel>;
  comments: FakeComment[];
  mirror?: BareMirror;
  /** Logins with access: only they can be requested as reviewers (422 otherwise, as GitHub). */
  collaborators: Set<string>;
  /** Team slugs with access to the repository. */
  teams: Set<string>;
  /**
   * Branch protection of the default branch: "Require branches to be up to date before merging"
   * (strict status checks). Only then does GitHub report a PR that is behind as `behind`.
   */
  requireUpToDate?: boolean;
  /**
   * Issues switched off in the repository settings: the issue routes answer 410, pull requests
   * (and the issue routes on a pull request's number) keep working.
   */
  issuesDisabled?: boolean;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  /** Who called: a login, `app` for a JWT, or `anonymous`. */
  caller: string;
}

export interface FakeState {
  repos: Map<string, FakeRepo>;
  store: GitStore;
  requests: RequestRecord[];
  installationTokens: Map<string, { installationId: string; expiresAt: number }>;
  nextId: number;
  /** Commits GitHub signed: made by an App through the API without custom author or committer. */
  verified: Set<string>;
  /** Known users by login (GET /users/{login}); the App's bot user has its own id. */
  users: Map<string, { login: string; id: number; type: "User" | "Bot" }>;
  /** Old `owner/name` (lower case) of a renamed or transferred repository -> its id. */
  redirects: Map<string, number>;
}

export function createState(): FakeState {
  const store = new GitStore();
  return { repos: new Map(), store, requests: [], installationTokens: new Map(), nextId: 1, verified: store.verified, users: new Map(), redirects: new Map() };
}

export function isPull(issue: FakeRepo["issues"][number]): issue is FakePull {
  return (issue as Partial<FakePull>).isPull === true;
}

export function pullsOf(repo: FakeRepo): FakePull[] {
  return repo.issues.filter(isPull);
}

export function plainIssuesOf(repo: FakeRepo): FakeIssue[] {
  return repo.issues.filter((issue): issue is FakeIssue => !isPull(issue));
}

/** The key of a label in `FakeRepo.labels`: "Terrafix" and "terrafix" are one label on GitHub. */
export function labelKey(name: string): string {
  return name.toLowerCase();
}

export function now(): string {
  return new Date().toISOString();
}

export function humanSignature(name = "Human Dev", email = "human@example.com"): Signature {
  return { name, email, date: now() };
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function notFound(): HttpError {
  return new HttpError(404, "Not Found");
}

export function validationFailed(message: string, code = "custom", resource = "PullRequest"): HttpError {
  return new HttpError(422, "Validation Failed", [{ resource, code, message }]);
}
