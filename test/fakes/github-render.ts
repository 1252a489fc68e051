import type { GitStore } from "./github-git-store.js";
import { isPull, labelKey, type FakeComment, type FakeIssue, type FakeLabel, type FakePull, type FakeRepo } from "./github-state.js";

/** JSON shapes of the fake's answers, with the fields Octokit users read on github.com. */
export function renderRepo(base: string, repo: FakeRepo): Record<string, unknown> {
  return {
    id: repo.id,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner: { login: repo.owner, type: "Organization" },
    default_branch: repo.defaultBranch,
    has_issues: repo.issuesDisabled !== true,
    private: false,
    html_url: `${base}/${repo.owner}/${repo.name}`,
  };
}

export function renderLabel(label: FakeLabel): Record<string, unknown> {
  return { id: hashId(label.name), name: label.name, color: label.color, description: label.description, default: false };
}

function labelsOf(repo: FakeRepo, names: string[]): Record<string, unknown>[] {
  return names.map((name) => renderLabel(repo.labels.get(labelKey(name)) ?? { name, color: "ededed", description: null }));
}

export function renderIssue(base: string, repo: FakeRepo, issue: FakeIssue | FakePull): Record<string, unknown> {
  const pull = isPull(issue);
  return {
    id: repo.id * 100000 + issue.number,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    user: { login: issue.user },
    labels: labelsOf(repo, issue.labels),
    assignees: issue.assignees.map((login) => ({ login })),
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    html_url: `${base}/${repo.owner}/${repo.name}/${pull ? "pull" : "issues"}/${issue.number}`,
    comments: repo.comments.filter((c) => c.issueNumber === issue.number).length,
    ...(pull ? { pull_request: { url: `${base}/repos/${repo.owner}/${repo.name}/pulls/${issue.number}` } } : {}),
  };
}

export function renderPull(base: string, repo: FakeRepo, pull: FakePull): Record<string, unknown> {
  const headSha = pull.state === "open" ? (repo.refs.get(pull.head) ?? pull.headSha) : pull.headSha;
  return {
    ...renderIssue(base, repo, pull),
    pull_request: undefined,
    url: `${base}/repos/${repo.owner}/${repo.name}/pulls/${pull.number}`,
    draft: pull.draft,
    merged: pull.merged,
    merged_at: pull.mergedAt,
    requested_reviewers: pull.requestedReviewers.map((login) => ({ login })),
    requested_teams: pull.requestedTeams.map((slug) => ({ slug, name: slug })),
    head: { ref: pull.head, sha: headSha, label: `${repo.owner}:${pull.head}`, repo: { full_name: `${repo.owner}/${repo.name}` } },
    base: { ref: pull.base, sha: repo.refs.get(pull.base) ?? pull.baseSha, label: `${repo.owner}:${pull.base}` },
  };
}

export function renderComment(base: string, repo: FakeRepo, comment: FakeComment): Record<string, unknown> {
  return {
    id: comment.id,
    body: comment.body,
    user: { login: comment.user },
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    html_url: `${base}/${repo.owner}/${repo.name}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
  };
}

export function renderCommit(base: string, repo: FakeRepo, store: GitStore, sha: string): Record<string, unknown> {
  const commit = store.commit(sha);
  const api = `${base}/repos/${repo.owner}/${repo.name}`;
  return {
    sha,
    node_id: `C_${sha.slice(0, 12)}`,
    url: `${api}/git/commits/${sha}`,
    html_url: `${base}/${repo.owner}/${repo.name}/commit/${sha}`,
    author: commit.author,
    committer: commit.committer,
    message: commit.message,
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    parents: commit.parents.map((p) => ({ sha: p, url: `${api}/git/commits/${p}`, html_url: `${base}/${repo.owner}/${repo.name}/commit/${p}` })),
    verification: store.verified.has(sha)
      ? { verified: true, reason: "valid", signature: "-----BEGIN PGP SIGNATURE-----\n(fake)\n-----END PGP SIGNATURE-----", payload: "(fake)", verified_at: commit.committer.date }
      : { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

export function renderTree(base: string, repo: FakeRepo, store: GitStore, sha: string, recursive: boolean): Record<string, unknown> {
  const api = `${base}/repos/${repo.owner}/${repo.name}`;
  const tree = store.get(sha);
  if (tree.type !== "tree") throw new Error("not a tree");
  const entries = recursive
    ? [...store.flatten(sha)].map(([path, e]) => ({ path, mode: e.mode, type: "blob", sha: e.sha }))
    : tree.entries.map((e) => ({ path: e.name, mode: e.mode, type: e.mode === "040000" ? "tree" : "blob", sha: e.sha }));
  return { sha, url: `${api}/git/trees/${sha}`, tree: entries.map((e) => ({ ...e, url: `${api}/git/${e.type}s/${e.sha}` })), truncated: false };
}

function hashId(text: string): number {
  let h = 7;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) % 2_000_000_000;
  return h;
}
