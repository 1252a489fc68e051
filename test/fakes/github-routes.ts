import { randomBytes } from "node:crypto";
import { renderPull, renderRepo } from "./github-render.js";
import type { FakeMergeStatus } from "./github-merge.js";
import { HttpError, notFound, now, pullsOf, validationFailed, type FakeIssue, type FakePull, type FakeRepo, type FakeState } from "./github-state.js";

export interface Identity {
  login: string;
  name: string;
  email: string;
  id: number;
}

export interface Caller {
  kind: "user" | "installation" | "app";
  identity: Identity;
}

export interface Ctx {
  state: FakeState;
  base: string;
  params: string[];
  query: URLSearchParams;
  body: unknown;
  caller: Caller;
  app: { id: number; slug: string };
  repo(): FakeRepo;
  setRef(repo: FakeRepo, branch: string, sha: string | undefined): void;
  /** Merges as `PUT /pulls/{n}/merge` does; `expectedSha` is the request's `sha`. */
  merge(repo: FakeRepo, number: number, expectedSha?: string): string;
  /** Merges the base into the PR's head as `PUT /pulls/{n}/update-branch` does. */
  updateBranch(repo: FakeRepo, number: number, expectedHeadSha?: string): string;
  /** The PR's merge status now (git on the bare mirror; see github-merge.ts). */
  mergeable(repo: FakeRepo, pull: FakePull): FakeMergeStatus;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Route = [method: string, pattern: RegExp, handler: (ctx: Ctx) => Reply];

const BODY_LIMIT = 65_536;

export const apiRoutes: Route[] = [
  ["GET", /^\/user$/, getUser],
  ["GET", /^\/app$/, getApp],
  ["POST", /^\/app\/installations\/([^/]+)\/access_tokens$/, createInstallationToken],
  ["GET", /^\/rate_limit$/, () => ({ status: 200, body: { resources: {} } })],
  ["GET", /^\/repos\/([^/]+)\/([^/]+)$/, (ctx) => ({ status: 200, body: renderRepo(ctx.base, ctx.repo()) })],
  ["GET", /^\/repos\/([^/]+)\/([^/]+)\/pulls$/, listPulls],
  ["POST", /^\/repos\/([^/]+)\/([^/]+)\/pulls$/, createPull],
  ["GET", /^\/users\/([^/]+)$/, getUserByLogin],
  ["GET", /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/, getPull],
  ["PATCH", /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/, updatePull],
  ["PUT", /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/merge$/, mergePull],
  ["PUT", /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/update-branch$/, updatePullBranch],
  ["POST", /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/requested_reviewers$/, requestReviewers],
];

function getUser(ctx: Ctx): Reply {
  // An installation token cannot read /user (services.md §2.5).
  if (ctx.caller.kind !== "user") throw new HttpError(403, "Resource not accessible by integration");
  return { status: 200, body: { login: ctx.caller.identity.login, id: ctx.caller.identity.id, type: "User", name: ctx.caller.identity.name } };
}

function getApp(ctx: Ctx): Reply {
  if (ctx.caller.kind !== "app") throw new HttpError(401, "A JSON web token could not be decoded");
  return { status: 200, body: { id: ctx.app.id, slug: ctx.app.slug, name: ctx.app.slug, owner: { login: "acme" } } };
}

function getUserByLogin(ctx: Ctx): Reply {
  const user = ctx.state.users.get(decodeURIComponent(ctx.params[0] ?? ""));
  if (user === undefined) throw notFound();
  return { status: 200, body: { login: user.login, id: user.id, type: user.type, node_id: `U_${user.id}` } };
}

/**
 * A single PR carries the merge status GitHub computes: `mergeable` and `mergeable_state`
 * ("clean", "dirty" when git cannot merge it, "behind" under up-to-date protection) for open
 * PRs, null and "unknown" once closed or while it is being computed.
 * https://docs.github.com/en/rest/pulls/pulls#get-a-pull-request
 */
function getPull(ctx: Ctx): Reply {
  const repo = ctx.repo();
  const pull = pullOf(ctx);
  const status = pull.state === "open" ? ctx.mergeable(repo, pull) : { mergeable: null, state: "unknown" };
  return { status: 200, body: { ...renderPull(ctx.base, repo, pull), mergeable: status.mergeable, mergeable_state: status.state, merge_commit_sha: null } };
}

function createInstallationToken(ctx: Ctx): Reply {
  if (ctx.caller.kind !== "app") throw new HttpError(401, "A JSON web token could not be decoded");
  const token = `ghs_${randomBytes(18).toString("hex")}`;
  const expiresAt = Date.now() + 3600_000;
  ctx.state.installationTokens.set(token, { installationId: ctx.params[0] ?? "", expiresAt });
  return { status: 201, body: { token, expires_at: new Date(expiresAt).toISOString(), permissions: { contents: "write", pull_requests: "write", issues: "write", metadata: "read" }, repository_selection: "all" } };
}

export function number(ctx: Ctx): number {
  return Number(ctx.params[2]);
}

export function issueOf(ctx: Ctx): FakeIssue | FakePull {
  const found = ctx.repo().issues.find((issue) => (issue as FakeIssue).number === number(ctx));
  if (found === undefined) throw notFound();
  return found as FakeIssue | FakePull;
}

function pullOf(ctx: Ctx): FakePull {
  const found = pullsOf(ctx.repo()).find((pull) => pull.number === number(ctx));
  if (found === undefined) throw notFound();
  return found;
}

/** `?per_page=&page=` with a `link` header, as GitHub paginates. */
export function paginate(ctx: Ctx, path: string, items: unknown[]): Reply {
  const perPage = Math.min(Math.max(Number(ctx.query.get("per_page") ?? 30) || 30, 1), 100);
  const page = Math.max(Number(ctx.query.get("page") ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const links: string[] = [];
  const pageUrl = (n: number): string => {
    const query = new URLSearchParams(ctx.query);
    query.set("page", String(n));
    query.set("per_page", String(perPage));
    return `<${ctx.base}${path}?${query.toString()}>`;
  };
  if (page < last) links.push(`${pageUrl(page + 1)}; rel="next"`, `${pageUrl(last)}; rel="last"`);
  if (page > 1) links.push(`${pageUrl(1)}; rel="first"`, `${pageUrl(page - 1)}; rel="prev"`);
  return { status: 200, body: items.slice((page - 1) * perPage, page * perPage), headers: links.length === 0 ? {} : { link: links.join(", ") } };
}

export function sortByQuery<T extends FakeIssue>(ctx: Ctx, items: T[]): T[] {
  const sort = ctx.query.get("sort") ?? "created";
  const direction = ctx.query.get("direction") ?? (sort === "created" ? "desc" : "asc");
  const key = (item: T): string => (sort === "updated" ? item.updatedAt : item.createdAt);
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.number - b.number));
  return direction === "desc" ? sorted.reverse() : sorted;
}

export function stateFilter(ctx: Ctx): (item: FakeIssue) => boolean {
  const state = ctx.query.get("state") ?? "open";
  return (item) => state === "all" || item.state === state;
}

function listPulls(ctx: Ctx): Reply {
  const repo = ctx.repo();
  const head = ctx.query.get("head");
  const base = ctx.query.get("base");
  const wanted = stateFilter(ctx);
  const pulls = pullsOf(repo).filter((pull) => {
    if (!wanted(pull)) return false;
    // `head` must be `owner:branch`; a bare branch name does not filter (services.md §2.2).
    if (head !== null && head.includes(":") && head !== `${repo.owner}:${pull.head}`) return false;
    return base === null || pull.base === base;
  });
  return paginate(ctx, `/repos/${repo.owner}/${repo.name}/pulls`, sortByQuery(ctx, pulls).map((pull) => renderPull(ctx.base, repo, pull)));
}

export function nextNumber(repo: FakeRepo): number {
  return repo.issues.length + 1;
}

function createPull(ctx: Ctx): Reply {
  const repo = ctx.repo();
  const input = ctx.body as { title?: string; head?: string; base?: string; body?: string; draft?: boolean; maintainer_can_modify?: boolean };
  checkForkCollab(input);
  if (typeof input.title !== "string" || input.title === "") throw validationFailed("title is missing", "missing_field");
  const head = (input.head ?? "").replace(new RegExp(`^${repo.owner}:`), "");
  const base = input.base ?? repo.defaultBranch;
  const headSha = repo.refs.get(head);
  const baseSha = repo.refs.get(base);
  if (headSha === undefined) throw new HttpError(422, "Validation Failed", [{ resource: "PullRequest", field: "head", code: "invalid" }]);
  if (baseSha === undefined) throw new HttpError(422, "Validation Failed", [{ resource: "PullRequest", field: "base", code: "invalid" }]);
  if ((input.body ?? "").length > BODY_LIMIT) throw validationFailed(`body is too long (maximum is ${BODY_LIMIT} characters)`);
  if (pullsOf(repo).some((pull) => pull.state === "open" && pull.head === head && pull.base === base)) {
    throw validationFailed(`A pull request already exists for ${repo.owner}:${head}.`);
  }
  if (headSha === baseSha || ctx.state.store.isAncestor(headSha, baseSha)) throw validationFailed(`No commits between ${base} and ${head}`);
  const at = now();
  const pull: FakePull = {
    isPull: true,
    number: nextNumber(repo),
    title: input.title,
    body: input.body ?? null,
    state: "open",
    user: ctx.caller.identity.login,
    labels: [],
    assignees: [],
    createdAt: at,
    updatedAt: at,
    closedAt: null,
    head,
    base,
    headSha,
    baseSha,
    merged: false,
    mergedAt: null,
    draft: input.draft === true,
    requestedReviewers: [],
    requestedTeams: [],
  };
  repo.issues.push(pull);
  return { status: 201, body: renderPull(ctx.base, repo, pull) };
}

/**
 * Every PR of the fake is same-repository (no forks), and for those GitHub refuses to enable
 * "allow edits by maintainers" (reference/github-api.md §3: reported on update; on create it is
 * enforced here too, to catch a regression of TerraFix sending it).
 */
function checkForkCollab(input: { maintainer_can_modify?: boolean }): void {
  if (input.maintainer_can_modify === true) throw validationFailed("Fork collab can only be enabled on cross-repo pull requests");
}

function updatePull(ctx: Ctx): Reply {
  const repo = ctx.repo();
  const pull = pullOf(ctx);
  const input = ctx.body as { title?: string; body?: string; state?: "open" | "closed"; maintainer_can_modify?: boolean };
  checkForkCollab(input);
  if ((input.body ?? "").length > BODY_LIMIT) throw validationFailed(`body is too long (maximum is ${BODY_LIMIT} characters)`);
  if (input.state === "open" && pull.state === "closed") {
    if (pull.merged) throw validationFailed("state cannot be changed. The pull request has been merged.");
    if (!repo.refs.has(pull.head)) throw validationFailed("state cannot be changed. The head branch was deleted.");
    pull.closedAt = null;
    pull.state = "open";
  } else if (input.state === "closed" && pull.state === "open") {
    pull.headSha = repo.refs.get(pull.head) ?? pull.headSha;
    pull.state = "closed";
    pull.closedAt = now();
  }
  if (input.title !== undefined) pull.title = input.title;
  if (input.body !== undefined) pull.body = input.body;
  pull.updatedAt = now();
  return { status: 200, body: renderPull(ctx.base, repo, pull) };
}

function mergePull(ctx: Ctx): Reply {
  const { sha: expected } = ctx.body as { sha?: string };
  const sha = ctx.merge(ctx.repo(), number(ctx), expected);
  return { status: 200, body: { sha, merged: true, message: "Pull Request successfully merged" } };
}

function updatePullBranch(ctx: Ctx): Reply {
  const repo = ctx.repo();
  const { expected_head_sha: expected } = ctx.body as { expected_head_sha?: string };
  ctx.updateBranch(repo, number(ctx), expected);
  return { status: 202, body: { message: "Updating pull request branch.", url: `${ctx.base}/${repo.owner}/${repo.name}/pull/${number(ctx)}` } };
}

/**
 * As GitHub: the author cannot be asked, and every user and team must have access to the
 * repository, else the whole request fails with 422 and nobody is requested.
 * https://docs.github.com/en/rest/pulls/review-requests#request-reviewers-for-a-pull-request
 */
function requestReviewers(ctx: Ctx): Reply {
  const repo = ctx.repo();
  const pull = pullOf(ctx);
  const { reviewers = [], team_reviewers: teams = [] } = ctx.body as { reviewers?: string[]; team_reviewers?: string[] };
  if (reviewers.includes(pull.user)) throw validationFailed("Review cannot be requested from pull request author.");
  const outsider = reviewers.some((login) => !repo.collaborators.has(login)) || teams.some((slug) => !repo.teams.has(slug));
  if (outsider) {
    throw validationFailed(`Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repo.owner}/${repo.name} repository.`);
  }
  for (const login of reviewers) if (!pull.requestedReviewers.includes(login)) pull.requestedReviewers.push(login);
  for (const slug of teams) if (!pull.requestedTeams.includes(slug)) pull.requestedTeams.push(slug);
  return { status: 201, body: renderPull(ctx.base, repo, pull) };
}
