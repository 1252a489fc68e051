import { renderComment, renderIssue, renderLabel, renderPull } from "./github-render.js";
import { HttpError, isPull, labelKey, notFound, now, validationFailed, type FakeIssue, type FakePull, type FakeRepo } from "./github-state.js";
import { issueOf, nextNumber, paginate, sortByQuery, stateFilter, type Ctx, type Reply, type Route } from "./github-routes.js";

/**
 * Issue, label and comment routes. Pull requests are issues on GitHub, so the issue routes on a
 * PR's number (labels, assignees, comments) keep working when Issues are disabled; everything
 * about plain issues answers 410, as GitHub does.
 * https://docs.github.com/en/rest/issues/issues#create-an-issue (410 "Gone": issues disabled)
 */
export const issueRoutes: Route[] = [
  ["GET", /^\/repos\/([^/]+)\/([^/]+)\/issues$/, listIssues],
  ["POST", /^\/repos\/([^/]+)\/([^/]+)\/issues$/, createIssue],
  ["GET", /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/, getIssue],
  ["PATCH", /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/, updateIssue],
  ["POST", /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/labels$/, addLabels],
  ["POST", /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/assignees$/, addAssignees],
  ["GET", /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/, listComments],
  ["POST", /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/, createComment],
  ["GET", /^\/repos\/([^/]+)\/([^/]+)\/labels\/([^/]+)$/, getLabel],
  ["POST", /^\/repos\/([^/]+)\/([^/]+)\/labels$/, createLabel],
];

/** GitHub's label description limit; names have their own (50). https://docs.github.com/en/rest/issues/labels#create-a-label */
const LABEL_DESCRIPTION_LIMIT = 100;

/** 410 for plain issues (or the issue list) of a repository whose Issues are switched off. */
function checkIssues(repo: FakeRepo, issue?: FakeIssue | FakePull): void {
  if (repo.issuesDisabled === true && (issue === undefined || !isPull(issue))) throw new HttpError(410, "Issues are disabled for this repo");
}

/** An issue (or PR) of the route's number that the issue routes may touch. */
function reachableIssue(ctx: Ctx): FakeIssue | FakePull {
  const issue = issueOf(ctx);
  checkIssues(ctx.repo(), issue);
  return issue;
}

function listIssues(ctx: Ctx): Reply {
  const repo = ctx.repo();
  checkIssues(repo);
  const wanted = stateFilter(ctx);
  const labels = (ctx.query.get("labels") ?? "").split(",").filter((l) => l !== "").map(labelKey);
  const creator = ctx.query.get("creator");
  const issues = (repo.issues as FakeIssue[]).filter(
    (issue) => wanted(issue) && labels.every((l) => issue.labels.some((name) => labelKey(name) === l)) && (creator === null || issue.user === creator),
  );
  return paginate(ctx, `/repos/${repo.owner}/${repo.name}/issues`, sortByQuery(ctx, issues).map((issue) => renderIssue(ctx.base, repo, issue)));
}

/**
 * The labels by the names GitHub keeps: an existing label is reused whatever the casing asked
 * for; unknown ones are created on the fly with the default colour (services.md §2.6).
 */
export function ensureLabels(repo: FakeRepo, names: string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    let label = repo.labels.get(labelKey(name));
    if (label === undefined) {
      label = { name, color: "ededed", description: null };
      repo.labels.set(labelKey(name), label);
    }
    if (!out.includes(label.name)) out.push(label.name);
  }
  return out;
}

function createIssue(ctx: Ctx): Reply {
  const repo = ctx.repo();
  checkIssues(repo);
  const input = ctx.body as { title?: string; body?: string; labels?: string[]; assignees?: string[] };
  if (typeof input.title !== "string" || input.title === "") throw validationFailed("title is missing", "missing_field", "Issue");
  const labels = ensureLabels(repo, input.labels ?? []);
  const at = now();
  const issue: FakeIssue = { number: nextNumber(repo), title: input.title, body: input.body ?? null, state: "open", user: ctx.caller.identity.login, labels, assignees: input.assignees ?? [], createdAt: at, updatedAt: at, closedAt: null };
  repo.issues.push(issue);
  return { status: 201, body: renderIssue(ctx.base, repo, issue) };
}

function getIssue(ctx: Ctx): Reply {
  return { status: 200, body: renderIssue(ctx.base, ctx.repo(), reachableIssue(ctx)) };
}

function updateIssue(ctx: Ctx): Reply {
  const repo = ctx.repo();
  const issue = reachableIssue(ctx);
  const input = ctx.body as { title?: string; body?: string; state?: "open" | "closed"; labels?: string[] };
  if (input.title !== undefined) issue.title = input.title;
  if (input.body !== undefined) issue.body = input.body;
  if (input.labels !== undefined) issue.labels = ensureLabels(repo, input.labels);
  if (input.state !== undefined && input.state !== issue.state) {
    issue.state = input.state;
    issue.closedAt = input.state === "closed" ? now() : null;
  }
  issue.updatedAt = now();
  return { status: 200, body: isPull(issue) ? renderPull(ctx.base, repo, issue) : renderIssue(ctx.base, repo, issue) };
}

function addLabels(ctx: Ctx): Reply {
  const repo = ctx.repo();
  const issue = reachableIssue(ctx);
  const { labels = [] } = ctx.body as { labels?: string[] };
  for (const name of ensureLabels(repo, labels)) if (!issue.labels.includes(name)) issue.labels.push(name);
  return { status: 200, body: issue.labels.map((name) => renderLabel(repo.labels.get(labelKey(name)) ?? { name, color: "ededed", description: null })) };
}

function addAssignees(ctx: Ctx): Reply {
  const repo = ctx.repo();
  const issue = reachableIssue(ctx);
  const { assignees = [] } = ctx.body as { assignees?: string[] };
  // Users without access are silently ignored, as on GitHub (reference/github-api.md §1).
  for (const login of assignees) if (repo.collaborators.has(login) && !issue.assignees.includes(login)) issue.assignees.push(login);
  return { status: 201, body: renderIssue(ctx.base, repo, issue) };
}

function listComments(ctx: Ctx): Reply {
  const repo = ctx.repo();
  const issue = reachableIssue(ctx);
  const comments = repo.comments.filter((c) => c.issueNumber === issue.number).map((c) => renderComment(ctx.base, repo, c));
  return paginate(ctx, `/repos/${repo.owner}/${repo.name}/issues/${issue.number}/comments`, comments);
}

function createComment(ctx: Ctx): Reply {
  const repo = ctx.repo();
  const issue = reachableIssue(ctx);
  const { body } = ctx.body as { body?: string };
  if (typeof body !== "string" || body === "") throw validationFailed("body is missing", "missing_field", "IssueComment");
  const comment = { id: ctx.state.nextId++, issueNumber: issue.number, body, user: ctx.caller.identity.login, createdAt: now() };
  repo.comments.push(comment);
  return { status: 201, body: renderComment(ctx.base, repo, comment) };
}

/** Found whatever the casing asked for; the answer carries the label's own name. */
function getLabel(ctx: Ctx): Reply {
  const label = ctx.repo().labels.get(labelKey(decodeURIComponent(ctx.params[2] ?? "")));
  if (label === undefined) throw notFound();
  return { status: 200, body: renderLabel(label) };
}

function createLabel(ctx: Ctx): Reply {
  const repo = ctx.repo();
  const { name, color = "ededed", description = null } = ctx.body as { name?: string; color?: string; description?: string | null };
  if (typeof name !== "string" || name === "") throw validationFailed("name is missing", "missing_field", "Label");
  if (!/^[0-9a-fA-F]{6}$/.test(color)) throw validationFailed("color is invalid", "invalid", "Label");
  if (description !== null && description.length > LABEL_DESCRIPTION_LIMIT) {
    throw new HttpError(422, "Validation Failed", [{ resource: "Label", code: "custom", field: "description", message: `description is too long (maximum is ${LABEL_DESCRIPTION_LIMIT} characters)` }]);
  }
  if (repo.labels.has(labelKey(name))) throw new HttpError(422, "Validation Failed", [{ resource: "Label", code: "already_exists", field: "name" }]);
  const label = { name, color, description };
  repo.labels.set(labelKey(name), label);
  return { status: 201, body: renderLabel(label) };
}
